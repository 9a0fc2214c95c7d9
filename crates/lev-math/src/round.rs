//! Rounding direction as a type, and checked `mul_div` in both directions.

/// Which way a division rounds. Callers pick the direction that disadvantages the party asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// Towards zero.
    Down,
    /// Away from zero.
    Up,
}

/// `a * b / c` with the given rounding, `None` when `c == 0` or the quotient does not fit in
/// `u128`. The product is taken at 256 bits, so only the result has to fit.
pub fn mul_div(a: u128, b: u128, c: u128, round: Round) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let (q, r) = match a.checked_mul(b) {
        Some(prod) => (prod / c, prod % c),
        None => {
            let (hi, lo) = mul_wide(a, b);
            div_wide(hi, lo, c)?
        }
    };
    match round {
        Round::Down => Some(q),
        Round::Up if r == 0 => Some(q),
        Round::Up => q.checked_add(1),
    }
}

/// Full 256-bit product as `(high, low)` halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let lo = (p00 & MASK) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// `(hi·2^128 + lo) / c` as (quotient, remainder); `None` if the quotient needs more than 128 bits.
fn div_wide(hi: u128, lo: u128, c: u128) -> Option<(u128, u128)> {
    if hi >= c {
        return None;
    }
    let mut rem = hi;
    let mut q = 0u128;
    for i in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || rem >= c {
            rem = rem.wrapping_sub(c);
            q |= 1;
        }
    }
    Some((q, rem))
}

/// `a / c` with the given rounding.
pub fn div(a: u128, c: u128, round: Round) -> Option<u128> {
    mul_div(a, 1, c, round)
}

/// Narrow a `u128` to `u64`, `None` if it does not fit.
pub fn to_u64(x: u128) -> Option<u64> {
    u64::try_from(x).ok()
}

/// `amount * bps / BPS` with rounding.
pub fn apply_bps(amount: u64, bps: u64, round: Round) -> Option<u64> {
    to_u64(mul_div(amount as u128, bps as u128, crate::BPS as u128, round)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_both_ways() {
        assert_eq!(mul_div(10, 1, 3, Round::Down), Some(3));
        assert_eq!(mul_div(10, 1, 3, Round::Up), Some(4));
        assert_eq!(mul_div(9, 1, 3, Round::Up), Some(3));
        assert_eq!(mul_div(1, 1, 0, Round::Down), None);
        assert_eq!(mul_div(u128::MAX, 2, 1, Round::Down), None);
        assert_eq!(mul_div(u128::MAX, 2, 4, Round::Down), Some(u128::MAX / 2));
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX, Round::Up), Some(u128::MAX));
        assert_eq!(mul_div(1 << 100, 3 << 100, 1 << 110, Round::Down), Some(3 << 90));
        assert_eq!(mul_div((1 << 100) + 1, 1 << 100, 1 << 101, Round::Up), Some((1 << 99) + 1));
        assert_eq!(apply_bps(1_000_001, 30, Round::Up), Some(3001));
        assert_eq!(apply_bps(1_000_001, 30, Round::Down), Some(3000));
    }
}
