use anchor_lang::prelude::*;

use crate::{AdminProposed, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump, has_one = admin @ LevError::NotAdmin)]
    pub market: Box<Account<'info, Market>>,
}

/// Step one of an admin handover: name the successor (the default key cancels).
pub fn handle_propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    ctx.accounts.market.pending_admin = new_admin;
    program_utils::emit(AdminProposed { market: ctx.accounts.market.key(), pending_admin: new_admin });
    Ok(())
}
