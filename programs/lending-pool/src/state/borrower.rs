use anchor_lang::prelude::*;
use lev_math::debt_from_scaled_up;

use crate::LendingError;

pub const BORROWER_SEED: &[u8] = b"borrower";

/// A registered credit line. Seeds: `["borrower", pool, authority]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Borrower {
    pub pool: Pubkey,
    /// The key that must sign `borrow` (a PDA of the borrowing program).
    pub authority: Pubkey,
    /// The limit in force.
    pub credit_limit: u64,
    /// A new or higher limit, in force from `limit_eta` (0 = none): lenders see it coming and
    /// can leave first. Lower limits take effect at once.
    pub pending_limit: u64,
    pub limit_eta: i64,
    /// Debt divided by the borrow index at the time of each borrow.
    pub scaled_debt: u128,
    pub bump: u8,
}

impl Borrower {
    /// The limit in force at `now`, folding in a pending limit whose time has come.
    pub fn effective_limit(&mut self, now: i64) -> u64 {
        if self.limit_eta != 0 && now >= self.limit_eta {
            self.credit_limit = self.pending_limit;
            self.pending_limit = 0;
            self.limit_eta = 0;
        }
        self.credit_limit
    }

    /// Debt owed at `index`, rounded up.
    pub fn debt(&self, index: u128) -> Result<u64> {
        debt_from_scaled_up(self.scaled_debt, index).ok_or_else(|| error!(LendingError::MathOverflow))
    }
}
