use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint;
use lending_pool::{Borrower, LendingPool};
use lev_math::{accrue_index_up, debt_from_scaled_up, nav_per_token, rebalance_trigger, streaming_fee_tokens_down, Round};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::{math_err, read_oracle, Market, LEV_DECIMALS, MARKET_SEED};

#[derive(Accounts)]
pub struct Nav<'info> {
    #[account(seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(address = market.lev_mint)]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,
    /// Any full-verified update for the market's feed (see `MarketCore::oracle`).
    pub oracle: Box<Account<'info, PriceUpdateV2>>,
    #[account(address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    #[account(address = market.lending_borrower)]
    pub lending_borrower: Box<Account<'info, Borrower>>,
}

/// What `nav` returns (Anchor return data; read it with a simulation).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavView {
    /// Collateral value − debt, USDC base units (0 when insolvent; see `insolvent`).
    pub nav: u64,
    /// NAV per whole token, USDC base units, after the pending streaming fee.
    pub nav_per_token: u64,
    /// Collateral value / NAV in bps; `u64::MAX` when NAV ≤ 0.
    pub leverage_bps: u64,
    pub debt: u64,
    pub collateral: u64,
    pub collateral_value: u64,
    /// Token supply including the streaming fee owed to the treasury (accrued or pending).
    pub supply: u64,
    pub price_wad: u128,
    pub insolvent: bool,
    /// 0 emergency, 1 outside band, 2 scheduled, 255 not allowed now.
    pub rebalance_trigger: u8,
}

/// Read-only view of the market at the oracle price with interest and fees accrued to now.
pub fn handle_nav(ctx: Context<Nav>) -> Result<NavView> {
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let a = &ctx.accounts;
    let price = read_oracle(&a.oracle, &a.market, &clock)?;
    let pool = &a.lending_pool;
    let elapsed = now.saturating_sub(pool.last_accrual_ts) as u64;
    let index = accrue_index_up(pool.borrow_index, pool.borrow_rate_bps()?, elapsed).ok_or_else(math_err)?;
    let debt = debt_from_scaled_up(a.lending_borrower.scaled_debt, index).ok_or_else(math_err)?;
    let pos = a.market.position(debt);
    let fee_elapsed = now.saturating_sub(a.market.last_fee_accrual_ts) as u64;
    // The fee is charged on the supply holders' shares count (minted + owed), as `accrue` does.
    let counted = a.market.supply(a.lev_mint.supply).ok_or_else(math_err)?;
    let pending_fee = streaming_fee_tokens_down(counted, a.market.params.streaming_fee_bps_per_year, fee_elapsed).ok_or_else(math_err)?;
    let supply = counted.checked_add(pending_fee).ok_or_else(math_err)?;
    let nav = pos.nav(price, Round::Down);
    let lev = pos.leverage_bps(price, Round::Up);
    let nav_u128 = nav.unwrap_or(0);
    let view = NavView {
        nav: u64::try_from(nav_u128).map_err(|_| math_err())?,
        nav_per_token: nav_per_token(nav_u128, supply, LEV_DECIMALS, Round::Down).ok_or_else(math_err)?,
        leverage_bps: lev.unwrap_or(u64::MAX),
        debt,
        collateral: pos.collateral,
        collateral_value: u64::try_from(pos.collateral_value(price, Round::Down).ok_or_else(math_err)?).map_err(|_| math_err())?,
        supply,
        price_wad: price.wad,
        insolvent: nav.is_none() && (pos.collateral > 0 || pos.debt > 0),
        rebalance_trigger: rebalance_trigger(&a.market.params.band(), lev, now, a.market.last_rebalance_ts).map(|t| t as u8).unwrap_or(255),
    };
    program_utils::native_return_data(&view);
    Ok(view)
}
