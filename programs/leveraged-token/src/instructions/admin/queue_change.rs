use anchor_lang::prelude::*;
use lending_pool::LendingPool;

use crate::{AdminChange, ChangeQueued, LevError, Market, QueuedChange, MARKET_SEED};

#[derive(Accounts)]
pub struct QueueChange<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump, has_one = admin @ LevError::NotAdmin)]
    pub market: Box<Account<'info, Market>>,
    /// For the emergency threshold's bound when the change is new parameters.
    #[account(address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
}

/// Queue `change`; anyone may execute it once `timelock_secs` have passed, the admin or the
/// guardian may cancel it before. One change waits at a time. The change is validated now (so a
/// bad one fails at once) and again when it is executed.
pub fn handle_queue_change(mut ctx: Context<QueueChange>, change: AdminChange) -> Result<()> {
    let a = &mut ctx.accounts;
    require!(a.market.queued.is_none(), LevError::ChangeAlreadyQueued);
    change.validate(&a.lending_pool)?;
    let now = Clock::get()?.unix_timestamp;
    let eta = now.checked_add(a.market.timelock_secs).ok_or_else(crate::math_err)?;
    a.market.queued = Some(QueuedChange { change, queued_at: now, eta });
    program_utils::emit(ChangeQueued { market: a.market.key(), change, eta });
    Ok(())
}
