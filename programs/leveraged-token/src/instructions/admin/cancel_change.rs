use anchor_lang::prelude::*;

use crate::{AdminChange, ChangeCancelled, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct CancelChange<'info> {
    /// The guardian or the admin.
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
        constraint = authority.key() == market.guardian || authority.key() == market.admin @ LevError::NotGuardian,
    )]
    pub market: Box<Account<'info, Market>>,
}

/// Guardian or admin: drop the queued change (before or after its time, as long as nobody has
/// executed it). The guardian cannot cancel its own replacement: a hostile guardian could
/// otherwise block every admin change forever.
pub fn handle_cancel_change(ctx: Context<CancelChange>) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let m = &mut ctx.accounts.market;
    let queued = m.queued.ok_or(LevError::NoChangeQueued)?;
    require!(by == m.admin || !matches!(queued.change, AdminChange::Guardian(_)), LevError::GuardianCannotCancelItsReplacement);
    m.queued = None;
    program_utils::emit(ChangeCancelled { market: m.key(), change: queued.change, by });
    Ok(())
}
