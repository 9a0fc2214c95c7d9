use anchor_lang::prelude::*;

use crate::{AdminAccepted, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
        constraint = market.pending_admin == new_admin.key() && market.pending_admin != Pubkey::default() @ LevError::NotPendingAdmin,
    )]
    pub market: Box<Account<'info, Market>>,
}

/// Step two: the proposed admin takes control.
pub fn handle_accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let market = &mut ctx.accounts.market;
    market.admin = market.pending_admin;
    market.pending_admin = Pubkey::default();
    program_utils::emit(AdminAccepted { market: market.key(), admin: market.admin });
    Ok(())
}
