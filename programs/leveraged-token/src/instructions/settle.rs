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

/// Anyone, while the vault's NAV is ≤ 0 at the oracle: sell collateral (at most the emergency
/// trade size per call, within the emergency slippage and venue bounds) and repay the debt with
/// the proceeds. The call that sells the last collateral writes the remaining debt off at the
/// lending pool — every lender loses the same fraction at once, instead of the last ones out
/// holding claims on debt that will never be paid — and marks the market settled. If the price
/// recovers before that, the market is solvent again and this call is refused.
pub fn handle_settle(mut ctx: Context<Settle>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut ctx.accounts;
    require!(!a.core.market.settled, LevError::MarketSettled);
    a.core.accrue(clock.unix_timestamp)?;
    let price = a.core.price(&clock)?;
    let pos = a.core.position()?;
    let equity = pos.equity(price, Round::Up).ok_or_else(math_err)?;
    require!(equity <= 0 && (pos.collateral > 0 || pos.debt > 0), LevError::NotInsolvent);
    let params = a.core.market.params;

    if pos.collateral > 0 {
        a.core.require_venue_near_oracle(price, params.emergency_max_venue_deviation_bps)?;
        let cap = price.base_for_quote(params.emergency_max_trade_quote as u128, Round::Down).ok_or_else(math_err)?;
        let sell = u64::try_from(cap).unwrap_or(u64::MAX).clamp(1, pos.collateral);
        let min_out = min_out_quote_for_base(price, sell, params.emergency_max_slippage_bps).ok_or_else(math_err)?;
        let proceeds = a.core.swap(false, sell, min_out)?;
        a.core.market.collateral = a.core.market.collateral.checked_sub(sell).ok_or_else(math_err)?;
        let repaid = proceeds.min(a.core.debt()?);
        a.core.repay(repaid)?;
        // Proceeds above the debt (only if the venue paid above the oracle) belong to holders.
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
    }

    if a.core.market.collateral == 0 {
        let written_off = a.core.debt()?;
        if written_off > 0 {
            a.core.write_off()?;
        }
        a.core.market.settled = true;
        a.core.market.mint_paused = true;
        program_utils::emit(MarketSettled { market: a.core.market.key(), debt_written_off: written_off, residual_quote: a.core.market.residual_quote });
    }
    Ok(())
}
