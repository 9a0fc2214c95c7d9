use anchor_lang::prelude::*;

use crate::{GuardianSet, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct SetGuardian<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump, has_one = admin @ LevError::NotAdmin)]
    pub market: Box<Account<'info, Market>>,
}

/// Name the key that may pause minting.
pub fn handle_set_guardian(ctx: Context<SetGuardian>, guardian: Pubkey) -> Result<()> {
    ctx.accounts.market.guardian = guardian;
    program_utils::emit(GuardianSet { market: ctx.accounts.market.key(), guardian });
    Ok(())
}
