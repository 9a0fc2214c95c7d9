use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::TokenAccount;
use lev_math::{fee_up, min_out_base_for_quote, mint_borrow_amount, nav_added_down, tokens_for_nav_down, Round};
use program_utils::token;

use crate::market_core::*;
use crate::{leverage_up, math_err, LevError, MarketCore, Minted};

#[derive(Accounts)]
pub struct MintLev<'info> {
    #[account(constraint = core.distinct_with(&[user_quote.key(), user_lev.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount)]
    pub core: MarketCore<'info>,

    pub user: Signer<'info>,
    #[account(mut, dup, token::mint = core.quote_mint, token::authority = user)]
    pub user_quote: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = core.lev_mint)]
    pub user_lev: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Deposit `usdc_in`; the vault borrows alongside it at the current leverage, buys collateral
/// through the allowlisted venue and mints tokens for the NAV actually added at the oracle price.
pub fn handle_mint(mut ctx: Context<MintLev>, usdc_in: u64, min_tokens_out: u64) -> Result<()> {
    require!(usdc_in > 0, LevError::ZeroAmount);
    program_utils::cu_mark!("m:start");

    let clock = Clock::get()?;
    let a = &mut ctx.accounts;
    require!(a.core.market.live(), LevError::MarketSettled);
    require!(!a.core.market.mint_paused, LevError::MintPaused);
    a.core.accrue(clock.unix_timestamp)?;
    program_utils::cu_mark!("m:accrued");
    let price = a.core.price(&clock)?;
    program_utils::cu_mark!("m:price");
    let pos = a.core.position()?;
    let params = a.core.market.params;
    require!(params.emergency_within_pool(a.core.lending_pool.config.liquidation_leverage_bps), LevError::PoolRiskChanged);
    let supply = a.core.supply()?;
    program_utils::cu_mark!("m:supply");

    let empty = pos.collateral == 0 && pos.debt == 0;
    let nav_before = if empty { 0 } else { pos.nav(price, Round::Up).ok_or(LevError::VaultInsolvent)? };
    if let Some(lev) = leverage_up(&pos, price) {
        require!(lev < params.emergency_leverage_bps, LevError::MintBlockedInEmergency);
    }

    let fee = fee_up(usdc_in, params.mint_fee_bps).ok_or_else(math_err)?;
    let net = usdc_in - fee;
    program_utils::cu_mark!("m:fee");
    require!(net > 0, LevError::DepositTooSmall);
    // The whole deposit comes in; the fee stays in the quote vault for the treasury to claim.
    token::transfer(&a.core.quote_token_program, &a.user_quote, &a.core.quote_vault, &a.core.quote_mint, &a.user.to_account_info(), &[], usdc_in)?;
    a.core.quote_vault.reload()?;
    program_utils::cu_mark!("m:deposit");
    a.core.market.fees_quote = a.core.market.fees_quote.checked_add(fee).ok_or_else(math_err)?;
    // A venue pushed off the oracle (a sandwich, or a cheap fill that would move the vault's
    // leverage) is refused before any swap.
    a.core.require_venue_near_oracle(price, params.max_venue_deviation_bps, None)?;
    program_utils::cu_mark!("m:venue");

    let borrowed = mint_borrow_amount(&pos, price, net, params.target_leverage_bps).ok_or_else(math_err)?;
    a.core.borrow(borrowed)?;
    program_utils::cu_mark!("m:borrowed");
    let swap_in = net.checked_add(borrowed).ok_or_else(math_err)?;
    let min_out = min_out_base_for_quote(price, swap_in, params.max_slippage_bps).ok_or_else(math_err)?;
    let bought = a.core.swap(true, swap_in, min_out)?;
    program_utils::cu_mark!("m:swapped");

    let nav_added = nav_added_down(price, bought, borrowed).ok_or(LevError::DepositTooSmall)?;
    let tokens = tokens_for_nav_down(nav_added, nav_before, supply).ok_or_else(math_err)?;
    require!(tokens > 0, LevError::DepositTooSmall);
    require!(tokens >= min_tokens_out, LevError::TokensBelowMinimum);
    require!(supply.checked_add(tokens).is_some_and(|s| s <= params.supply_cap), LevError::SupplyCapExceeded);
    a.core.mint_lev(&a.user_lev, tokens)?;
    program_utils::cu_mark!("m:minted");
    a.core.market.collateral = a.core.market.collateral.checked_add(bought).ok_or_else(math_err)?;

    let after = a.core.position()?;
    program_utils::emit(Minted {
        market: a.core.market.key(),
        user: a.user.key(),
        usdc_in,
        fee,
        borrowed,
        collateral_bought: bought,
        nav_added: u64::try_from(nav_added).map_err(|_| math_err())?,
        tokens,
        price_wad: price.wad,
        leverage_bps: leverage_up(&after, price).unwrap_or(u64::MAX),
    });
    program_utils::cu_mark!("m:end");
    Ok(())
}
