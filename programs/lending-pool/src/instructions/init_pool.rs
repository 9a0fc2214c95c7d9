use anchor_lang::{prelude::*, solana_program::bpf_loader_upgradeable};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{LendingError, LendingPool, PoolConfig, PoolInitialized, LIQUIDITY_SEED, POOL_SEED, SHARE_MINT_SEED};

/// Creates the one pool of a mint. Only the deployer (this program's upgrade authority) may, so
/// nobody can take a mint's canonical pool first; the mint carries no Token-2022 extension outside
/// `program_utils::ALLOWED_MINT_EXTENSIONS`.
#[derive(Accounts)]
pub struct InitPool<'info> {
    /// The deployer; becomes the pool's admin and pays for its accounts.
    #[account(mut)]
    pub admin: Signer<'info>,

    /// This program's ProgramData (owned by the upgradeable loader, at its canonical address);
    /// its upgrade authority must be `admin`.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ LendingError::NotDeployer,
    )]
    pub program_data: Box<Account<'info, ProgramData>>,

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
    let mint = ctx.accounts.mint.to_account_info();
    if let Some(ext) = program_utils::disallowed_mint_extension(&mint)? {
        msg!("mint {} has the Token-2022 extension {:?}", mint.key, ext);
        return err!(LendingError::MintExtensionNotAllowed);
    }
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
