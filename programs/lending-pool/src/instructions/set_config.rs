use anchor_lang::prelude::*;

use crate::{ConfigSet, LendingError, LendingPool, PoolConfig};

#[derive(Accounts)]
pub struct SetConfig<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,
}

pub fn handle_set_config(ctx: Context<SetConfig>, config: PoolConfig) -> Result<()> {
    config.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    // Interest up to now is owed at the old rate.
    pool.accrue(now)?;
    pool.config = config;
    program_utils::emit(ConfigSet {
        pool: pool.key(),
        base_rate_bps: config.base_rate_bps,
        slope1_bps: config.slope1_bps,
        slope2_bps: config.slope2_bps,
        optimal_utilization_bps: config.optimal_utilization_bps,
        liquidation_leverage_bps: config.liquidation_leverage_bps,
    });
    Ok(())
}
