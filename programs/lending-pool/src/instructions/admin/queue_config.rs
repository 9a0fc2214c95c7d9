use anchor_lang::prelude::*;

use crate::{ConfigQueued, LendingError, LendingPool, PoolConfig, QueuedConfig};

#[derive(Accounts)]
pub struct QueueConfig<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,
}

/// Admin: queue a new interest-rate model / liquidation point (validated now and again at
/// execution); it takes effect when executed after the pool's timelock.
pub fn handle_queue_config(ctx: Context<QueueConfig>, config: PoolConfig) -> Result<()> {
    config.validate()?;
    let pool = &mut ctx.accounts.pool;
    require!(pool.queued_config.is_none(), LendingError::ConfigAlreadyQueued);
    let now = Clock::get()?.unix_timestamp;
    let eta = now.checked_add(pool.timelock_secs).ok_or(LendingError::MathOverflow)?;
    pool.queued_config = Some(QueuedConfig { config, eta });
    program_utils::emit(ConfigQueued { pool: pool.key(), config, eta });
    Ok(())
}
