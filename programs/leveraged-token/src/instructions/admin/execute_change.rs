use anchor_lang::prelude::*;
use lending_pool::LendingPool;

use crate::{AdminChange, ChangeExecuted, GuardianSet, LevError, Market, OracleSet, ParamsUpdated, SwapVenuesSet, TimelockSet, TreasurySet, MARKET_SEED};

#[derive(Accounts)]
pub struct ExecuteChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
}

/// Anyone: apply the queued change once its time has come (validated again against today's
/// lending pool).
pub fn handle_execute_change(mut ctx: Context<ExecuteChange>) -> Result<()> {
    let a = &mut ctx.accounts;
    let queued = a.market.queued.ok_or(LevError::NoChangeQueued)?;
    let now = Clock::get()?.unix_timestamp;
    require!(now >= queued.eta, LevError::TimelockNotElapsed);
    let change = queued.change;
    change.validate(a.lending_pool.config.liquidation_leverage_bps)?;
    let market_key = a.market.key();
    let m = &mut a.market;
    m.queued = None;
    match change {
        AdminChange::Params(params) => {
            m.params = params;
            program_utils::emit(ParamsUpdated { market: market_key, params });
        }
        AdminChange::SwapVenues { programs, pools } => {
            m.swap_programs = programs;
            m.swap_pools = pools;
            program_utils::emit(SwapVenuesSet { market: market_key, programs, pools });
        }
        AdminChange::Oracle { feed_id, oracle } => {
            m.feed_id = feed_id;
            m.oracle = oracle;
            program_utils::emit(OracleSet { market: market_key, feed_id, oracle });
        }
        AdminChange::Treasury(treasury) => {
            m.treasury = treasury;
            program_utils::emit(TreasurySet { market: market_key, treasury });
        }
        AdminChange::Guardian(guardian) => {
            m.guardian = guardian;
            program_utils::emit(GuardianSet { market: market_key, guardian });
        }
        AdminChange::Timelock(secs) => {
            m.timelock_secs = secs;
            program_utils::emit(TimelockSet { market: market_key, timelock_secs: secs });
        }
    }
    program_utils::emit(ChangeExecuted { market: market_key, change, by: a.executor.key() });
    Ok(())
}
