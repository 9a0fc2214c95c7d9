//! Protocol fees: on mint/redeem (bps of the amount) and a streaming management fee taken as
//! dilution (new tokens to the treasury).

use crate::{apply_bps, mul_div, to_u64, Round, BPS, SECONDS_PER_YEAR};

/// Mint or redeem fee on `amount`, rounded up (against the user paying it).
pub fn fee_up(amount: u64, fee_bps: u64) -> Option<u64> {
    apply_bps(amount, fee_bps, Round::Up)
}

/// Tokens to mint to the treasury so it owns `fee_bps_per_year × elapsed / year` of the vault after
/// the mint: `supply × f / (1 − f)`, rounded down (in favour of holders). `elapsed_secs` is capped
/// at one year per accrual so the fraction stays below one for any fee under 100%.
pub fn streaming_fee_tokens_down(supply: u64, fee_bps_per_year: u64, elapsed_secs: u64) -> Option<u64> {
    if supply == 0 || fee_bps_per_year == 0 || elapsed_secs == 0 {
        return Some(0);
    }
    if fee_bps_per_year >= BPS {
        return None;
    }
    let dt = elapsed_secs.min(SECONDS_PER_YEAR) as u128;
    let num = (fee_bps_per_year as u128).checked_mul(dt)?;
    let den = (BPS as u128).checked_mul(SECONDS_PER_YEAR as u128)?.checked_sub(num)?;
    to_u64(mul_div(supply as u128, num, den, Round::Down)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mint_fee() {
        assert_eq!(fee_up(100_000_000, 10), Some(100_000));
        assert_eq!(fee_up(1, 10), Some(1));
        assert_eq!(fee_up(0, 10), Some(0));
    }

    #[test]
    fn streaming_fee_two_percent_a_year() {
        let supply = 1_000_000_000u64;
        let minted = streaming_fee_tokens_down(supply, 200, SECONDS_PER_YEAR).unwrap();
        // Treasury owns minted / (supply + minted) = 2%.
        let share = minted as u128 * 1_000_000 / (supply as u128 + minted as u128);
        assert_eq!(share, 20_000 - 1); // 1.9999..% after rounding down
        assert_eq!(streaming_fee_tokens_down(supply, 200, 0), Some(0));
        assert_eq!(streaming_fee_tokens_down(0, 200, 100), Some(0));
        assert_eq!(streaming_fee_tokens_down(supply, 10_000, 100), None);
    }
}
