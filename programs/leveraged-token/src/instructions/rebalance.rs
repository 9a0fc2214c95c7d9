use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::TokenAccount;
use lev_math::{depth_capped, moved_toward_target, plan_rebalance, rebalance_trigger, Plan, Trigger};

use crate::market_core::*;
use crate::{leverage_up, math_err, LevError, MarketCore, Rebalanced};

#[derive(Accounts)]
pub struct Rebalance<'info> {
    #[account(constraint = core.distinct_with(&[keeper_quote.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount)]
    pub core: MarketCore<'info>,

    /// Anyone may rebalance; the reward goes to `keeper_quote`.
    pub keeper: Signer<'info>,
    #[account(mut, dup, token::mint = core.quote_mint)]
    pub keeper_quote: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Move leverage toward the target when it left the band, when a scheduled recentre is due, or
/// (emergency path) when it reached the emergency threshold — with larger trades, a looser
/// slippage bound and a higher reward. The result is checked from the vault's balances.
pub fn handle_rebalance(mut ctx: Context<Rebalance>) -> Result<()> {
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let a = &mut ctx.accounts;
    require!(a.core.market.live(), LevError::MarketSettled);
    a.core.accrue(now)?;
    let price = a.core.price(&clock)?;
    let pos = a.core.position()?;
    let params = a.core.market.params;
    let lev_before = leverage_up(&pos, price);
    let band = params.band();
    let trigger = rebalance_trigger(&band, lev_before, now, a.core.market.last_rebalance_ts).ok_or(LevError::RebalanceNotNeeded)?;
    let emergency = trigger == Trigger::Emergency;
    let aim = band.aim_bps(trigger, lev_before);
    // Sized so the trade's own price impact stays within the venue bound: a larger move takes
    // several calls, with arbitrage bringing the venue back between them.
    let (_, quote_depth) = a.core.venue_reserves()?;
    let limits = depth_capped(params.trade_limits(emergency), quote_depth, params.venue_deviation_bps(emergency)).ok_or_else(math_err)?;
    let plan = plan_rebalance(&pos, price, aim, &limits).ok_or(LevError::NothingToTrade)?;
    // Holders bear a rebalance's swap: refuse while the venue sits off the oracle against the trade
    // (a sandwich's first leg), so an attacker can take at most this distance from them. A venue
    // off in the trade's favour (above the oracle for a sale) is no reason to wait.
    let buy = matches!(plan, Plan::Relever { .. });
    a.core.require_venue_near_oracle(price, params.venue_deviation_bps(emergency), Some(buy))?;

    let (relever, swap_in, swap_out, debt_change, reward) = match plan {
        Plan::Relever { borrow, swap_in, min_out, reward } => {
            a.core.borrow(borrow)?;
            let bought = a.core.swap(true, swap_in, min_out)?;
            a.core.market.collateral = a.core.market.collateral.checked_add(bought).ok_or_else(math_err)?;
            a.core.pay_quote(&a.keeper_quote, reward)?;
            (true, swap_in, bought, borrow, reward)
        }
        Plan::Delever { swap_in, min_out, reward } => {
            let proceeds = a.core.swap(false, swap_in, min_out)?;
            a.core.market.collateral = a.core.market.collateral.checked_sub(swap_in).ok_or_else(math_err)?;
            let reward = reward.min(proceeds);
            a.core.pay_quote(&a.keeper_quote, reward)?;
            let repay = proceeds - reward;
            // Never sell more than the debt: what is left in the quote vault would not count in NAV.
            require!(repay <= a.core.debt()?, LevError::RebalanceOvershoot);
            a.core.repay(repay)?;
            (false, swap_in, proceeds, repay, reward)
        }
    };

    let lev_after = leverage_up(&a.core.position()?, price);
    require!(moved_toward_target(lev_before, lev_after, params.target_leverage_bps, params.overshoot_tolerance_bps), LevError::RebalanceOvershoot);
    a.core.market.last_rebalance_ts = now;
    program_utils::emit(Rebalanced {
        market: a.core.market.key(),
        keeper: a.keeper.key(),
        trigger: trigger as u8,
        relever,
        swap_in,
        swap_out,
        debt_change,
        reward,
        leverage_before_bps: lev_before.unwrap_or(u64::MAX),
        leverage_after_bps: lev_after.unwrap_or(u64::MAX),
        aim_bps: aim,
        price_wad: price.wad,
    });
    Ok(())
}
