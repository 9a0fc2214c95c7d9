use anchor_lang::prelude::*;

use crate::{LevError, Market, SwapVenuesSet, MARKET_SEED, MAX_SWAP_PROGRAMS};

#[derive(Accounts)]
pub struct SetSwapVenues<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump, has_one = admin @ LevError::NotAdmin)]
    pub market: Box<Account<'info, Market>>,
}

/// Replace the allowlisted venues (program + pool pairs; at least one).
pub fn handle_set_swap_venues(ctx: Context<SetSwapVenues>, programs: [Pubkey; MAX_SWAP_PROGRAMS], pools: [Pubkey; MAX_SWAP_PROGRAMS]) -> Result<()> {
    crate::validate_venues(&programs, &pools)?;
    let market = &mut ctx.accounts.market;
    market.swap_programs = programs;
    market.swap_pools = pools;
    program_utils::emit(SwapVenuesSet { market: market.key(), programs, pools });
    Ok(())
}
