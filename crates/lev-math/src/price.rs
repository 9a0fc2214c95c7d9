//! Oracle prices as fixed-point quote-per-base ratios.

use crate::{mul_div, to_u64, Round, BPS, WAD};

/// Price of one base unit of collateral in quote base units, times [`WAD`].
///
/// ETH (8 decimals) at $3,000 against USDC (6 decimals): one ETH base unit is worth 30 USDC base
/// units, so `wad = 30 * WAD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Price {
    pub wad: u128,
}

impl Price {
    /// From an oracle mantissa/exponent quote of one *whole* collateral unit in *whole* quote units
    /// (Pyth style: `price * 10^expo` dollars per ETH), given both tokens' decimals.
    /// `None` for a non-positive price or an exponent that does not fit.
    pub fn from_oracle(mantissa: i64, expo: i32, base_decimals: u8, quote_decimals: u8) -> Option<Price> {
        if mantissa <= 0 {
            return None;
        }
        let e = expo.checked_add(quote_decimals as i32)?.checked_sub(base_decimals as i32)?.checked_add(18)?;
        let m = mantissa as u128;
        let wad = if e >= 0 { m.checked_mul(10u128.checked_pow(e as u32)?)? } else { m / 10u128.checked_pow((-e) as u32)? };
        if wad == 0 {
            None
        } else {
            Some(Price { wad })
        }
    }

    /// Whole-unit price with `decimals` digits (e.g. dollars per ETH with 2 decimals), for display
    /// and for writing oracle accounts in tests: the inverse of [`Price::from_oracle`].
    pub fn to_oracle_mantissa(&self, expo: i32, base_decimals: u8, quote_decimals: u8) -> Option<i64> {
        let e = expo.checked_add(quote_decimals as i32)?.checked_sub(base_decimals as i32)?.checked_add(18)?;
        let m = if e >= 0 { self.wad / 10u128.checked_pow(e as u32)? } else { self.wad.checked_mul(10u128.checked_pow((-e) as u32)?)? };
        i64::try_from(m).ok()
    }

    /// Quote value of `base_amount` collateral.
    pub fn value(&self, base_amount: u64, round: Round) -> Option<u128> {
        mul_div(base_amount as u128, self.wad, WAD, round)
    }

    /// Collateral amount worth `quote_amount`.
    pub fn base_for_quote(&self, quote_amount: u128, round: Round) -> Option<u128> {
        mul_div(quote_amount, WAD, self.wad, round)
    }

    /// This price moved by `bps` basis points up (`up = true`) or down.
    pub fn shifted_bps(&self, bps: u64, up: bool) -> Option<Price> {
        let factor = if up { BPS.checked_add(bps)? } else { BPS.checked_sub(bps)? };
        let wad = mul_div(self.wad, factor as u128, BPS as u128, Round::Down)?;
        if wad == 0 {
            None
        } else {
            Some(Price { wad })
        }
    }

    /// Confidence interval as basis points of the price, rounded up (a wide interval is never
    /// reported narrower than it is).
    pub fn confidence_bps(mantissa: i64, conf: u64) -> Option<u64> {
        if mantissa <= 0 {
            return None;
        }
        to_u64(mul_div(conf as u128, BPS as u128, mantissa as u128, Round::Up)?)
    }
}

/// Minimum acceptable output of a swap of `amount_in` at `price`, allowing `max_slippage_bps` below
/// the oracle-fair output; rounded up so the bound is never looser than stated.
pub fn min_out_base_for_quote(price: Price, quote_in: u64, max_slippage_bps: u64) -> Option<u64> {
    let fair = price.base_for_quote(quote_in as u128, Round::Down)?;
    let keep = BPS.checked_sub(max_slippage_bps)?;
    to_u64(mul_div(fair, keep as u128, BPS as u128, Round::Up)?)
}

/// Minimum USDC for selling `base_in` collateral at `price` with `max_slippage_bps` tolerance.
pub fn min_out_quote_for_base(price: Price, base_in: u64, max_slippage_bps: u64) -> Option<u64> {
    let fair = price.value(base_in, Round::Down)?;
    let keep = BPS.checked_sub(max_slippage_bps)?;
    to_u64(mul_div(fair, keep as u128, BPS as u128, Round::Up)?)
}

/// Distance of a venue's spot price (`quote_reserve / base_reserve`) from the oracle, in bps of the
/// oracle price, rounded up (a venue is never reported closer than it is). `None` for an empty
/// venue or overflow.
pub fn venue_deviation_bps(oracle: Price, base_reserve: u64, quote_reserve: u64) -> Option<u64> {
    venue_offset_bps(oracle, base_reserve, quote_reserve).map(|(bps, _)| bps)
}

/// Like [`venue_deviation_bps`], with the side: `true` when the venue's spot is above the oracle.
pub fn venue_offset_bps(oracle: Price, base_reserve: u64, quote_reserve: u64) -> Option<(u64, bool)> {
    if base_reserve == 0 || quote_reserve == 0 {
        return None;
    }
    let spot = mul_div(quote_reserve as u128, WAD, base_reserve as u128, Round::Down)?;
    let diff = spot.abs_diff(oracle.wad);
    Some((to_u64(mul_div(diff, BPS as u128, oracle.wad, Round::Up)?)?, spot > oracle.wad))
}

/// Whether a venue at `offset` (from [`venue_offset_bps`]) may be traded on within `max_bps`.
/// `side` is `Some(true)` for a purchase of the base asset, `Some(false)` for a sale, `None` for
/// both ways: a purchase is refused only at a venue priced too far *above* the oracle and a sale
/// only too far *below* (a venue off in the trade's favour costs the vault nothing), while `None`
/// refuses either (a mint must not move the vault's leverage either way).
pub fn venue_acceptable(offset: (u64, bool), max_bps: u64, side: Option<bool>) -> bool {
    let (bps, above) = offset;
    match side {
        None => bps <= max_bps,
        Some(buy) => bps <= max_bps || above != buy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_deviation_is_the_spot_distance_from_the_oracle_rounded_up() {
        // $3,000: 30 USDC base units per ETH base unit.
        let p = Price { wad: 30 * WAD };
        assert_eq!(venue_deviation_bps(p, 1_000_000, 30_000_000), Some(0));
        // Spot 2.7% below: 29.19 per unit.
        assert_eq!(venue_deviation_bps(p, 1_000_000, 29_190_000), Some(270));
        // 1% above, and one unit more rounds up.
        assert_eq!(venue_deviation_bps(p, 1_000_000, 30_300_000), Some(100));
        assert_eq!(venue_deviation_bps(p, 1_000_000, 30_300_001), Some(101));
        assert_eq!(venue_deviation_bps(p, 0, 1), None);
        assert_eq!(venue_deviation_bps(p, 1, 0), None);
        assert_eq!(venue_offset_bps(p, 1_000_000, 29_190_000), Some((270, false)));
        assert_eq!(venue_offset_bps(p, 1_000_000, 30_300_000), Some((100, true)));
        // 2.7% below: a sale there is refused, a purchase (cheap for the vault) is not.
        assert!(!venue_acceptable((270, false), 100, Some(false)));
        assert!(venue_acceptable((270, false), 100, Some(true)));
        assert!(!venue_acceptable((270, false), 100, None));
        // 1% above: a purchase at a 50 bps bound is refused, a sale is not; within the bound both pass.
        assert!(!venue_acceptable((100, true), 50, Some(true)));
        assert!(venue_acceptable((100, true), 50, Some(false)));
        assert!(venue_acceptable((50, true), 50, None));
    }

    #[test]
    fn eth_at_3000() {
        // Pyth: 3000.00000000 with expo -8.
        let p = Price::from_oracle(300_000_000_000, -8, 8, 6).unwrap();
        assert_eq!(p.wad, 30 * WAD);
        // 1 ETH = 1e8 base units = 3000 USDC = 3e9 base units.
        assert_eq!(p.value(100_000_000, Round::Down), Some(3_000_000_000));
        assert_eq!(p.base_for_quote(3_000_000_000, Round::Down), Some(100_000_000));
        assert_eq!(p.to_oracle_mantissa(-8, 8, 6), Some(300_000_000_000));
        assert_eq!(Price::from_oracle(0, -8, 8, 6), None);
        assert_eq!(Price::from_oracle(-5, -8, 8, 6), None);
    }

    #[test]
    fn min_out_bounds() {
        let p = Price { wad: 30 * WAD };
        // 300 USDC buys 10 ETH base units... at 30 USDC units per base unit: 300e6/30 = 1e7.
        assert_eq!(min_out_base_for_quote(p, 300_000_000, 100), Some(9_900_000));
        assert_eq!(min_out_quote_for_base(p, 10_000_000, 50), Some(298_500_000));
        assert_eq!(Price::confidence_bps(1000, 1), Some(10));
    }
}
