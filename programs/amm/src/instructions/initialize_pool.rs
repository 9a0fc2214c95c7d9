use anchor_lang::{prelude::*, solana_program::bpf_loader_upgradeable};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{AmmError, Pool, PoolInitialized, AUTHORITY_SEED, LP_DECIMALS, LP_MINT_SEED, MAX_FEE_BPS, POOL_SEED, VAULT_SEED};

/// Creates the one pool of a pair. Only the deployer (this program's upgrade authority) may, so
/// nobody can take a pair's canonical address first; the mints come in canonical order and carry
/// no Token-2022 extension outside `program_utils::ALLOWED_MINT_EXTENSIONS`.
#[derive(Accounts)]
pub struct InitializePool<'info> {
    /// The deployer; pays for the pool's accounts.
    #[account(mut)]
    pub payer: Signer<'info>,

    /// This program's ProgramData (owned by the upgradeable loader, at its canonical address);
    /// its upgrade authority must be `payer`.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(payer.key()) @ AmmError::NotDeployer,
    )]
    pub program_data: Box<Account<'info, ProgramData>>,

    #[account(
        init,
        payer = payer,
        space = 8 + Pool::INIT_SPACE,
        seeds = [POOL_SEED, mint_a.key().as_ref(), mint_b.key().as_ref()],
        bump,
    )]
    pub pool: Box<Account<'info, Pool>>,

    /// CHECK: PDA that owns the vaults and the LP mint; it holds no data.
    #[account(seeds = [AUTHORITY_SEED, pool.key().as_ref()], bump)]
    pub authority: UncheckedAccount<'info>,

    #[account(mint::token_program = token_program_a)]
    pub mint_a: Box<InterfaceAccount<'info, Mint>>,
    #[account(mint::token_program = token_program_b)]
    pub mint_b: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, pool.key().as_ref(), mint_a.key().as_ref()],
        bump,
        token::mint = mint_a,
        token::authority = authority,
        token::token_program = token_program_a,
    )]
    pub vault_a: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, pool.key().as_ref(), mint_b.key().as_ref()],
        bump,
        token::mint = mint_b,
        token::authority = authority,
        token::token_program = token_program_b,
    )]
    pub vault_b: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(
        init,
        payer = payer,
        seeds = [LP_MINT_SEED, pool.key().as_ref()],
        bump,
        mint::decimals = LP_DECIMALS,
        mint::authority = authority,
        mint::token_program = lp_token_program,
    )]
    pub lp_mint: Box<InterfaceAccount<'info, Mint>>,

    pub token_program_a: Interface<'info, TokenInterface>,
    pub token_program_b: Interface<'info, TokenInterface>,
    pub lp_token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handle_initialize_pool(ctx: Context<InitializePool>, fee_bps: u16) -> Result<()> {
    require!(fee_bps <= MAX_FEE_BPS, AmmError::FeeTooHigh);
    require_keys_neq!(ctx.accounts.mint_a.key(), ctx.accounts.mint_b.key(), AmmError::IdenticalMints);
    // One pool per pair: the pool's seeds take the mints in byte order.
    require!(ctx.accounts.mint_a.key().to_bytes() < ctx.accounts.mint_b.key().to_bytes(), AmmError::MintsNotOrdered);
    for mint in [ctx.accounts.mint_a.to_account_info(), ctx.accounts.mint_b.to_account_info()] {
        if let Some(ext) = program_utils::disallowed_mint_extension(&mint)? {
            msg!("mint {} has the Token-2022 extension {:?}", mint.key, ext);
            return err!(AmmError::MintExtensionNotAllowed);
        }
    }
    let pool = &mut ctx.accounts.pool;
    pool.mint_a = ctx.accounts.mint_a.key();
    pool.mint_b = ctx.accounts.mint_b.key();
    pool.vault_a = ctx.accounts.vault_a.key();
    pool.vault_b = ctx.accounts.vault_b.key();
    pool.lp_mint = ctx.accounts.lp_mint.key();
    pool.reserve_a = 0;
    pool.reserve_b = 0;
    pool.lp_supply = 0;
    pool.fee_bps = fee_bps;
    pool.bump = ctx.bumps.pool;
    pool.authority_bump = ctx.bumps.authority;
    program_utils::emit(PoolInitialized { pool: pool.key(), mint_a: pool.mint_a, mint_b: pool.mint_b, fee_bps });
    Ok(())
}
