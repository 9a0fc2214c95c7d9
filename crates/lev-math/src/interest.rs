//! Lending interest: a utilisation-based kinked rate and a borrow index accrued per second.
//!
//! A borrower's debt is stored "scaled" (principal divided by the index at borrow time); the debt
//! owed now is `scaled × index`. Every rounding goes against the borrower: borrowing scales up,
//! repaying scales down, the index accrues up, and the debt is read up.

use crate::{mul_div, to_u64, Round, BPS, SECONDS_PER_YEAR, WAD};

/// The highest borrow rate any pool may charge: 300% a year at full utilisation (Aave-style
/// kinked models top out between 100% and 300%); a holder of the leveraged token can lose no
/// more than this to interest, whatever the pool admin configures.
pub const MAX_BORROW_RATE_BPS: u64 = 3 * BPS;

/// Kinked rate: annual borrow rate rises with `slope1` up to the optimal utilisation, then steeply
/// with `slope2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateModel {
    pub base_rate_bps: u64,
    pub slope1_bps: u64,
    pub slope2_bps: u64,
    pub optimal_utilization_bps: u64,
}

impl RateModel {
    /// Hard bounds: optimal utilisation strictly between 0 and 100%, and the rate at 100%
    /// utilisation (base + slope1 + slope2, the highest the model can charge) at most
    /// [`MAX_BORROW_RATE_BPS`] (300%/yr).
    pub fn is_valid(&self) -> bool {
        self.optimal_utilization_bps > 0 && self.optimal_utilization_bps < BPS && self.max_rate_bps().is_some_and(|max| max <= MAX_BORROW_RATE_BPS)
    }

    /// The rate at 100% utilisation.
    pub fn max_rate_bps(&self) -> Option<u64> {
        self.base_rate_bps.checked_add(self.slope1_bps)?.checked_add(self.slope2_bps)
    }

    /// Annual borrow rate in bps at `utilization_bps`, rounded up (against the borrower).
    pub fn borrow_rate_bps(&self, utilization_bps: u64) -> Option<u64> {
        let u = utilization_bps.min(BPS);
        let opt = self.optimal_utilization_bps;
        let variable = if u <= opt {
            to_u64(mul_div(self.slope1_bps as u128, u as u128, opt as u128, Round::Up)?)?
        } else {
            let over = to_u64(mul_div(self.slope2_bps as u128, (u - opt) as u128, (BPS - opt) as u128, Round::Up)?)?;
            self.slope1_bps.checked_add(over)?
        };
        self.base_rate_bps.checked_add(variable)
    }
}

/// Borrowed / (cash + borrowed) in bps, rounded up (a higher rate favours lenders).
pub fn utilization_bps(borrowed: u64, cash: u64) -> Option<u64> {
    let total = (borrowed as u128).checked_add(cash as u128)?;
    if total == 0 {
        return Some(0);
    }
    to_u64(mul_div(borrowed as u128, BPS as u128, total, Round::Up)?)
}

/// Index after `elapsed_secs` at `rate_bps` per year: `index × (1 + rate × dt / year)`, rounded up.
/// Compounds across accruals.
pub fn accrue_index_up(index_wad: u128, rate_bps: u64, elapsed_secs: u64) -> Option<u128> {
    if elapsed_secs == 0 || rate_bps == 0 {
        return Some(index_wad);
    }
    let growth = mul_div(WAD, (rate_bps as u128).checked_mul(elapsed_secs as u128)?, (BPS as u128).checked_mul(SECONDS_PER_YEAR as u128)?, Round::Up)?;
    mul_div(index_wad, WAD.checked_add(growth)?, WAD, Round::Up)
}

/// Debt owed now for a scaled balance, rounded up.
pub fn debt_from_scaled_up(scaled: u128, index_wad: u128) -> Option<u64> {
    to_u64(mul_div(scaled, index_wad, WAD, Round::Up)?)
}

/// Debt as lenders count it (all borrowers together), rounded down.
pub fn debt_from_scaled_down(scaled: u128, index_wad: u128) -> Option<u64> {
    to_u64(mul_div(scaled, index_wad, WAD, Round::Down)?)
}

/// Scaled amount added when borrowing `amount`, rounded up.
pub fn scaled_for_borrow_up(amount: u64, index_wad: u128) -> Option<u128> {
    mul_div(amount as u128, WAD, index_wad, Round::Up)
}

/// Scaled amount removed when repaying `amount`, rounded down.
pub fn scaled_for_repay_down(amount: u64, index_wad: u128) -> Option<u128> {
    mul_div(amount as u128, WAD, index_wad, Round::Down)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> RateModel {
        RateModel { base_rate_bps: 0, slope1_bps: 400, slope2_bps: 7_500, optimal_utilization_bps: 8_000 }
    }

    #[test]
    fn kinked_rate() {
        let m = model();
        assert!(m.is_valid());
        assert_eq!(m.borrow_rate_bps(0), Some(0));
        assert_eq!(m.borrow_rate_bps(4_000), Some(200));
        assert_eq!(m.borrow_rate_bps(8_000), Some(400));
        assert_eq!(m.borrow_rate_bps(9_000), Some(400 + 3_750));
        assert_eq!(m.borrow_rate_bps(10_000), Some(7_900));
        assert!(!RateModel { optimal_utilization_bps: 10_000, ..m }.is_valid());
    }

    #[test]
    fn rate_bound_is_300_percent_at_full_utilisation() {
        let m = model();
        // Exactly 300%/yr at 100% utilisation is allowed, one bps more is not, whichever term adds it.
        let at_bound = RateModel { base_rate_bps: 1_000, slope1_bps: 4_000, slope2_bps: 25_000, ..m };
        assert_eq!(at_bound.max_rate_bps(), Some(MAX_BORROW_RATE_BPS));
        assert!(at_bound.is_valid());
        assert_eq!(at_bound.borrow_rate_bps(10_000), Some(30_000));
        assert!(!RateModel { base_rate_bps: 1_001, ..at_bound }.is_valid());
        assert!(!RateModel { slope1_bps: 4_001, ..at_bound }.is_valid());
        assert!(!RateModel { slope2_bps: 25_001, ..at_bound }.is_valid());
        // The old 10,000%/yr ceiling is far outside.
        assert!(!RateModel { base_rate_bps: 0, slope1_bps: 0, slope2_bps: 100 * BPS, ..m }.is_valid());
        assert!(!RateModel { slope2_bps: u64::MAX, ..m }.is_valid());
    }

    #[test]
    fn utilization() {
        assert_eq!(utilization_bps(0, 0), Some(0));
        assert_eq!(utilization_bps(200, 800), Some(2_000));
        assert_eq!(utilization_bps(1, 2), Some(3_334));
    }

    #[test]
    fn one_year_at_10_percent() {
        let idx = accrue_index_up(WAD, 1_000, SECONDS_PER_YEAR).unwrap();
        assert_eq!(idx, WAD + WAD / 10);
        let scaled = scaled_for_borrow_up(200_000_000, WAD).unwrap();
        assert_eq!(debt_from_scaled_up(scaled, idx), Some(220_000_000));
    }

    #[test]
    fn hourly_accrual_compounds() {
        let mut idx = WAD;
        for _ in 0..(24 * 365) {
            idx = accrue_index_up(idx, 1_000, 3600).unwrap();
        }
        // e^0.1 = 1.10517...
        assert!(idx > WAD * 1_105 / 1_000 && idx < WAD * 1_106 / 1_000, "{idx}");
    }
}
