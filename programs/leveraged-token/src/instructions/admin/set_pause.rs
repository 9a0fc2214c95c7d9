use anchor_lang::prelude::*;

use crate::{LevError, Market, PauseSet, MARKET_SEED};

#[derive(Accounts)]
pub struct SetPause<'info> {
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

/// Pause or resume minting. Redemptions and rebalances are never paused.
pub fn handle_set_pause(ctx: Context<SetPause>, mint_paused: bool) -> Result<()> {
    ctx.accounts.market.mint_paused = mint_paused;
    program_utils::emit(PauseSet { market: ctx.accounts.market.key(), by: ctx.accounts.authority.key(), mint_paused });
    Ok(())
}
