use anchor_lang::prelude::*;

use crate::{ConfigCancelled, LendingError, LendingPool};

#[derive(Accounts)]
pub struct CancelConfig<'info> {
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,
}

/// Admin: drop the queued config change.
pub fn handle_cancel_config(ctx: Context<CancelConfig>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    let queued = pool.queued_config.take().ok_or(LendingError::NoConfigQueued)?;
    program_utils::emit(ConfigCancelled { pool: pool.key(), config: queued.config });
    Ok(())
}
