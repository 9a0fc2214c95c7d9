use anchor_lang::prelude::*;

use crate::{Borrower, BorrowerRegistered, LendingError, LendingPool, BORROWER_SEED};

#[derive(Accounts)]
#[instruction(authority: Pubkey)]
pub struct RegisterBorrower<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,

    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,

    #[account(
        init,
        payer = admin,
        space = 8 + Borrower::INIT_SPACE,
        seeds = [BORROWER_SEED, pool.key().as_ref(), authority.as_ref()],
        bump,
    )]
    pub borrower: Box<Account<'info, Borrower>>,

    pub system_program: Program<'info, System>,
}

pub fn handle_register_borrower(ctx: Context<RegisterBorrower>, authority: Pubkey, credit_limit: u64) -> Result<()> {
    let borrower = &mut ctx.accounts.borrower;
    borrower.pool = ctx.accounts.pool.key();
    borrower.authority = authority;
    borrower.credit_limit = credit_limit;
    borrower.scaled_debt = 0;
    borrower.bump = ctx.bumps.borrower;
    program_utils::emit(BorrowerRegistered { pool: borrower.pool, borrower: borrower.key(), authority, credit_limit });
    Ok(())
}
