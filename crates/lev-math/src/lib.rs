//! Pure, integer economics of the 3x leveraged token.
//!
//! This crate is the single source of truth for every number the on-chain programs, the keeper and
//! the backtest compute: NAV, leverage, tokens for a deposit, USDC for a redemption, the rebalance
//! plan, lending interest and streaming fees. It has no Solana dependency, allocates nothing and uses
//! no floating point, so it compiles unchanged for SBF.
//!
//! Conventions
//! - Amounts are `u64` base units (USDC 6 decimals, wrapped ETH 8 decimals, leveraged token 6
//!   decimals); intermediates are `u128`.
//! - A price is [`Price`]: quote base units per collateral base unit, scaled by [`WAD`].
//! - Leverage, fees and rates are basis points ([`BPS`] = 1.0, so 3x = 30_000).
//! - Every function that divides takes or names its [`Round`] direction, and the direction is always
//!   chosen against the party calling (the user who mints, the keeper who rebalances, the borrower).
//! - Every function returns `Option`; `None` means overflow or an undefined result (division by
//!   zero, negative equity) and callers turn it into an error.
#![no_std]
#![forbid(unsafe_code)]

pub mod cpmm;
pub mod fees;
pub mod interest;
pub mod price;
pub mod rebalance;
pub mod round;
pub mod shares;
pub mod vault;

pub use cpmm::*;
pub use fees::*;
pub use interest::*;
pub use price::*;
pub use rebalance::*;
pub use round::*;
pub use shares::*;
pub use vault::*;

/// 1.0 in basis points.
pub const BPS: u64 = 10_000;
/// 1.0 in 18-decimal fixed point.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// Seconds in a 365-day year, used for annual rates.
pub const SECONDS_PER_YEAR: u64 = 365 * 24 * 3600;
