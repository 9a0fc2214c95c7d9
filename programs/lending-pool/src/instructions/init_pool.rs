use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{LendingPool, PoolConfig, PoolInitialized, LIQUIDITY_SEED, POOL_SEED, SHARE_MINT_SEED};

#[derive(Accounts)]
pub struct InitPool<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,

    #[account(init, payer = admin, space = 8 + LendingPool::INIT_SPACE, seeds = [POOL_SEED, mint.key().as_ref()], bump)]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        init,
        payer = admin,
        seeds = [LIQUIDITY_SEED, pool.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = pool,
        token::token_program = token_program,
    )]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(
        init,
        payer = admin,
        seeds = [SHARE_MINT_SEED, pool.key().as_ref()],
        bump,
        mint::decimals = mint.decimals,
        mint::authority = pool,
        mint::token_program = token_program,
    )]
    pub share_mint: Box<InterfaceAccount<'info, Mint>>,

    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handle_init_pool(ctx: Context<InitPool>, config: PoolConfig, borrower_program: Pubkey, timelock_secs: i64) -> Result<()> {
    config.validate()?;
    crate::validate_timelock(timelock_secs)?;
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    pool.admin = ctx.accounts.admin.key();
    pool.mint = ctx.accounts.mint.key();
    pool.liquidity_vault = ctx.accounts.liquidity_vault.key();
    pool.share_mint = ctx.accounts.share_mint.key();
    pool.config = config;
    pool.borrower_program = borrower_program;
    pool.timelock_secs = timelock_secs;
    pool.queued_config = None;
    pool.cash = 0;
    pool.total_shares = 0;
    pool.total_scaled_debt = 0;
    pool.bump = ctx.bumps.pool;
    pool.initialize_index(now);
    program_utils::emit(PoolInitialized { pool: pool.key(), mint: pool.mint, admin: pool.admin });
    config.emit_set(pool.key());
    Ok(())
}
