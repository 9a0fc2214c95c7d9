use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lev_math::scaled_for_repay_down;
use program_utils::{all_distinct, token};

use crate::{Borrower, LendingError, LendingPool, Repaid, BORROWER_SEED, POOL_SEED};

#[derive(Accounts)]
pub struct Repay<'info> {
    /// Owner of `source`; anyone may repay a borrower's debt.
    pub payer: Signer<'info>,

    // Writable accounts are `dup` and checked here instead of by Anchor (see `program_utils::distinct`).
    #[account(
        mut, dup,
        constraint = all_distinct(&[pool.key(), borrower.key(), liquidity_vault.key(), source.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount,
        seeds = [POOL_SEED, mint.key().as_ref()], bump = pool.bump, has_one = mint, has_one = liquidity_vault,
    )]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(
        mut, dup,
        seeds = [BORROWER_SEED, pool.key().as_ref(), borrower.authority.as_ref()],
        bump = borrower.bump,
        has_one = pool,
    )]
    pub borrower: Box<Account<'info, Borrower>>,

    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, dup)]
    pub liquidity_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = mint)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program: Interface<'info, TokenInterface>,
}

pub fn handle_repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
    require!(amount > 0, LendingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.accrue(now)?;
    let index = ctx.accounts.pool.borrow_index;
    let owed = ctx.accounts.borrower.debt(index)?;
    require!(owed > 0, LendingError::NothingToRepay);
    let pay = amount.min(owed);
    let removed = if pay == owed {
        ctx.accounts.borrower.scaled_debt
    } else {
        scaled_for_repay_down(pay, index).ok_or(LendingError::MathOverflow)?.min(ctx.accounts.borrower.scaled_debt)
    };

    let a = &ctx.accounts;
    token::transfer(&a.token_program, &a.source, &a.liquidity_vault, &a.mint, &a.payer.to_account_info(), &[], pay)?;

    let borrower = &mut ctx.accounts.borrower;
    borrower.scaled_debt -= removed;
    let debt = borrower.debt(index)?;
    let pool = &mut ctx.accounts.pool;
    pool.cash = pool.cash.checked_add(pay).ok_or(LendingError::MathOverflow)?;
    pool.total_scaled_debt = pool.total_scaled_debt.checked_sub(removed).ok_or(LendingError::MathOverflow)?;
    program_utils::emit(Repaid {
        pool: pool.key(),
        borrower: ctx.accounts.borrower.key(),
        payer: ctx.accounts.payer.key(),
        amount: pay,
        debt,
        cash: pool.cash,
        borrow_index: index,
    });
    Ok(())
}
