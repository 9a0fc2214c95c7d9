use anchor_lang::prelude::*;

use crate::{Borrower, CreditLimitSet, LendingError, LendingPool, BORROWER_SEED};

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

pub fn handle_set_credit_limit(ctx: Context<SetCreditLimit>, credit_limit: u64) -> Result<()> {
    ctx.accounts.borrower.credit_limit = credit_limit;
    program_utils::emit(CreditLimitSet { pool: ctx.accounts.pool.key(), borrower: ctx.accounts.borrower.key(), credit_limit });
    Ok(())
}
