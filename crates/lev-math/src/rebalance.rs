//! When a rebalance is allowed, and how much it trades.
//!
//! With collateral value `C`, debt `D`, equity `E = C − D`, target leverage `T`, swap cost `f`
//! (fee + expected price impact) and keeper reward `R`, the trade `x` (quote value) that lands on
//! `T` is:
//! - re-leverage (borrow `x + R`, buy collateral with `x`):
//!   `C + x(1−f) = T (E − f x − R)`  ⇒  `x = (T(E−R) − C) / (1 + (T−1) f)`
//! - de-leverage (sell collateral worth `x`, pay `R`, repay the rest):
//!   `C − x = T (E − f x − R)`  ⇒  `x = (C − T(E−R)) / (1 − T f)`
//!
//! The seed example: `C = 360, E = 160, T = 3` ⇒ buy 120; `C = 240, E = 40` ⇒ sell 120.

use crate::{apply_bps, min_out_base_for_quote, min_out_quote_for_base, mul_div, to_u64, Position, Price, Round, BPS};

/// Why a rebalance may run now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Leverage is at or above the emergency threshold (or NAV is gone): larger trades, looser
    /// slippage, higher reward.
    Emergency,
    /// Leverage left the band.
    OutsideBand,
    /// The recentre interval elapsed and leverage is off target by more than the tolerance.
    Scheduled,
}

/// The parameters that decide whether to rebalance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub target_bps: u64,
    pub low_bps: u64,
    pub high_bps: u64,
    pub emergency_bps: u64,
    /// Minimum seconds between scheduled recentres.
    pub min_interval_secs: i64,
    /// A scheduled recentre needs leverage more than this far from target (at the band's wider
    /// half-width it never fires: the scheduled recentre is off).
    pub recentre_tolerance_bps: u64,
    /// How far back toward the target a rebalance triggered by a band exit or an emergency trades,
    /// as a share of the distance from the crossed edge to the target: 10 000 = all the way to the
    /// target, 2 500 = a quarter of the way in from the edge, 0 = to the edge. Scheduled
    /// rebalances (and an emergency with NAV ≤ 0) aim at the target.
    pub recentre_share_bps: u64,
}

impl Band {
    /// Hard sanity of a band: `1x < low < target < high < emergency`.
    pub fn is_valid(&self) -> bool {
        BPS < self.low_bps
            && self.low_bps < self.target_bps
            && self.target_bps < self.high_bps
            && self.high_bps < self.emergency_bps
            && self.min_interval_secs >= 0
            && self.recentre_share_bps <= BPS
    }

    /// The leverage a rebalance allowed by `trigger` at leverage `lev_bps` aims at. For a band exit
    /// or an emergency (an exit past the emergency threshold) it is the point `recentre_share_bps`
    /// of the way from the crossed edge to the target (the exact target at 10 000); otherwise the
    /// target. Rounded toward the target, so the aim is never outside the band.
    pub fn aim_bps(&self, trigger: Trigger, lev_bps: Option<u64>) -> u64 {
        let t = self.target_bps;
        let edge = match (trigger, lev_bps) {
            (Trigger::OutsideBand | Trigger::Emergency, Some(l)) if l > self.high_bps => self.high_bps,
            (Trigger::OutsideBand, Some(l)) if l < self.low_bps => self.low_bps,
            _ => return t,
        };
        let dist = edge.abs_diff(t);
        // dist × share / BPS, rounded up: the step in from the edge is never smaller than asked.
        let step = match mul_div(dist as u128, self.recentre_share_bps as u128, BPS as u128, Round::Up) {
            Some(s) => (s as u64).min(dist),
            None => dist,
        };
        if edge > t {
            edge - step
        } else {
            edge + step
        }
    }
}

/// Whether a rebalance is allowed. `leverage_bps` is `None` when NAV ≤ 0 (always an emergency).
pub fn rebalance_trigger(band: &Band, leverage_bps: Option<u64>, now: i64, last_rebalance: i64) -> Option<Trigger> {
    let lev = match leverage_bps {
        None => return Some(Trigger::Emergency),
        Some(0) => return None, // empty vault
        Some(l) => l,
    };
    if lev >= band.emergency_bps {
        return Some(Trigger::Emergency);
    }
    if lev < band.low_bps || lev > band.high_bps {
        return Some(Trigger::OutsideBand);
    }
    let elapsed = now.saturating_sub(last_rebalance);
    if elapsed >= band.min_interval_secs && lev.abs_diff(band.target_bps) > band.recentre_tolerance_bps {
        return Some(Trigger::Scheduled);
    }
    None
}

/// Limits for one rebalance call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeLimits {
    /// Largest trade (quote value) in one call.
    pub max_trade_quote: u64,
    /// Smallest trade worth doing; below it the plan is `None`.
    pub min_trade_quote: u64,
    /// Expected swap cost (fee + impact) in bps, used to land on target.
    pub swap_cost_bps: u64,
    /// Maximum slippage accepted versus the oracle, for the min-out bound.
    pub max_slippage_bps: u64,
    /// Keeper reward as bps of the trade, capped by `reward_cap_quote`.
    pub reward_bps: u64,
    pub reward_cap_quote: u64,
}

/// What a rebalance does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Borrow `borrow` USDC (`swap_in` + `reward`), swap `swap_in` USDC for at least `min_out` ETH.
    Relever { borrow: u64, swap_in: u64, min_out: u64, reward: u64 },
    /// Swap `swap_in` ETH for at least `min_out` USDC, pay `reward`, repay the rest.
    Delever { swap_in: u64, min_out: u64, reward: u64 },
}

impl Plan {
    pub fn reward(&self) -> u64 {
        match self {
            Plan::Relever { reward, .. } | Plan::Delever { reward, .. } => *reward,
        }
    }
}

/// Keeper reward for a trade of `trade_quote`: bps of the trade, capped. Rounded down (against the
/// keeper).
pub fn keeper_reward_down(trade_quote: u64, reward_bps: u64, cap: u64) -> Option<u64> {
    Some(apply_bps(trade_quote, reward_bps, Round::Down)?.min(cap))
}

/// The trade that moves `pos` to `target_bps` at `price`, capped by `limits`. `None` when no trade
/// is worth doing (already on target, below the minimum trade) or NAV ≤ 0 and nothing can be sold.
/// `limits` with the largest trade cut to what a venue `quote_depth` deep (its quote-side reserve)
/// takes with an expected price impact of at most `impact_bps` (a constant-product fill of `x`
/// into reserve `R` averages about `x / R` worse than the spot): a rebalance that must stay within
/// the venue bound is sized so its own impact does too, and larger moves take several calls.
/// Rounded down.
pub fn depth_capped(limits: TradeLimits, quote_depth: u64, impact_bps: u64) -> Option<TradeLimits> {
    let cap = to_u64(mul_div(quote_depth as u128, impact_bps as u128, BPS as u128, Round::Down)?)?;
    Some(TradeLimits { max_trade_quote: limits.max_trade_quote.min(cap), ..limits })
}

pub fn plan_rebalance(pos: &Position, price: Price, target_bps: u64, limits: &TradeLimits) -> Option<Plan> {
    let c = pos.collateral_value(price, Round::Down)?;
    let d = pos.debt as u128;
    let t = target_bps as u128;
    let b = BPS as u128;
    let f = limits.swap_cost_bps as u128;
    if c <= d {
        // Insolvent: sell as much as allowed to cut the debt.
        let sell_value = c.min(limits.max_trade_quote as u128);
        return delever_plan(price, to_u64(sell_value)?, pos.collateral, limits, 0);
    }
    let e = c - d;
    // Target collateral value without costs decides the direction and the reward.
    let target_c = mul_div(t, e, b, Round::Down)?;
    let relever = target_c > c;
    let gross = if relever { target_c - c } else { c - target_c };
    let reward = keeper_reward_down(to_u64(gross.min(u64::MAX as u128))?, limits.reward_bps, limits.reward_cap_quote)? as u128;
    let e_eff = e.checked_sub(reward)?;
    let t_e = t.checked_mul(e_eff)?; // in bps × quote
    let c_b = c.checked_mul(b)?;
    let x = if relever {
        if t_e <= c_b {
            return None;
        }
        let den = b.checked_mul(b)?.checked_add((t.checked_sub(b)?).checked_mul(f)?)?;
        mul_div(t_e - c_b, b, den, Round::Down)?
    } else {
        if c_b <= t_e {
            return None;
        }
        let den = b.checked_mul(b)?.checked_sub(t.checked_mul(f)?)?;
        mul_div(c_b - t_e, b, den, Round::Down)?
    };
    let x = to_u64(x.min(limits.max_trade_quote as u128))?;
    if x == 0 || x < limits.min_trade_quote {
        return None;
    }
    let reward = keeper_reward_down(x, limits.reward_bps, limits.reward_cap_quote)?;
    if relever {
        let min_out = min_out_base_for_quote(price, x, limits.max_slippage_bps)?;
        if min_out == 0 {
            return None;
        }
        Some(Plan::Relever { borrow: x.checked_add(reward)?, swap_in: x, min_out, reward })
    } else {
        delever_plan(price, x, pos.collateral, limits, reward)
    }
}

fn delever_plan(price: Price, sell_value: u64, collateral: u64, limits: &TradeLimits, reward: u64) -> Option<Plan> {
    let swap_in = to_u64(price.base_for_quote(sell_value as u128, Round::Down)?)?.min(collateral);
    if swap_in == 0 {
        return None;
    }
    let min_out = min_out_quote_for_base(price, swap_in, limits.max_slippage_bps)?;
    let reward = reward.min(min_out);
    Some(Plan::Delever { swap_in, min_out, reward })
}

/// A rebalance result is acceptable when leverage moved toward the target and did not cross it by
/// more than `overshoot_tolerance_bps`.
pub fn moved_toward_target(before_bps: Option<u64>, after_bps: Option<u64>, target_bps: u64, overshoot_tolerance_bps: u64) -> bool {
    let after = match after_bps {
        Some(a) => a,
        None => return before_bps.is_none(), // still insolvent: only OK if it was already
    };
    let before = match before_bps {
        Some(b) => b,
        None => return true, // insolvent before, solvent after
    };
    let dist_before = before.abs_diff(target_bps);
    let dist_after = after.abs_diff(target_bps);
    if dist_after > dist_before {
        return false;
    }
    let crossed = (before < target_bps && after > target_bps) || (before > target_bps && after < target_bps);
    !crossed || dist_after <= overshoot_tolerance_bps
}

/// Position after executing `plan` at exactly `price` with the swap costing `cost_bps` (no slippage
/// beyond it). Used by tests, the keeper's simulation and the math-only backtest.
pub fn apply_plan_at_price(pos: &Position, price: Price, plan: &Plan, cost_bps: u64) -> Option<Position> {
    match *plan {
        Plan::Relever { borrow, swap_in, .. } => {
            let fair = price.base_for_quote(swap_in as u128, Round::Down)?;
            let out = to_u64(mul_div(fair, BPS.checked_sub(cost_bps)? as u128, BPS as u128, Round::Down)?)?;
            Some(Position { collateral: pos.collateral.checked_add(out)?, debt: pos.debt.checked_add(borrow)? })
        }
        Plan::Delever { swap_in, reward, .. } => {
            let fair = price.value(swap_in, Round::Down)?;
            let out = to_u64(mul_div(fair, BPS.checked_sub(cost_bps)? as u128, BPS as u128, Round::Down)?)?;
            let repay = out.checked_sub(reward)?.min(pos.debt);
            Some(Position { collateral: pos.collateral.checked_sub(swap_in)?, debt: pos.debt - repay })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WAD;

    const USD: u64 = 1_000_000;
    const ONE: Price = Price { wad: WAD };

    fn free() -> TradeLimits {
        TradeLimits { max_trade_quote: u64::MAX, min_trade_quote: 0, swap_cost_bps: 0, max_slippage_bps: 100, reward_bps: 0, reward_cap_quote: 0 }
    }

    #[test]
    fn depth_caps_the_trade_to_the_impact_budget() {
        // $10M of depth at a 50 bps budget: $50,000 a call; a smaller configured cap stays.
        let l = depth_capped(free(), 10_000_000 * USD, 50).unwrap();
        assert_eq!(l.max_trade_quote, 50_000 * USD);
        let l = depth_capped(TradeLimits { max_trade_quote: 20_000 * USD, ..free() }, 10_000_000 * USD, 50).unwrap();
        assert_eq!(l.max_trade_quote, 20_000 * USD);
        // Rounded down; an empty venue allows nothing.
        assert_eq!(depth_capped(free(), 199, 50).unwrap().max_trade_quote, 0);
        assert_eq!(depth_capped(free(), 0, 100).unwrap().max_trade_quote, 0);
    }

    fn band() -> Band {
        Band {
            target_bps: 30_000,
            low_bps: 28_000,
            high_bps: 32_000,
            emergency_bps: 36_000,
            min_interval_secs: 86_400,
            recentre_tolerance_bps: 500,
            recentre_share_bps: BPS,
        }
    }

    #[test]
    fn band_exit_aims_part_of_the_way_back() {
        let full = band();
        assert_eq!(full.aim_bps(Trigger::OutsideBand, Some(33_000)), 30_000);
        let quarter = Band { recentre_share_bps: 2_500, ..band() };
        assert_eq!(quarter.aim_bps(Trigger::OutsideBand, Some(33_000)), 31_500);
        assert_eq!(quarter.aim_bps(Trigger::OutsideBand, Some(26_000)), 28_500);
        // An emergency is a band exit past the emergency threshold: it aims the same way.
        assert_eq!(quarter.aim_bps(Trigger::Emergency, Some(37_000)), 31_500);
        assert_eq!(full.aim_bps(Trigger::Emergency, Some(37_000)), 30_000);
        assert_eq!(quarter.aim_bps(Trigger::Scheduled, Some(31_000)), 30_000);
        assert_eq!(quarter.aim_bps(Trigger::Emergency, None), 30_000);
        let edge = Band { recentre_share_bps: 0, ..band() };
        assert_eq!(edge.aim_bps(Trigger::OutsideBand, Some(32_500)), 32_000);
        // One third of 2 000 bps is 666.67: rounded toward the target.
        let third = Band { recentre_share_bps: 3_333, ..band() };
        assert_eq!(third.aim_bps(Trigger::OutsideBand, Some(32_500)), 31_333);
        assert!(!Band { recentre_share_bps: BPS + 1, ..band() }.is_valid());
    }

    #[test]
    fn seed_relever_buys_120() {
        // $300 of ETH bought at $1, ETH +20%: 300 units now worth 360.
        let pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let up = Price { wad: WAD * 12 / 10 };
        let plan = plan_rebalance(&pos, up, 30_000, &free()).unwrap();
        match plan {
            Plan::Relever { borrow, swap_in, min_out, reward } => {
                assert_eq!(swap_in, 120 * USD);
                assert_eq!(borrow, 120 * USD);
                assert_eq!(reward, 0);
                assert_eq!(min_out, 99 * USD); // 100 units at 1.2, 1% slippage
            }
            p => panic!("expected relever, got {p:?}"),
        }
        let after = apply_plan_at_price(&pos, up, &plan, 0).unwrap();
        assert_eq!(after.leverage_bps(up, Round::Down), Some(30_000));
        assert_eq!(after.debt, 320 * USD);
    }

    #[test]
    fn seed_delever_sells_120() {
        let pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let down = Price { wad: WAD * 8 / 10 };
        let plan = plan_rebalance(&pos, down, 30_000, &free()).unwrap();
        match plan {
            Plan::Delever { swap_in, min_out, reward } => {
                assert_eq!(swap_in, 150 * USD); // 150 units × 0.8 = $120
                assert_eq!(min_out, 118_800_000);
                assert_eq!(reward, 0);
            }
            p => panic!("expected delever, got {p:?}"),
        }
        let after = apply_plan_at_price(&pos, down, &plan, 0).unwrap();
        assert_eq!(after.debt, 80 * USD);
        assert_eq!(after.nav(down, Round::Down), Some(40 * USD as u128));
        assert_eq!(after.leverage_bps(down, Round::Down), Some(30_000));
    }

    #[test]
    fn fee_aware_plan_lands_on_target() {
        let pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let down = Price { wad: WAD * 8 / 10 };
        let limits = TradeLimits { swap_cost_bps: 30, ..free() };
        let plan = plan_rebalance(&pos, down, 30_000, &limits).unwrap();
        let after = apply_plan_at_price(&pos, down, &plan, 30).unwrap();
        let lev = after.leverage_bps(down, Round::Down).unwrap();
        assert!(lev.abs_diff(30_000) <= 2, "{lev}");
    }

    #[test]
    fn capped_trades_converge() {
        let mut pos = Position { collateral: 300 * USD, debt: 200 * USD };
        let down = Price { wad: WAD * 8 / 10 };
        let limits = TradeLimits { max_trade_quote: 50 * USD, ..free() };
        let mut calls = 0;
        while let Some(plan) = plan_rebalance(&pos, down, 30_000, &limits) {
            pos = apply_plan_at_price(&pos, down, &plan, 0).unwrap();
            calls += 1;
            assert!(calls < 10);
        }
        assert_eq!(calls, 3);
        assert_eq!(pos.leverage_bps(down, Round::Down), Some(30_000));
    }

    #[test]
    fn triggers() {
        let b = band();
        assert!(b.is_valid());
        assert_eq!(rebalance_trigger(&b, Some(30_000), 0, 0), None);
        assert_eq!(rebalance_trigger(&b, Some(22_500), 0, 0), Some(Trigger::OutsideBand));
        assert_eq!(rebalance_trigger(&b, Some(60_000), 0, 0), Some(Trigger::Emergency));
        assert_eq!(rebalance_trigger(&b, None, 0, 0), Some(Trigger::Emergency));
        assert_eq!(rebalance_trigger(&b, Some(30_600), 100, 0), None);
        assert_eq!(rebalance_trigger(&b, Some(30_600), 86_400, 0), Some(Trigger::Scheduled));
        assert_eq!(rebalance_trigger(&b, Some(30_400), 86_400, 0), None);
        assert_eq!(rebalance_trigger(&b, Some(0), 86_400, 0), None);
        // A tolerance of the band's wider half-width switches the scheduled recentre off.
        let off = Band { recentre_tolerance_bps: (b.high_bps - b.target_bps).max(b.target_bps - b.low_bps), ..b };
        assert!(off.is_valid());
        for lev in (b.low_bps..=b.high_bps).step_by(50) {
            assert_eq!(rebalance_trigger(&off, Some(lev), i64::MAX / 2, 0), None, "{lev}");
        }
        assert_eq!(rebalance_trigger(&off, Some(b.high_bps + 1), 0, 0), Some(Trigger::OutsideBand));
    }

    #[test]
    fn overshoot_rules() {
        assert!(moved_toward_target(Some(22_500), Some(30_000), 30_000, 10));
        assert!(moved_toward_target(Some(22_500), Some(30_005), 30_000, 10));
        assert!(!moved_toward_target(Some(22_500), Some(30_500), 30_000, 10));
        assert!(!moved_toward_target(Some(60_000), Some(70_000), 30_000, 10));
        assert!(moved_toward_target(None, Some(70_000), 30_000, 10));
    }

    #[test]
    fn insolvent_vault_sells() {
        let pos = Position { collateral: 100 * USD, debt: 150 * USD };
        let plan = plan_rebalance(&pos, ONE, 30_000, &TradeLimits { max_trade_quote: 40 * USD, ..free() }).unwrap();
        assert!(matches!(plan, Plan::Delever { swap_in, .. } if swap_in == 40 * USD));
    }
}
