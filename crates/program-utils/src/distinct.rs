//! Duplicate-account check for instructions that take several writable accounts.
//!
//! Anchor 1.x checks that no writable `Account` / `InterfaceAccount` is passed twice by inserting
//! every key into a `std::collections::HashSet` (SipHash). On SBF that cost about 31,000 compute
//! units in `mint` alone (measured with `cu_mark!`, sbf/README.md) — more than the whole AMM swap.
//! The hot instructions instead mark those fields `dup` (which only removes them from Anchor's set)
//! and state the same check as a constraint of their first writable field with [`all_distinct`]:
//! a few dozen word comparisons, same error (`ConstraintDuplicateMutableAccount`). Anchor runs a
//! field's `seeds`, `mut` and `has_one` checks before its raw constraints, so those (none with a
//! side effect) may answer first; every other field's constraints come after.

use anchor_lang::prelude::Pubkey;

#[inline(always)]
fn words(k: &Pubkey) -> [u64; 4] {
    let b = k.to_bytes();
    let w = |i: usize| u64::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]]);
    [w(0), w(8), w(16), w(24)]
}

#[inline(always)]
fn same(a: &[u64; 4], b: &[u64; 4]) -> bool {
    // Element by element: array `==` would become a `memcmp` call.
    a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3]
}

/// Whether no two of `keys` are equal.
pub fn all_distinct(keys: &[Pubkey]) -> bool {
    const MAX: usize = 16;
    let mut w = [[0u64; 4]; MAX];
    if keys.len() > MAX {
        // Not used with more; stay correct anyway.
        return keys.iter().enumerate().all(|(i, a)| keys[i + 1..].iter().all(|b| a != b));
    }
    for (slot, k) in w.iter_mut().zip(keys) {
        *slot = words(k);
    }
    let w = &w[..keys.len()];
    w.iter().enumerate().all(|(i, a)| w[i + 1..].iter().all(|b| !same(a, b)))
}

/// Whether `extra` are pairwise different and none is among `checked` (a set already known to be
/// distinct, e.g. a composite Accounts struct's own writable accounts).
pub fn all_distinct_with(checked: &[Pubkey], extra: &[Pubkey]) -> bool {
    let ex: [[u64; 4]; 4] = core::array::from_fn(|i| extra.get(i).map(words).unwrap_or_default());
    if extra.len() > ex.len() {
        return all_distinct(&[checked, extra].concat());
    }
    let ex = &ex[..extra.len()];
    ex.iter().enumerate().all(|(i, a)| ex[i + 1..].iter().all(|b| !same(a, b)))
        && checked.iter().all(|c| {
            let c = words(c);
            ex.iter().all(|e| !same(&c, e))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_any_repeated_key() {
        let keys: Vec<Pubkey> = (0..12).map(|_| Pubkey::new_unique()).collect();
        assert!(all_distinct(&keys));
        assert!(all_distinct(&[]));
        assert!(all_distinct(&keys[..1]));
        for i in 0..keys.len() {
            for j in 0..keys.len() {
                if i != j {
                    let mut k = keys.clone();
                    k[j] = k[i];
                    assert!(!all_distinct(&k), "{i} {j}");
                }
            }
        }
        // Keys equal in their first words only are still different.
        let mut a = [7u8; 32];
        let b = a;
        a[31] = 8;
        assert!(all_distinct(&[Pubkey::new_from_array(a), Pubkey::new_from_array(b)]));
        let long: Vec<Pubkey> = (0..20).map(|_| Pubkey::new_unique()).collect();
        assert!(all_distinct(&long));
        let mut long2 = long.clone();
        long2[19] = long2[3];
        assert!(!all_distinct(&long2));
    }

    #[test]
    fn extra_keys_must_differ_from_each_other_and_the_checked_set() {
        let core: Vec<Pubkey> = (0..8).map(|_| Pubkey::new_unique()).collect();
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        assert!(all_distinct_with(&core, &[a, b]));
        assert!(all_distinct_with(&core, &[]));
        assert!(!all_distinct_with(&core, &[a, a]));
        for c in &core {
            assert!(!all_distinct_with(&core, &[a, *c]));
            assert!(!all_distinct_with(&core, &[*c]));
        }
        let many: Vec<Pubkey> = (0..6).map(|_| Pubkey::new_unique()).collect();
        assert!(all_distinct_with(&core, &many));
        assert!(!all_distinct_with(&core, &[many.clone(), vec![core[5]]].concat()));
    }
}
