use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::swap_out_down;
use program_utils::{all_distinct, token};

use crate::{AmmError, Pool, Swapped, AUTHORITY_SEED};

/// Exact-in swap. The account list is venue-neutral (pool, its signer, the trader's source and
/// destination, the pool's two vaults, both mints, both token programs) so another allowlisted
/// venue with the same shape can replace this one behind the leveraged-token vault.
#[derive(Accounts)]
pub struct Swap<'info> {
    /// Owner (or delegate) of `user_source`; a PDA when the vault swaps by CPI.
    pub user: Signer<'info>,

    // Writable accounts are `dup` and checked here instead of by Anchor (see `program_utils::distinct`).
    #[account(
        mut, dup,
        constraint = all_distinct(&[pool.key(), user_source.key(), user_destination.key(), input_vault.key(), output_vault.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount,
    )]
    pub pool: Box<Account<'info, Pool>>,

    /// CHECK: the pool's PDA signer, verified by seeds.
    #[account(seeds = [AUTHORITY_SEED, pool.key().as_ref()], bump = pool.authority_bump)]
    pub authority: UncheckedAccount<'info>,

    #[account(mut, dup, token::mint = input_mint, token::token_program = input_token_program)]
    pub user_source: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = output_mint, token::token_program = output_token_program)]
    pub user_destination: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mut, dup, token::mint = input_mint)]
    pub input_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = output_mint)]
    pub output_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mint::token_program = input_token_program)]
    pub input_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mint::token_program = output_token_program)]
    pub output_mint: Box<InterfaceAccount<'info, Mint>>,

    pub input_token_program: Interface<'info, TokenInterface>,
    pub output_token_program: Interface<'info, TokenInterface>,
}

pub fn handle_swap(ctx: Context<Swap>, amount_in: u64, min_out: u64) -> Result<()> {
    require!(amount_in > 0, AmmError::ZeroAmount);
    let a = &ctx.accounts;
    let pool = &a.pool;
    let a_to_b = if a.input_vault.key() == pool.vault_a && a.output_vault.key() == pool.vault_b {
        true
    } else if a.input_vault.key() == pool.vault_b && a.output_vault.key() == pool.vault_a {
        false
    } else {
        return err!(AmmError::InvalidVault);
    };
    let (reserve_in, reserve_out) = if a_to_b { (pool.reserve_a, pool.reserve_b) } else { (pool.reserve_b, pool.reserve_a) };
    require!(reserve_in > 0 && reserve_out > 0, AmmError::EmptyPool);
    let amount_out = swap_out_down(amount_in, reserve_in, reserve_out, pool.fee_bps as u64).ok_or(AmmError::MathOverflow)?;
    require!(amount_out > 0 && amount_out >= min_out, AmmError::SlippageExceeded);
    require!(amount_out < reserve_out, AmmError::EmptyPool);

    token::transfer(&a.input_token_program, &a.user_source, &a.input_vault, &a.input_mint, &a.user.to_account_info(), &[], amount_in)?;
    let pool_key = pool.key();
    let bump = [pool.authority_bump];
    let seeds = Pool::authority_seeds(&pool_key, &bump);
    token::transfer(&a.output_token_program, &a.output_vault, &a.user_destination, &a.output_mint, &a.authority.to_account_info(), &[&seeds], amount_out)?;

    let pool = &mut ctx.accounts.pool;
    let new_in = reserve_in.checked_add(amount_in).ok_or(AmmError::MathOverflow)?;
    let new_out = reserve_out - amount_out;
    if a_to_b {
        pool.reserve_a = new_in;
        pool.reserve_b = new_out;
    } else {
        pool.reserve_b = new_in;
        pool.reserve_a = new_out;
    }
    program_utils::emit(Swapped {
        pool: pool.key(),
        trader: ctx.accounts.user.key(),
        a_to_b,
        amount_in,
        amount_out,
        reserve_a: pool.reserve_a,
        reserve_b: pool.reserve_b,
    });
    Ok(())
}
