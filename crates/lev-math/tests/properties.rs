//! Property tests: each states one invariant of the economics.

use lev_math::*;
use proptest::prelude::*;

const T3: u64 = 30_000;

fn price() -> impl Strategy<Value = Price> {
    // $10 .. $100,000 per ETH with 8 vs 6 decimals: 0.1 .. 1000 quote units per base unit.
    (WAD / 10..WAD * 1_000).prop_map(|wad| Price { wad })
}

/// A solvent position with leverage between ~1.1x and ~10x worth $1 .. $100M.
fn position(p: Price) -> impl Strategy<Value = Position> {
    (1_000_000u64..100_000_000_000_000, 1_000u64..9_000).prop_map(move |(value, debt_ratio_bps)| {
        let collateral = p.base_for_quote(value as u128, Round::Down).unwrap() as u64;
        let cv = p.value(collateral, Round::Down).unwrap() as u64;
        Position { collateral, debt: apply_bps(cv, debt_ratio_bps, Round::Down).unwrap() }
    })
}

/// Mint `usdc_in` at oracle with a swap that costs `cost_bps`; returns (new position, supply, tokens).
fn mint(pos: &Position, supply: u64, p: Price, usdc_in: u64, cost_bps: u64) -> Option<(Position, u64, u64)> {
    let borrow = mint_borrow_amount(pos, p, usdc_in, T3)?;
    let swap_in = usdc_in.checked_add(borrow)?;
    let fair = p.base_for_quote(swap_in as u128, Round::Down)?;
    let bought = (fair * (BPS - cost_bps) as u128 / BPS as u128) as u64;
    let nav_before = if supply == 0 { 0 } else { pos.nav(p, Round::Up)? };
    let added = nav_added_down(p, bought, borrow)?;
    let tokens = tokens_for_nav_down(added, nav_before, supply)?;
    Some((Position { collateral: pos.collateral + bought, debt: pos.debt + borrow }, supply + tokens, tokens))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Rounding never favours the caller: Down ≤ exact ≤ Up, and they differ by at most one.
    #[test]
    fn rounding_brackets_the_exact_result(a in 0u128..u64::MAX as u128, b in 0u128..u64::MAX as u128, c in 1u128..u64::MAX as u128) {
        let down = mul_div(a, b, c, Round::Down).unwrap();
        let up = mul_div(a, b, c, Round::Up).unwrap();
        prop_assert!(down * c <= a * b);
        prop_assert!(up * c >= a * b);
        prop_assert!(up - down <= 1);
    }

    /// Depositing into the lending pool and withdrawing at once never returns more than deposited.
    #[test]
    fn pool_deposit_then_withdraw_never_profits(assets in 1u64..u64::MAX / 4, total_assets in 0u64..u64::MAX / 4, total_shares in 0u64..u64::MAX / 4) {
        // An overflow is refused by the programs (MathOverflow), so only fitting results matter.
        let Some(shares) = shares_for_assets_down(assets as u128, total_assets as u128, total_shares as u128) else { return Ok(()); };
        let back = assets_for_shares_down(shares as u128, total_assets as u128 + assets as u128, total_shares as u128 + shares as u128).unwrap();
        prop_assert!(back <= assets);
    }

    /// Withdrawing exact assets never burns fewer shares than those assets are worth.
    #[test]
    fn pool_withdraw_burns_enough(assets in 1u64..1u64 << 50, total_assets in 1u64..1u64 << 52, total_shares in 1u64..1u64 << 52) {
        prop_assume!(assets <= total_assets);
        let burn = shares_for_assets_up(assets as u128, total_assets as u128, total_shares as u128).unwrap();
        let worth = assets_for_shares_down(burn as u128, total_assets as u128, total_shares as u128).unwrap();
        prop_assert!(worth + 1 >= assets);
        let exact_num = assets as u128 * (total_shares as u128 + VIRTUAL_SHARES);
        prop_assert!(burn as u128 * (total_assets as u128 + VIRTUAL_ASSETS) >= exact_num);
    }

    /// Mint then immediate redeem (no price move, no fee) never returns more USDC than was paid.
    #[test]
    fn mint_then_redeem_never_returns_more_than_paid(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        supply_seed in 1u64..1_000_000,
        usdc_in in 1_000u64..10_000_000_000_000,
    ) {
        // Existing supply proportional to NAV at some historical NAV/token between 0.001 and 1000.
        let nav = pos.nav(p, Round::Down).unwrap();
        let supply = ((nav * supply_seed as u128) / 1_000).min(u64::MAX as u128 / 4).max(1) as u64;
        let Some((after, supply_after, tokens)) = mint(&pos, supply, p, usdc_in, 0) else { return Ok(()); };
        let share = redeem_share(&after, tokens, supply_after).unwrap();
        let got = p.value(share.collateral_out, Round::Down).unwrap();
        prop_assert!(got <= share.debt_repaid as u128 + usdc_in as u128,
            "paid {usdc_in}, got {} back", got as i128 - share.debt_repaid as i128);
    }

    /// A mint never lowers the NAV per token of the holders already in the vault, even when the
    /// minter's swap is costly.
    #[test]
    fn a_mint_never_dilutes_existing_holders(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        usdc_in in 1_000u64..10_000_000_000_000,
        cost_bps in 0u64..300,
    ) {
        let nav = pos.nav(p, Round::Down).unwrap();
        let supply = nav.min(u64::MAX as u128 / 4) as u64;
        let before = nav_per_token(nav, supply, 6, Round::Down).unwrap();
        let Some((after, supply_after, _)) = mint(&pos, supply, p, usdc_in, cost_bps) else { return Ok(()); };
        let nav_after = after.nav(p, Round::Down).unwrap();
        // Compare exactly: (nav_after+VA)/(supply_after+VS) >= (nav+VA)/(supply+VS) up to one unit of NAV.
        let lhs = (nav_after + VIRTUAL_ASSETS + 1) * (supply as u128 + VIRTUAL_SHARES);
        let rhs = (nav + VIRTUAL_ASSETS) * (supply_after as u128 + VIRTUAL_SHARES);
        prop_assert!(lhs >= rhs, "nav/token before {before}");
    }

    /// A redemption never lowers the NAV per token of the holders who stay.
    #[test]
    fn a_redeem_never_dilutes_remaining_holders(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        frac_bps in 1u64..10_000,
    ) {
        let nav = pos.nav(p, Round::Down).unwrap();
        let supply = nav.min(u64::MAX as u128 / 4) as u64;
        let tokens = apply_bps(supply, frac_bps, Round::Down).unwrap().max(1);
        let share = redeem_share(&pos, tokens, supply).unwrap();
        let after = Position { collateral: pos.collateral - share.collateral_out, debt: pos.debt - share.debt_repaid };
        let nav_after = after.equity(p, Round::Down).unwrap().max(0) as u128;
        let nav_before_up = pos.nav(p, Round::Up).unwrap();
        let lhs = (nav_after + VIRTUAL_ASSETS + 1) * (supply as u128 + VIRTUAL_SHARES);
        let rhs = (nav_before_up + VIRTUAL_ASSETS) * ((supply - tokens) as u128 + VIRTUAL_SHARES);
        prop_assert!(lhs + (supply as u128 + VIRTUAL_SHARES) >= rhs);
    }

    /// The rebalance plan, executed at the oracle price with no fee, lands on the target leverage.
    #[test]
    fn plan_at_oracle_lands_on_target(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        target in 15_000u64..50_000,
    ) {
        let limits = TradeLimits { max_trade_quote: u64::MAX, min_trade_quote: 0, swap_cost_bps: 0, max_slippage_bps: 100, reward_bps: 0, reward_cap_quote: 0 };
        let Some(plan) = plan_rebalance(&pos, p, target, &limits) else { return Ok(()); };
        let after = apply_plan_at_price(&pos, p, &plan, 0).unwrap();
        let lev = after.leverage_bps(p, Round::Down).unwrap();
        // Rounding of one base unit of collateral is at most one price unit of value.
        let nav = after.nav(p, Round::Down).unwrap();
        let slack = 1 + (p.wad / WAD + 2) * 20_000 * BPS as u128 / nav.max(1);
        prop_assert!((lev.abs_diff(target) as u128) <= slack, "lev {lev} target {target} slack {slack}");
    }

    /// With a swap cost the fee-aware plan still lands within 2 bps of leverage of the target.
    #[test]
    fn fee_aware_plan_lands_near_target(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        cost in 0u64..100,
    ) {
        let nav = pos.nav(p, Round::Down).unwrap();
        prop_assume!(nav > 10_000_000_000);
        let limits = TradeLimits { max_trade_quote: u64::MAX, min_trade_quote: 0, swap_cost_bps: cost, max_slippage_bps: 200, reward_bps: 0, reward_cap_quote: 0 };
        let Some(plan) = plan_rebalance(&pos, p, T3, &limits) else { return Ok(()); };
        let after = apply_plan_at_price(&pos, p, &plan, cost).unwrap();
        let lev = after.leverage_bps(p, Round::Down).unwrap();
        prop_assert!(lev.abs_diff(T3) <= 2, "lev {lev}");
    }

    /// A capped plan never trades more than the cap and always moves toward the target.
    #[test]
    fn capped_plan_moves_toward_target(
        (p, pos) in price().prop_flat_map(|p| (Just(p), position(p))),
        cap in 1_000_000u64..1_000_000_000_000,
    ) {
        let limits = TradeLimits { max_trade_quote: cap, min_trade_quote: 0, swap_cost_bps: 0, max_slippage_bps: 100, reward_bps: 0, reward_cap_quote: 0 };
        let before = pos.leverage_bps(p, Round::Down);
        let Some(plan) = plan_rebalance(&pos, p, T3, &limits) else { return Ok(()); };
        let traded = match plan { Plan::Relever { swap_in, .. } => swap_in as u128, Plan::Delever { swap_in, .. } => p.value(swap_in, Round::Down).unwrap() };
        prop_assert!(traded <= cap as u128);
        let after = apply_plan_at_price(&pos, p, &plan, 0).unwrap();
        prop_assert!(moved_toward_target(before, after.leverage_bps(p, Round::Down), T3, 5));
    }

    /// A band exit's (and an emergency's) aim lies between the crossed edge and the target (so
    /// inside the band): a partial recentre never trades past the target nor leaves leverage
    /// outside the band.
    #[test]
    fn band_exit_aim_lies_between_the_edge_and_the_target(
        low in 10_001u64..30_000, target_gap in 1u64..20_000, high_gap in 1u64..20_000,
        share in 0u64..=BPS, lev in 10_000u64..100_000,
    ) {
        let target = low + target_gap;
        let high = target + high_gap;
        let band = Band { target_bps: target, low_bps: low, high_bps: high, emergency_bps: high + 1, min_interval_secs: 0, recentre_tolerance_bps: 0, recentre_share_bps: share };
        prop_assert!(band.is_valid());
        let aim = band.aim_bps(Trigger::OutsideBand, Some(lev));
        if lev > high {
            prop_assert!(target <= aim && aim <= high);
        } else if lev < low {
            prop_assert!(low <= aim && aim <= target);
        } else {
            prop_assert_eq!(aim, target);
        }
        if share == BPS {
            prop_assert_eq!(aim, target);
        }
        // An emergency aims as a band exit above the band does.
        let emergency = band.aim_bps(Trigger::Emergency, Some(lev));
        if lev > high {
            prop_assert_eq!(emergency, aim);
        } else {
            prop_assert_eq!(emergency, target);
        }
        prop_assert_eq!(band.aim_bps(Trigger::Emergency, None), target);
        prop_assert_eq!(band.aim_bps(Trigger::Scheduled, Some(lev)), target);
    }

    /// Borrowing then reading the debt never shows less than was borrowed; repaying never clears
    /// more than was paid.
    #[test]
    fn interest_rounding_is_against_the_borrower(amount in 1u64..u64::MAX / 1_000, idx_mult in 1u128..1_000_000) {
        let index = WAD + idx_mult * WAD / 1_000;
        let scaled = scaled_for_borrow_up(amount, index).unwrap();
        prop_assert!(debt_from_scaled_up(scaled, index).unwrap() >= amount);
        let cleared = scaled_for_repay_down(amount, index).unwrap();
        prop_assert!(debt_from_scaled_down(cleared, index).unwrap() <= amount);
    }

    /// The index only grows, and faster with a higher rate.
    #[test]
    fn index_is_monotonic(rate in 0u64..10_000, dt in 0u64..10_000_000) {
        let a = accrue_index_up(WAD, rate, dt).unwrap();
        let b = accrue_index_up(WAD, rate + 1, dt).unwrap();
        prop_assert!(a >= WAD);
        prop_assert!(b >= a);
    }

    /// The streaming fee never gives the treasury more than its pro-rata fee.
    #[test]
    fn streaming_fee_never_overcharges(supply in 1u64..u64::MAX / 4, bps in 0u64..1_000, dt in 0u64..SECONDS_PER_YEAR) {
        let minted = streaming_fee_tokens_down(supply, bps, dt).unwrap();
        // minted / (supply + minted) <= bps * dt / (BPS * YEAR)
        let lhs = minted as u128 * BPS as u128 * SECONDS_PER_YEAR as u128;
        let rhs = (bps as u128 * dt as u128) * (supply as u128 + minted as u128);
        prop_assert!(lhs <= rhs);
    }
}

proptest! {
    /// The 256-bit path agrees with exact arithmetic where the product overflows u128.
    #[test]
    fn wide_mul_div_is_exact(a in any::<u128>(), b in any::<u128>(), c in 1u128..u128::MAX) {
        let down = mul_div(a, b, c, Round::Down);
        // Check with the identity q·c + r = a·b using a split of b.
        if let Some(q) = down {
            // q ≤ a·b/c < q + 1  ⇔  q·c ≤ a·b < (q+1)·c: test on halves to stay in range.
            let up = mul_div(a, b, c, Round::Up).unwrap();
            prop_assert!(up == q || up == q + 1);
            prop_assert_eq!(mul_div(q, c, b.max(1), Round::Down).map(|x| x <= a || b == 0), Some(true));
        }
    }
}
