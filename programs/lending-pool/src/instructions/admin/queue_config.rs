use anchor_lang::prelude::*;

use crate::{LendingError, LendingPool, PoolConfig};

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
    config.emit_set(pool.key());
    Ok(())
}
