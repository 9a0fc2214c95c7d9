use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::withdraw_amounts_down;
use program_utils::token;

use crate::{AmmError, LiquidityRemoved, Pool, AUTHORITY_SEED};

#[derive(Accounts)]
pub struct RemoveLiquidity<'info> {
    pub owner: Signer<'info>,

    #[account(mut, has_one = mint_a, has_one = mint_b, has_one = vault_a, has_one = vault_b, has_one = lp_mint)]
    pub pool: Box<Account<'info, Pool>>,

    /// CHECK: the pool's PDA signer, verified by seeds.
    #[account(seeds = [AUTHORITY_SEED, pool.key().as_ref()], bump = pool.authority_bump)]
    pub authority: UncheckedAccount<'info>,

    #[account(mint::token_program = token_program_a)]
    pub mint_a: Box<InterfaceAccount<'info, Mint>>,
    #[account(mint::token_program = token_program_b)]
    pub mint_b: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub vault_a: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub vault_b: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, mint::token_program = lp_token_program)]
    pub lp_mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(mut, token::mint = mint_a)]
    pub owner_a: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = mint_b)]
    pub owner_b: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = lp_mint, token::authority = owner)]
    pub owner_lp: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program_a: Interface<'info, TokenInterface>,
    pub token_program_b: Interface<'info, TokenInterface>,
    pub lp_token_program: Interface<'info, TokenInterface>,
}

pub fn handle_remove_liquidity(ctx: Context<RemoveLiquidity>, lp_amount: u64, min_a: u64, min_b: u64) -> Result<()> {
    require!(lp_amount > 0, AmmError::ZeroAmount);
    let pool = &ctx.accounts.pool;
    require!(pool.lp_supply > 0, AmmError::EmptyPool);
    let (amount_a, amount_b) = withdraw_amounts_down(lp_amount, pool.reserve_a, pool.reserve_b, pool.lp_supply).ok_or(AmmError::MathOverflow)?;
    require!(amount_a >= min_a && amount_b >= min_b, AmmError::WithdrawBelowMinimum);
    require!(amount_a > 0 || amount_b > 0, AmmError::ZeroAmount);

    let a = &ctx.accounts;
    token::burn(&a.lp_token_program, &a.lp_mint, &a.owner_lp, &a.owner.to_account_info(), lp_amount)?;
    let pool_key = a.pool.key();
    let bump = [a.pool.authority_bump];
    let seeds = Pool::authority_seeds(&pool_key, &bump);
    let authority = a.authority.to_account_info();
    token::transfer(&a.token_program_a, &a.vault_a, &a.owner_a, &a.mint_a, &authority, &[&seeds], amount_a)?;
    token::transfer(&a.token_program_b, &a.vault_b, &a.owner_b, &a.mint_b, &authority, &[&seeds], amount_b)?;

    let pool = &mut ctx.accounts.pool;
    pool.reserve_a -= amount_a;
    pool.reserve_b -= amount_b;
    pool.lp_supply -= lp_amount;
    program_utils::emit(LiquidityRemoved {
        pool: pool.key(),
        owner: ctx.accounts.owner.key(),
        amount_a,
        amount_b,
        lp_burned: lp_amount,
        reserve_a: pool.reserve_a,
        reserve_b: pool.reserve_b,
    });
    Ok(())
}
