//! A USDC money market the leveraged-token vault borrows from.
//!
//! Lenders deposit USDC for share tokens and earn the interest borrowers pay. Borrowers are
//! leveraged-token markets (PDAs of the one borrower program fixed at init) the admin registers
//! with a bounded credit limit, in force after the pool's timelock; their debt accrues through a borrow index at a utilisation-based kinked rate. All
//! interest and share math comes from `lev-math`. The pool accounts for its cash internally, so a
//! donation to its token account cannot move the share price.
#![allow(unexpected_cfgs)]

// Linked into SBF builds only (sbf/build.sh): compiler builtins and i128 libcalls.
#[cfg(target_os = "solana")]
use sbf_i128_libcalls as _;
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

pub use errors::LendingError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("93Ssmqgv8R1eTPRtB6oAgQm5YmU6usfbXJKk8PsbAXdh");

#[program]
pub mod lending_pool {
    use super::*;

    /// Create the pool for a mint; the signer becomes its admin. Only `Market` PDAs of
    /// `borrower_program` may ever borrow; admin changes wait `timelock_secs`.
    pub fn init_pool(ctx: Context<InitPool>, config: PoolConfig, borrower_program: Pubkey, timelock_secs: i64) -> Result<()> {
        instructions::handle_init_pool(ctx, config, borrower_program, timelock_secs)
    }

    /// Lend `amount` for at least `min_shares` share tokens.
    pub fn deposit(ctx: Context<Deposit>, amount: u64, min_shares: u64) -> Result<()> {
        instructions::handle_deposit(ctx, amount, min_shares)
    }

    /// Burn `shares` for at least `min_amount`, limited by the pool's available cash.
    pub fn withdraw(ctx: Context<Withdraw>, shares: u64, min_amount: u64) -> Result<()> {
        instructions::handle_withdraw(ctx, shares, min_amount)
    }

    /// Admin: open a credit line for a leveraged-token market (`authority` = the market PDA, passed
    /// as `market`); it takes effect after the timelock.
    pub fn register_borrower(ctx: Context<RegisterBorrower>, authority: Pubkey, credit_limit: u64) -> Result<()> {
        instructions::handle_register_borrower(ctx, authority, credit_limit)
    }

    /// Admin: lower a credit limit at once, or queue a higher one behind the timelock (existing
    /// debt is never called in by this).
    pub fn set_credit_limit(ctx: Context<SetCreditLimit>, credit_limit: u64) -> Result<()> {
        instructions::handle_set_credit_limit(ctx, credit_limit)
    }

    /// Admin: queue a new interest-rate model (within hard bounds).
    pub fn queue_config(ctx: Context<QueueConfig>, config: PoolConfig) -> Result<()> {
        instructions::handle_queue_config(ctx, config)
    }

    /// Anyone: apply the queued config once the timelock has elapsed; interest is accrued first.
    pub fn execute_config(ctx: Context<ExecuteConfig>) -> Result<()> {
        instructions::handle_execute_config(ctx)
    }

    /// Admin: cancel the queued config.
    pub fn cancel_config(ctx: Context<CancelConfig>) -> Result<()> {
        instructions::handle_cancel_config(ctx)
    }

    /// Borrower: take `amount` of the pool's cash, within the credit limit.
    pub fn borrow(ctx: Context<Borrow>, amount: u64) -> Result<()> {
        instructions::handle_borrow(ctx, amount)
    }

    /// Anyone: repay up to `amount` of a borrower's debt (capped at what is owed).
    pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
        instructions::handle_repay(ctx, amount)
    }

    /// Borrower: write off up to `amount` of its debt when it cannot be repaid (a settling
    /// market); lenders share the loss pro rata, all at once, and the line is closed.
    pub fn write_off(ctx: Context<WriteOff>, amount: u64) -> Result<()> {
        instructions::handle_write_off(ctx, amount)
    }

    /// Anyone: bring the borrow index up to date.
    pub fn accrue_interest(ctx: Context<AccrueInterest>) -> Result<()> {
        instructions::handle_accrue_interest(ctx)
    }

    /// Anyone: return the lamports a griefer sent to a not-yet-created PDA of this program, so the
    /// `init` that follows in the same transaction can create it.
    pub fn reclaim_prefunded(ctx: Context<ReclaimPrefunded>, seeds: Vec<Vec<u8>>) -> Result<()> {
        instructions::handle_reclaim_prefunded(ctx, seeds)
    }
}
