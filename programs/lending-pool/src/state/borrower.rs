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
    pub credit_limit: u64,
    /// Debt divided by the borrow index at the time of each borrow.
    pub scaled_debt: u128,
    pub bump: u8,
}

impl Borrower {
    /// Debt owed at `index`, rounded up.
    pub fn debt(&self, index: u128) -> Result<u64> {
        debt_from_scaled_up(self.scaled_debt, index).ok_or_else(|| error!(LendingError::MathOverflow))
    }
}
