use anchor_lang::{error::ErrorCode, prelude::*};
use program_utils::all_distinct;

use crate::{BadDebtWrittenOff, Borrower, LendingError, LendingPool, BORROWER_SEED};

#[derive(Accounts)]
pub struct WriteOff<'info> {
    /// The registered borrower authority (the market PDA), and only it: a borrower whose
    /// collateral is gone declares the rest of its debt lost.
    pub authority: Signer<'info>,

    // Writable accounts are `dup` and checked here instead of by Anchor (see `program_utils::distinct`).
    #[account(mut, dup, constraint = all_distinct(&[pool.key(), borrower.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount)]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(
        mut, dup,
        seeds = [BORROWER_SEED, pool.key().as_ref(), authority.key().as_ref()],
        bump = borrower.bump,
        has_one = pool,
        has_one = authority @ LendingError::NotBorrower,
    )]
    pub borrower: Box<Account<'info, Borrower>>,
}

/// Borrower: write off `amount` of its debt (at most all of it). The pool's assets (cash + debt)
/// drop by that amount at once, so every lender's shares lose the same fraction: the first lender
/// out and the last are paid the same value per share. Nothing accrues on written-off debt. A
/// borrower that writes off any debt can borrow no more: its line is closed.
pub fn handle_write_off(ctx: Context<WriteOff>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.accrue(now)?;
    let index = ctx.accounts.pool.borrow_index;
    let owed = ctx.accounts.borrower.debt(index)?;
    let amount = amount.min(owed);
    let b = &mut ctx.accounts.borrower;
    // Rounded down: never more debt leaves the books than `amount`.
    let scaled =
        if amount == owed { b.scaled_debt } else { lev_math::scaled_for_repay_down(amount, index).ok_or(LendingError::MathOverflow)?.min(b.scaled_debt) };
    b.scaled_debt -= scaled;
    b.credit_limit = 0;
    b.pending_limit = 0;
    b.limit_eta = 0;
    let pool = &mut ctx.accounts.pool;
    pool.total_scaled_debt = pool.total_scaled_debt.checked_sub(scaled).ok_or(LendingError::MathOverflow)?;
    let total_assets = pool.total_assets()?;
    program_utils::emit(BadDebtWrittenOff {
        pool: pool.key(),
        borrower: ctx.accounts.borrower.key(),
        amount,
        total_assets: u64::try_from(total_assets).unwrap_or(u64::MAX),
        total_shares: pool.total_shares,
    });
    Ok(())
}
