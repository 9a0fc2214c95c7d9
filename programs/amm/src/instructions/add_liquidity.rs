use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::{initial_lp_down, proportional_deposit, MINIMUM_LIQUIDITY};
use program_utils::token;

use crate::{AmmError, LiquidityAdded, Pool, AUTHORITY_SEED};

#[derive(Accounts)]
pub struct AddLiquidity<'info> {
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

    #[account(mut, token::mint = mint_a, token::authority = owner)]
    pub owner_a: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = mint_b, token::authority = owner)]
    pub owner_b: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = lp_mint)]
    pub owner_lp: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program_a: Interface<'info, TokenInterface>,
    pub token_program_b: Interface<'info, TokenInterface>,
    pub lp_token_program: Interface<'info, TokenInterface>,
}

pub fn handle_add_liquidity(ctx: Context<AddLiquidity>, max_a: u64, max_b: u64, min_lp: u64) -> Result<()> {
    require!(max_a > 0 && max_b > 0, AmmError::ZeroAmount);
    let pool = &ctx.accounts.pool;
    let (lp, amount_a, amount_b, locked) = if pool.lp_supply == 0 {
        let lp = initial_lp_down(max_a, max_b).ok_or(AmmError::DepositTooSmall)?;
        (lp, max_a, max_b, MINIMUM_LIQUIDITY)
    } else {
        let (lp, a, b) = proportional_deposit(max_a, max_b, pool.reserve_a, pool.reserve_b, pool.lp_supply).ok_or(AmmError::DepositTooSmall)?;
        (lp, a, b, 0)
    };
    require!(lp >= min_lp, AmmError::LpBelowMinimum);

    let a = &ctx.accounts;
    let owner = a.owner.to_account_info();
    token::transfer(&a.token_program_a, &a.owner_a, &a.vault_a, &a.mint_a, &owner, &[], amount_a)?;
    token::transfer(&a.token_program_b, &a.owner_b, &a.vault_b, &a.mint_b, &owner, &[], amount_b)?;
    let pool_key = a.pool.key();
    let bump = [a.pool.authority_bump];
    let seeds = Pool::authority_seeds(&pool_key, &bump);
    token::mint_to(&a.lp_token_program, &a.lp_mint, &a.owner_lp, &a.authority.to_account_info(), &[&seeds], lp)?;

    let pool = &mut ctx.accounts.pool;
    pool.reserve_a = pool.reserve_a.checked_add(amount_a).ok_or(AmmError::MathOverflow)?;
    pool.reserve_b = pool.reserve_b.checked_add(amount_b).ok_or(AmmError::MathOverflow)?;
    pool.lp_supply = pool.lp_supply.checked_add(lp).and_then(|s| s.checked_add(locked)).ok_or(AmmError::MathOverflow)?;
    program_utils::emit(LiquidityAdded {
        pool: pool.key(),
        owner: ctx.accounts.owner.key(),
        amount_a,
        amount_b,
        lp_minted: lp,
        reserve_a: pool.reserve_a,
        reserve_b: pool.reserve_b,
    });
    Ok(())
}
