use anchor_lang::prelude::*;

use crate::{Borrower, CreditLimitSet, LendingError, LendingPool, BORROWER_SEED, MAX_CREDIT_LIMIT};

#[derive(Accounts)]
pub struct SetCreditLimit<'info> {
    pub admin: Signer<'info>,

    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(
        mut,
        seeds = [BORROWER_SEED, pool.key().as_ref(), borrower.authority.as_ref()],
        bump = borrower.bump,
        has_one = pool,
    )]
    pub borrower: Box<Account<'info, Borrower>>,
}

/// Admin: a lower limit takes effect at once (and cancels a pending raise); a higher one after
/// the pool's timelock. Existing debt is never called in by this.
pub fn handle_set_credit_limit(ctx: Context<SetCreditLimit>, credit_limit: u64) -> Result<()> {
    require!(credit_limit <= MAX_CREDIT_LIMIT, LendingError::CreditLimitTooHigh);
    let now = Clock::get()?.unix_timestamp;
    let timelock = ctx.accounts.pool.timelock_secs;
    let b = &mut ctx.accounts.borrower;
    let current = b.effective_limit(now);
    let effective_ts = if credit_limit <= current {
        b.credit_limit = credit_limit;
        b.pending_limit = 0;
        b.limit_eta = 0;
        now
    } else {
        let eta = now.checked_add(timelock).ok_or(LendingError::MathOverflow)?;
        b.pending_limit = credit_limit;
        b.limit_eta = eta;
        eta
    };
    program_utils::emit(CreditLimitSet { pool: ctx.accounts.pool.key(), borrower: ctx.accounts.borrower.key(), credit_limit, effective_ts });
    Ok(())
}
