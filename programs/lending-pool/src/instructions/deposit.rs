use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::shares_for_assets_down;
use program_utils::token;

use crate::{Deposited, LendingError, LendingPool, POOL_SEED};

#[derive(Accounts)]
pub struct Deposit<'info> {
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

    #[account(mut, token::mint = mint, token::authority = lender)]
    pub lender_token: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = share_mint)]
    pub lender_shares: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program: Interface<'info, TokenInterface>,
}

pub fn handle_deposit(ctx: Context<Deposit>, amount: u64, min_shares: u64) -> Result<()> {
    require!(amount > 0, LendingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.accrue(now)?;
    let pool = &ctx.accounts.pool;
    let shares = shares_for_assets_down(amount as u128, pool.total_assets()?, pool.total_shares as u128).ok_or(LendingError::MathOverflow)?;
    require!(shares > 0, LendingError::DepositTooSmall);
    require!(shares >= min_shares, LendingError::SharesBelowMinimum);

    let a = &ctx.accounts;
    token::transfer(&a.token_program, &a.lender_token, &a.liquidity_vault, &a.mint, &a.lender.to_account_info(), &[], amount)?;
    let mint_key = a.mint.key();
    let bump = [a.pool.bump];
    let seeds = LendingPool::signer_seeds(&mint_key, &bump);
    token::mint_to(&a.token_program, &a.share_mint, &a.lender_shares, &a.pool.to_account_info(), &[&seeds], shares)?;

    let pool = &mut ctx.accounts.pool;
    pool.cash = pool.cash.checked_add(amount).ok_or(LendingError::MathOverflow)?;
    pool.total_shares = pool.total_shares.checked_add(shares).ok_or(LendingError::MathOverflow)?;
    program_utils::emit(Deposited { pool: pool.key(), lender: ctx.accounts.lender.key(), amount, shares, cash: pool.cash, total_shares: pool.total_shares });
    Ok(())
}
