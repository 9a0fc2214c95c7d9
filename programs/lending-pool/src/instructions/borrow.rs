use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::scaled_for_borrow_up;
use program_utils::{all_distinct, token};

use crate::{Borrowed, Borrower, LendingError, LendingPool, BORROWER_SEED, POOL_SEED};

#[derive(Accounts)]
pub struct Borrow<'info> {
    /// The registered borrower authority (a PDA signing through `invoke_signed`).
    pub authority: Signer<'info>,

    // Writable accounts are `dup` and checked here instead of by Anchor (see `program_utils::distinct`).
    #[account(
        mut, dup,
        constraint = all_distinct(&[pool.key(), borrower.key(), liquidity_vault.key(), destination.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount,
        seeds = [POOL_SEED, mint.key().as_ref()], bump = pool.bump, has_one = mint, has_one = liquidity_vault,
    )]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(
        mut, dup,
        seeds = [BORROWER_SEED, pool.key().as_ref(), authority.key().as_ref()],
        bump = borrower.bump,
        has_one = pool,
        has_one = authority @ LendingError::NotBorrower,
    )]
    pub borrower: Box<Account<'info, Borrower>>,

    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, dup)]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = mint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program: Interface<'info, TokenInterface>,
}

pub fn handle_borrow(ctx: Context<Borrow>, amount: u64) -> Result<()> {
    require!(amount > 0, LendingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.accrue(now)?;
    let index = ctx.accounts.pool.borrow_index;
    require!(amount <= ctx.accounts.pool.cash, LendingError::InsufficientLiquidity);
    let added = scaled_for_borrow_up(amount, index).ok_or(LendingError::MathOverflow)?;
    let borrower = &mut ctx.accounts.borrower;
    borrower.scaled_debt = borrower.scaled_debt.checked_add(added).ok_or(LendingError::MathOverflow)?;
    let debt = borrower.debt(index)?;
    require!(debt <= borrower.effective_limit(now), LendingError::CreditLimitExceeded);

    let a = &ctx.accounts;
    let mint_key = a.mint.key();
    let bump = [a.pool.bump];
    let seeds = LendingPool::signer_seeds(&mint_key, &bump);
    token::transfer(&a.token_program, &a.liquidity_vault, &a.destination, &a.mint, &a.pool.to_account_info(), &[&seeds], amount)?;

    let pool = &mut ctx.accounts.pool;
    pool.cash -= amount;
    pool.total_scaled_debt = pool.total_scaled_debt.checked_add(added).ok_or(LendingError::MathOverflow)?;
    program_utils::emit(Borrowed { pool: pool.key(), borrower: ctx.accounts.borrower.key(), amount, debt, cash: pool.cash, borrow_index: index });
    Ok(())
}
