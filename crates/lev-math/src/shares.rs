//! Share accounting with a virtual offset (used by the lending pool's lender shares and by the
//! leveraged token's supply).
//!
//! Both sides carry a small virtual amount so the first depositor cannot inflate the share price
//! into rounding every later deposit to zero: the attack would cost the attacker roughly what it
//! takes from the victim. Both programs also value their assets from internal accounting, never from
//! a token account's balance, so a donation changes nothing.

use crate::{mul_div, to_u64, Round};

/// Virtual shares added to every supply.
pub const VIRTUAL_SHARES: u128 = 1_000;
/// Virtual assets (quote base units) added to every asset total.
pub const VIRTUAL_ASSETS: u128 = 1_000;

/// Shares minted for depositing `assets` into a pot worth `total_assets` with `total_shares`
/// outstanding. Rounded down: the depositor never gets more than their share.
pub fn shares_for_assets_down(assets: u128, total_assets: u128, total_shares: u128) -> Option<u64> {
    to_u64(mul_div(assets, total_shares.checked_add(VIRTUAL_SHARES)?, total_assets.checked_add(VIRTUAL_ASSETS)?, Round::Down)?)
}

/// Shares that must be burned to take exactly `assets` out. Rounded up: a withdrawer never burns
/// fewer shares than the assets are worth.
pub fn shares_for_assets_up(assets: u128, total_assets: u128, total_shares: u128) -> Option<u64> {
    to_u64(mul_div(assets, total_shares.checked_add(VIRTUAL_SHARES)?, total_assets.checked_add(VIRTUAL_ASSETS)?, Round::Up)?)
}

/// Assets paid for burning `shares`. Rounded down: a redeemer never gets more than their share,
/// and never more than the pot holds: once the pot has lost value (assets below shares, after a
/// bad-debt write-off) the virtual assets would otherwise promise the last redeemer up to
/// `VIRTUAL_ASSETS` units that do not exist, and they could never take their last shares out.
pub fn assets_for_shares_down(shares: u128, total_assets: u128, total_shares: u128) -> Option<u64> {
    let owed = mul_div(shares, total_assets.checked_add(VIRTUAL_ASSETS)?, total_shares.checked_add(VIRTUAL_SHARES)?, Round::Down)?;
    to_u64(owed.min(total_assets))
}

/// Pro-rata part of `amount` owned by `shares` of `total_shares` (plus the virtual shares).
pub fn pro_rata(amount: u64, shares: u64, total_shares: u64, round: Round) -> Option<u64> {
    to_u64(mul_div(amount as u128, shares as u128, (total_shares as u128).checked_add(VIRTUAL_SHARES)?, round)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_deposit_is_one_to_one() {
        assert_eq!(shares_for_assets_down(100_000_000, 0, 0), Some(100_000_000));
        assert_eq!(assets_for_shares_down(100_000_000, 100_000_000, 100_000_000), Some(100_000_000));
    }

    #[test]
    fn after_a_loss_the_last_redeemer_gets_exactly_what_is_left() {
        // 1.5M shares backed by 1.48M after a write-off: the last holder of every share takes the
        // whole pot, not a unit more (the virtual assets alone would promise ~13 more).
        let (assets, shares) = (1_480_000_000_000u128, 1_500_000_000_000u128);
        assert!(mul_div(shares, assets + VIRTUAL_ASSETS, shares + VIRTUAL_SHARES, Round::Down).unwrap() > assets);
        assert_eq!(assets_for_shares_down(shares, assets, shares), Some(assets as u64));
        // Two holders of equal halves, one after the other: the same value per share, up to the
        // virtual assets' dust (here 7 base units of 740 billion).
        let first = assets_for_shares_down(shares / 2, assets, shares).unwrap() as u128;
        let second = assets_for_shares_down(shares / 2, assets - first, shares / 2).unwrap() as u128;
        assert!(first.abs_diff(second) <= VIRTUAL_ASSETS, "{first} vs {second}");
        assert_eq!(first + second, assets);
    }

    #[test]
    fn inflation_attack_costs_the_attacker() {
        // Attacker holds 1 share and somehow the pot is worth 1e6 more (it cannot be donated: the
        // programs use internal accounting; this bounds the damage even if it could).
        let total_assets = 1_000_001u128;
        let total_shares = 1u128;
        let victim = shares_for_assets_down(500_000, total_assets, total_shares).unwrap();
        assert!(victim > 0, "victim still receives shares");
        let attacker_value = assets_for_shares_down(1, total_assets + 500_000, total_shares + victim as u128).unwrap();
        assert!(attacker_value < 1_000_001, "attack loses money");
    }
}
