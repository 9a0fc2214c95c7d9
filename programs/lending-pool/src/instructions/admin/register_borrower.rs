use anchor_lang::prelude::*;

use crate::{Borrower, BorrowerRegistered, LendingError, LendingPool, BORROWER_SEED, MARKET_DISCRIMINATOR, MARKET_SEED, MAX_CREDIT_LIMIT};

#[derive(Accounts)]
#[instruction(authority: Pubkey)]
pub struct RegisterBorrower<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,

    #[account(has_one = admin @ LendingError::Unauthorized)]
    pub pool: Box<Account<'info, LendingPool>>,

    /// CHECK: the borrowing market itself: owned by the pool's borrower program, carrying the
    /// `Market` discriminator, at the PDA its own market id derives (checked in the handler).
    #[account(address = authority @ LendingError::NotAMarket)]
    pub market: UncheckedAccount<'info>,

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

/// Admin: open a credit line for a leveraged-token market (and nobody else: not the admin, not
/// another program's account). The line takes effect after the pool's timelock, so lenders who do
/// not agree can leave first.
pub fn handle_register_borrower(ctx: Context<RegisterBorrower>, authority: Pubkey, credit_limit: u64) -> Result<()> {
    require!(credit_limit <= MAX_CREDIT_LIMIT, LendingError::CreditLimitTooHigh);
    require_market(&ctx.accounts.market, &ctx.accounts.pool.borrower_program)?;
    let now = Clock::get()?.unix_timestamp;
    let effective_ts = now.checked_add(ctx.accounts.pool.timelock_secs).ok_or(LendingError::MathOverflow)?;
    let borrower = &mut ctx.accounts.borrower;
    borrower.pool = ctx.accounts.pool.key();
    borrower.authority = authority;
    borrower.credit_limit = 0;
    borrower.pending_limit = credit_limit;
    borrower.limit_eta = effective_ts;
    borrower.scaled_debt = 0;
    borrower.bump = ctx.bumps.borrower;
    program_utils::emit(BorrowerRegistered { pool: borrower.pool, borrower: borrower.key(), authority, credit_limit, effective_ts });
    Ok(())
}

/// `market` is a `Market` of `program` at its canonical PDA `["market", market_id]`.
fn require_market(market: &AccountInfo, program: &Pubkey) -> Result<()> {
    require_keys_eq!(*market.owner, *program, LendingError::NotAMarket);
    let data = market.try_borrow_data()?;
    require!(data.len() >= 16 && data[..8] == MARKET_DISCRIMINATOR, LendingError::NotAMarket);
    let (pda, _) = Pubkey::find_program_address(&[MARKET_SEED, &data[8..16]], program);
    require_keys_eq!(pda, market.key(), LendingError::NotAMarket);
    Ok(())
}
