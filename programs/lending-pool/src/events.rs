use anchor_lang::prelude::*;

#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub mint: Pubkey,
    pub admin: Pubkey,
}

#[event]
pub struct Deposited {
    pub pool: Pubkey,
    pub lender: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub cash: u64,
    pub total_shares: u64,
}

#[event]
pub struct Withdrawn {
    pub pool: Pubkey,
    pub lender: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub cash: u64,
    pub total_shares: u64,
}

#[event]
pub struct BorrowerRegistered {
    pub pool: Pubkey,
    pub borrower: Pubkey,
    pub authority: Pubkey,
    /// The line, in force from `effective_ts` (after the pool's timelock).
    pub credit_limit: u64,
    pub effective_ts: i64,
}

#[event]
pub struct CreditLimitSet {
    pub pool: Pubkey,
    pub borrower: Pubkey,
    pub credit_limit: u64,
    /// When it takes effect: now for a lower limit, after the timelock for a higher one.
    pub effective_ts: i64,
}

/// A config change was queued; anyone may execute it from `eta` on.
#[event]
pub struct ConfigQueued {
    pub pool: Pubkey,
    pub config: crate::PoolConfig,
    pub eta: i64,
}

#[event]
pub struct ConfigCancelled {
    pub pool: Pubkey,
    pub config: crate::PoolConfig,
}

#[event]
pub struct ConfigSet {
    pub pool: Pubkey,
    pub base_rate_bps: u64,
    pub slope1_bps: u64,
    pub slope2_bps: u64,
    pub optimal_utilization_bps: u64,
    pub liquidation_leverage_bps: u64,
}

#[event]
pub struct Borrowed {
    pub pool: Pubkey,
    pub borrower: Pubkey,
    pub amount: u64,
    pub debt: u64,
    pub cash: u64,
    pub borrow_index: u128,
}

#[event]
pub struct Repaid {
    pub pool: Pubkey,
    pub borrower: Pubkey,
    pub payer: Pubkey,
    pub amount: u64,
    pub debt: u64,
    pub cash: u64,
    pub borrow_index: u128,
}

#[event]
pub struct InterestAccrued {
    pub pool: Pubkey,
    pub borrow_index: u128,
    pub borrow_rate_bps: u64,
    pub total_debt: u64,
    pub timestamp: i64,
}

/// Lamports a griefer parked on a not-yet-created PDA, returned to `payer` (see `reclaim_prefunded`).
#[event]
pub struct PrefundReclaimed {
    pub pda: Pubkey,
    pub lamports: u64,
    pub payer: Pubkey,
}

/// A borrower's remaining debt, lost: every lender's shares are worth that much less, together.
#[event]
pub struct BadDebtWrittenOff {
    pub pool: Pubkey,
    pub borrower: Pubkey,
    pub amount: u64,
    /// The pool's cash + debt and share count after the write-off.
    pub total_assets: u64,
    pub total_shares: u64,
}
