//! Constant-product pool math (the AMM program's curve), kept here so the keeper and the backtest
//! can quote swaps and arbitrage without a chain.

use crate::{mul_div, to_u64, Round, BPS};

/// LP tokens locked forever by the first deposit, so the pool can never be emptied to a state
/// where one LP token is worth an arbitrary amount.
pub const MINIMUM_LIQUIDITY: u64 = 1_000;

/// Output of an exact-in swap after a `fee_bps` fee on the input, rounded down (against the
/// trader): `out = R_out · in' / (R_in + in')` with `in' = in · (1 − fee)`.
pub fn swap_out_down(amount_in: u64, reserve_in: u64, reserve_out: u64, fee_bps: u64) -> Option<u64> {
    if reserve_in == 0 || reserve_out == 0 {
        return None;
    }
    let in_after_fee = mul_div(amount_in as u128, BPS.checked_sub(fee_bps)? as u128, BPS as u128, Round::Down)?;
    let den = (reserve_in as u128).checked_add(in_after_fee)?;
    to_u64(mul_div(reserve_out as u128, in_after_fee, den, Round::Down)?)
}

/// Input needed for an exact `amount_out`, rounded up (against the trader). `None` if the pool
/// cannot pay it.
pub fn swap_in_up(amount_out: u64, reserve_in: u64, reserve_out: u64, fee_bps: u64) -> Option<u64> {
    if amount_out >= reserve_out || reserve_in == 0 {
        return None;
    }
    let net = mul_div(reserve_in as u128, amount_out as u128, (reserve_out - amount_out) as u128, Round::Up)?;
    to_u64(mul_div(net, BPS as u128, BPS.checked_sub(fee_bps)? as u128, Round::Up)?)
}

/// Integer square root (floor).
pub fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    let mut x = 1u128 << ((128 - n.leading_zeros()).div_ceil(2));
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// LP tokens for the first deposit: `sqrt(a·b)`, of which [`MINIMUM_LIQUIDITY`] is locked.
/// Returns the depositor's part; `None` if the deposit is too small.
pub fn initial_lp_down(amount_a: u64, amount_b: u64) -> Option<u64> {
    let lp = to_u64(isqrt((amount_a as u128).checked_mul(amount_b as u128)?))?;
    lp.checked_sub(MINIMUM_LIQUIDITY).filter(|x| *x > 0)
}

/// A proportional deposit into a pool with reserves `(ra, rb)` and `supply` LP tokens, given the
/// most the depositor will pay of each side: the LP minted (down) and the amounts taken (up).
pub fn proportional_deposit(max_a: u64, max_b: u64, ra: u64, rb: u64, supply: u64) -> Option<(u64, u64, u64)> {
    if ra == 0 || rb == 0 || supply == 0 {
        return None;
    }
    let lp_a = mul_div(max_a as u128, supply as u128, ra as u128, Round::Down)?;
    let lp_b = mul_div(max_b as u128, supply as u128, rb as u128, Round::Down)?;
    let lp = to_u64(lp_a.min(lp_b))?;
    if lp == 0 {
        return None;
    }
    let a = to_u64(mul_div(lp as u128, ra as u128, supply as u128, Round::Up)?)?;
    let b = to_u64(mul_div(lp as u128, rb as u128, supply as u128, Round::Up)?)?;
    Some((lp, a, b))
}

/// Amounts paid out for burning `lp` of `supply`, rounded down.
pub fn withdraw_amounts_down(lp: u64, ra: u64, rb: u64, supply: u64) -> Option<(u64, u64)> {
    if lp == 0 || lp > supply {
        return None;
    }
    Some((to_u64(mul_div(lp as u128, ra as u128, supply as u128, Round::Down)?)?, to_u64(mul_div(lp as u128, rb as u128, supply as u128, Round::Down)?)?))
}

/// The exact-in trade that moves the pool's marginal price `rb/ra` (quote per base) to
/// `target_b_per_a_wad / WAD`, ignoring the fee on the marginal price: `Some((a_to_b, amount_in))`
/// where `a_to_b` says which token goes in. Used to arbitrage the AMM to the oracle in tests and
/// backtests. `None` when already at the target.
pub fn arbitrage_to_price(ra: u64, rb: u64, target_b_per_a_wad: u128, fee_bps: u64) -> Option<(bool, u64)> {
    // k = ra·rb; at the target, ra' = sqrt(k / p), rb' = sqrt(k · p).
    let k = (ra as u128).checked_mul(rb as u128)?;
    let wad = crate::WAD;
    // ra' = sqrt(k · WAD / p_wad): scale to keep precision.
    let ra_target = isqrt(mul_div(k, wad, target_b_per_a_wad, Round::Down)?);
    let keep = (BPS.checked_sub(fee_bps)?) as u128;
    if ra_target > ra as u128 {
        // Price too high (ETH expensive): sell base into the pool.
        let net = ra_target - ra as u128;
        let gross = mul_div(net, BPS as u128, keep, Round::Up)?;
        to_u64(gross).filter(|x| *x > 0).map(|x| (true, x))
    } else if (ra_target) < ra as u128 {
        let rb_target = isqrt(mul_div(k, target_b_per_a_wad, wad, Round::Down)?);
        let net = rb_target.checked_sub(rb as u128)?;
        let gross = mul_div(net, BPS as u128, keep, Round::Up)?;
        to_u64(gross).filter(|x| *x > 0).map(|x| (false, x))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WAD;

    #[test]
    fn swap_matches_constant_product() {
        // 1000/1000 pool, 100 in, no fee: out = 1000·100/1100 = 90.9 → 90.
        assert_eq!(swap_out_down(100, 1000, 1000, 0), Some(90));
        // 0.3% fee: in' = 99.7 → 99; out = 1000·99/1099 = 90.08 → 90.
        assert_eq!(swap_out_down(100, 1000, 1000, 30), Some(90));
        assert_eq!(swap_out_down(100, 0, 1000, 30), None);
        let need = swap_in_up(90, 1000, 1000, 30).unwrap();
        assert!(swap_out_down(need, 1000, 1000, 30).unwrap() >= 90);
    }

    #[test]
    fn sqrt() {
        for n in [0u128, 1, 2, 3, 4, 15, 16, 17, u64::MAX as u128, u128::MAX] {
            let r = isqrt(n);
            assert!(r * r <= n);
            assert!((r + 1).checked_mul(r + 1).is_none_or(|s| s > n));
        }
    }

    #[test]
    fn liquidity() {
        assert_eq!(initial_lp_down(1_000_000, 1_000_000), Some(999_000));
        assert_eq!(initial_lp_down(1_000, 1_000), None);
        assert_eq!(proportional_deposit(100, 300, 1000, 2000, 1000), Some((100, 100, 200)));
        assert_eq!(withdraw_amounts_down(100, 1000, 2000, 1000), Some((100, 200)));
    }

    #[test]
    fn arbitrage_moves_price() {
        // 100 ETH-units / 300_000 USDC-units: price 3000 per unit. Target 3600.
        let (ra, rb) = (1_000_000_000u64, 3_000_000_000_000u64);
        let (a_to_b, amt) = arbitrage_to_price(ra, rb, 3_600 * WAD, 0).unwrap();
        assert!(!a_to_b);
        let out = swap_out_down(amt, rb, ra, 0).unwrap();
        let (ra2, rb2) = (ra - out, rb + amt);
        let p = rb2 as u128 * 1_000_000 / ra2 as u128;
        assert!(p.abs_diff(3_600_000_000) < 3_600_000, "{p}");
        let (a_to_b, amt) = arbitrage_to_price(ra, rb, 2_400 * WAD, 30).unwrap();
        assert!(a_to_b);
        let out = swap_out_down(amt, ra, rb, 30).unwrap();
        let p = (rb - out) as u128 * 1_000_000 / (ra + amt - amt * 30 / 10_000) as u128;
        assert!(p.abs_diff(2_400_000_000) < 2_400_000, "{p}");
    }
}
