use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::assets_for_shares_down;
use program_utils::token;

use crate::{LendingError, LendingPool, Withdrawn, POOL_SEED};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub lender: Signer<'info>,

    #[account(
        mut,
        seeds = [POOL_SEED, mint.key().as_ref()],
        bump = pool.bump,
        has_one = mint,
        has_one = liquidity_vault,
        has_one = share_mint,
    )]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub share_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut)]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mut, token::mint = mint)]
    pub lender_token: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = share_mint, token::authority = lender)]
    pub lender_shares: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program: Interface<'info, TokenInterface>,
}

pub fn handle_withdraw(ctx: Context<Withdraw>, shares: u64, min_amount: u64) -> Result<()> {
    require!(shares > 0, LendingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.accrue(now)?;
    let pool = &ctx.accounts.pool;
    let amount = assets_for_shares_down(shares as u128, pool.total_assets()?, pool.total_shares as u128).ok_or(LendingError::MathOverflow)?;
    require!(amount > 0, LendingError::ZeroAmount);
    require!(amount >= min_amount, LendingError::AmountBelowMinimum);
    require!(amount <= pool.cash, LendingError::InsufficientLiquidity);

    let a = &ctx.accounts;
    token::burn(&a.token_program, &a.share_mint, &a.lender_shares, &a.lender.to_account_info(), shares)?;
    let mint_key = a.mint.key();
    let bump = [a.pool.bump];
    let seeds = LendingPool::signer_seeds(&mint_key, &bump);
    token::transfer(&a.token_program, &a.liquidity_vault, &a.lender_token, &a.mint, &a.pool.to_account_info(), &[&seeds], amount)?;

    let pool = &mut ctx.accounts.pool;
    pool.cash -= amount;
    pool.total_shares = pool.total_shares.checked_sub(shares).ok_or(LendingError::MathOverflow)?;
    program_utils::emit(Withdrawn { pool: pool.key(), lender: ctx.accounts.lender.key(), amount, shares, cash: pool.cash, total_shares: pool.total_shares });
    Ok(())
}
