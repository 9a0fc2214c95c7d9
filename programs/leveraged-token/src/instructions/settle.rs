use anchor_lang::prelude::*;
use lev_math::{min_out_quote_for_base, Round};

use crate::market_core::*;
use crate::{math_err, LevError, MarketCore, MarketSettled, SettleStep};

#[derive(Accounts)]
pub struct Settle<'info> {
    pub core: MarketCore<'info>,
    /// Anyone.
    pub settler: Signer<'info>,
}

/// Anyone. The first call needs NAV ≤ 0 at the oracle: it commits the market to settlement
/// (minting, rebalancing and priced redemptions stop, whatever the price does next) and at once
/// writes off at the lending pool the shortfall at the oracle — the debt above the collateral's
/// value — so no lender can withdraw at par ahead of the others while the collateral is sold.
/// Every call then sells collateral (at most the emergency trade size, within the emergency
/// slippage bound, refused while the venue sits too far below the oracle) and repays with the
/// proceeds; what the sales fetch above the remaining debt is kept for the holders. The call that
/// leaves no collateral worth a trade writes off what debt is left and marks the market settled:
/// tokens then redeem for their share of what is left.
pub fn handle_settle(mut ctx: Context<Settle>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut ctx.accounts;
    require!(!a.core.market.settled, LevError::MarketSettled);
    a.core.accrue(clock.unix_timestamp)?;
    let price = a.core.price(&clock)?;
    let pos = a.core.position()?;
    let params = a.core.market.params;

    if !a.core.market.settling {
        let equity = pos.equity(price, Round::Up).ok_or_else(math_err)?;
        require!(equity <= 0 && (pos.collateral > 0 || pos.debt > 0), LevError::NotInsolvent);
        a.core.market.settling = true;
        a.core.market.mint_paused = true;
        let value = pos.collateral_value(price, Round::Up).ok_or_else(math_err)?;
        let shortfall = u64::try_from((pos.debt as u128).saturating_sub(value)).map_err(|_| math_err())?;
        if shortfall > 0 {
            a.core.write_off(shortfall)?;
        }
    }

    let collateral = a.core.market.collateral;
    // Collateral worth less than a trade (a rounding remainder) is not worth a swap: the
    // settlement ends without it and it stays in the vault, unaccounted.
    let worth_a_trade = price.value(collateral, Round::Down).ok_or_else(math_err)? >= params.min_trade_quote.max(1) as u128;
    if collateral > 0 && worth_a_trade {
        a.core.require_venue_near_oracle(price, params.emergency_max_venue_deviation_bps, Some(false))?;
        // At most the emergency trade, and no more than the venue takes within the emergency
        // venue bound of impact.
        let (_, quote_depth) = a.core.venue_reserves()?;
        let depth_cap = (quote_depth as u128) * params.emergency_max_venue_deviation_bps as u128 / lev_math::BPS as u128;
        let cap = price.base_for_quote((params.emergency_max_trade_quote as u128).min(depth_cap), Round::Down).ok_or_else(math_err)?;
        let sell = u64::try_from(cap).unwrap_or(u64::MAX).clamp(1, collateral);
        let min_out = min_out_quote_for_base(price, sell, params.emergency_max_slippage_bps).ok_or_else(math_err)?;
        let proceeds = a.core.swap(false, sell, min_out)?;
        a.core.market.collateral = collateral.checked_sub(sell).ok_or_else(math_err)?;
        let repaid = proceeds.min(a.core.debt()?);
        a.core.repay(repaid)?;
        // Proceeds above the debt belong to the holders.
        a.core.market.residual_quote = a.core.market.residual_quote.checked_add(proceeds - repaid).ok_or_else(math_err)?;
        program_utils::emit(SettleStep {
            market: a.core.market.key(),
            settler: a.settler.key(),
            collateral_sold: sell,
            proceeds,
            debt_repaid: repaid,
            collateral_left: a.core.market.collateral,
            price_wad: price.wad,
        });
    } else {
        a.core.market.collateral = 0;
    }

    let left = a.core.market.collateral;
    if left == 0 || price.value(left, Round::Down).ok_or_else(math_err)? < params.min_trade_quote.max(1) as u128 {
        a.core.market.collateral = 0;
        let written_off = a.core.debt()?;
        if written_off > 0 {
            a.core.write_off(written_off)?;
        }
        a.core.market.settled = true;
        program_utils::emit(MarketSettled { market: a.core.market.key(), debt_written_off: written_off, residual_quote: a.core.market.residual_quote });
    }
    Ok(())
}
