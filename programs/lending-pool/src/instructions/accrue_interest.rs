use anchor_lang::prelude::*;

use crate::{InterestAccrued, LendingPool, POOL_SEED};

#[derive(Accounts)]
pub struct AccrueInterest<'info> {
    // The only writable account: nothing to be a duplicate of (`dup` skips Anchor's HashSet check).
    #[account(mut, dup, seeds = [POOL_SEED, pool.mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
}

pub fn handle_accrue_interest(ctx: Context<AccrueInterest>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    let rate = pool.accrue(now)?;
    program_utils::emit(InterestAccrued {
        pool: pool.key(),
        borrow_index: pool.borrow_index,
        borrow_rate_bps: rate,
        total_debt: pool.total_debt()?,
        timestamp: now,
    });
    Ok(())
}
