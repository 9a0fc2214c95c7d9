use anchor_lang::prelude::*;

use crate::{LendingError, LendingPool};

#[derive(Accounts)]
pub struct ExecuteConfig<'info> {
    #[account(mut)]
    pub pool: Box<Account<'info, LendingPool>>,
}

/// Anyone: apply the queued config once its timelock has elapsed. Interest up to now is owed at
/// the old rate.
pub fn handle_execute_config(ctx: Context<ExecuteConfig>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    let queued = pool.queued_config.ok_or(LendingError::NoConfigQueued)?;
    let now = Clock::get()?.unix_timestamp;
    require!(now >= queued.eta, LendingError::TimelockNotElapsed);
    queued.config.validate()?;
    pool.accrue(now)?;
    pool.config = queued.config;
    pool.queued_config = None;
    queued.config.emit_set(pool.key());
    Ok(())
}
