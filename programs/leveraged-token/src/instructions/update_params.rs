use anchor_lang::prelude::*;
use lending_pool::LendingPool;

use crate::{LevError, Market, MarketParams, ParamsUpdated, MARKET_SEED};

#[derive(Accounts)]
pub struct UpdateParams<'info> {
    pub admin: Signer<'info>,
    #[account(
        mut,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
        has_one = admin @ LevError::NotAdmin,
    )]
    pub market: Box<Account<'info, Market>>,
    /// For the emergency threshold's bound.
    #[account(address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
}

/// Replace the parameters; every one is checked against its hard bound.
pub fn handle_update_params(ctx: Context<UpdateParams>, params: MarketParams) -> Result<()> {
    params.validate(ctx.accounts.lending_pool.config.liquidation_leverage_bps)?;
    ctx.accounts.market.params = params;
    program_utils::emit(ParamsUpdated { market: ctx.accounts.market.key(), params });
    Ok(())
}
