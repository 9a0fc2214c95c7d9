//! Per-strategy metrics of a backtest run, and the comparison table / JSON.

use serde::Serialize;

use super::types::StrategyRun;

/// The report's metrics; the field names are the JSON keys.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Metrics {
    pub hours: u64,
    pub wipeouts: u64,
    pub bad_debt_usdc: f64,
    pub max_leverage: f64,
    pub min_nav_per_token: f64,
    pub total_return: f64,
    pub ideal_total_return: f64,
    pub tracking_error_annual: f64,
    pub rebalances: u64,
    pub cost_bps_per_year: f64,
    pub interest_paid_usdc: f64,
    /// Shown in the table; not one of the JSON report's keys.
    #[serde(skip)]
    pub fees_to_treasury_usdc: f64,
    pub windows_30d: u64,
    pub windows_30d_wiped: u64,
    /// Signed: a rule that runs under 3x in a falling market shows a positive median here without
    /// tracking any better; see `median_abs_30d_diff`.
    pub median_30d_diff: f64,
    pub p05_30d_diff: f64,
    /// Swap fees, price impact against the oracle and keeper rewards, annualised, per 30-day window.
    pub median_30d_cost_bps: f64,
    /// Median |window return − ideal 3x window return|.
    pub median_abs_30d_diff: f64,
    /// 90% block-bootstrap interval of `median_abs_30d_diff` (5th, 95th percentile).
    pub median_abs_30d_diff_ci90: [f64; 2],
    /// Time-weighted mean leverage over the hours the product was alive.
    pub mean_leverage: f64,
    /// Interest on the vault's debt, annualised, per 30-day window.
    pub median_30d_interest_bps: f64,
    /// Cost plus interest, annualised, per 30-day window.
    pub median_30d_total_cost_bps: f64,
    /// 90% block-bootstrap interval of `median_30d_total_cost_bps`.
    pub median_30d_total_cost_bps_ci90: [f64; 2],
}

const DAY: usize = 24;
const WINDOW: usize = 30 * DAY;
const WINDOW_STEP: usize = 7 * DAY;

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// The products' stated reset time: 00:00 UTC. A sample is the state at its `ts`.
fn is_reset(ts: i64) -> bool {
    ts.rem_euclid(86_400) == 0
}

/// Frictionless 3x over `(ts, price)` points, reset to 3x at every 00:00 UTC (as the daily
/// products do) and at the end: a window starting at 09:00 compounds 09:00 → 00:00, then whole
/// days, then the last partial day.
fn ideal_return(points: &[(i64, f64)]) -> f64 {
    let Some(&(_, first)) = points.first() else { return 0.0 };
    let mut v = 1.0f64;
    let mut anchor = first;
    for (k, &(ts, p)) in points.iter().enumerate().skip(1) {
        if is_reset(ts) || k == points.len() - 1 {
            v *= (1.0 + 3.0 * (p / anchor - 1.0)).max(0.0);
            anchor = p;
        }
    }
    v - 1.0
}

/// Block bootstrap of the median: `reps` resamples of `values` (in time order) built from
/// blocks of `block` consecutive values starting at random offsets (wrapping), so the overlap
/// between neighbouring 30-day windows is kept. Returns the 5th and 95th percentile. Seeded:
/// the same input gives the same interval.
pub fn bootstrap_median_ci90(values: &[f64], block: usize, reps: usize, seed: u64) -> [f64; 2] {
    if values.is_empty() {
        return [0.0, 0.0];
    }
    let n = values.len();
    let block = block.clamp(1, n);
    let mut rng = levtoken_client::rng::SplitMix64(seed);
    let mut medians = Vec::with_capacity(reps);
    let mut buf = Vec::with_capacity(n + block);
    for _ in 0..reps {
        buf.clear();
        while buf.len() < n {
            let start = rng.below(n as u64) as usize;
            buf.extend((0..block).map(|k| values[(start + k) % n]));
        }
        buf.truncate(n);
        medians.push(median(&mut buf));
    }
    [percentile(&mut medians.clone(), 5.0), percentile(&mut medians, 95.0)]
}

/// Windows overlap: a 30-day window every 7 days shares most of its hours with the next four.
const BOOTSTRAP_BLOCK: usize = 5;
const BOOTSTRAP_REPS: usize = 2_000;
const BOOTSTRAP_SEED: u64 = 0x5eed_2017_0817;

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile, `p` in 0..=100.
fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

pub fn compute(run: &StrategyRun) -> Metrics {
    let s = &run.samples;
    let n = s.len();
    let wipeouts = s.iter().filter(|x| x.wiped).count() as u64;
    let alive = || s.iter().filter(|x| !x.wiped);
    let max_leverage = alive().map(|x| x.max_leverage_in_hour).filter(|l| l.is_finite()).fold(0.0, f64::max);
    let min_nav_per_token = alive().map(|x| x.nav_per_token).fold(f64::INFINITY, f64::min);
    let total_return = if n < 2 || wipeouts > 0 {
        if wipeouts > 0 {
            -1.0
        } else {
            0.0
        }
    } else {
        s[n - 1].nav_per_token / s[0].nav_per_token - 1.0
    };

    // Daily tracking, day by day from 00:00 UTC (the reset time), inside one epoch with no wipe.
    let mut diffs = Vec::new();
    let mut i = s.iter().position(|x| is_reset(x.ts)).unwrap_or(n);
    while i + DAY < n {
        let (a, b) = (&s[i], &s[i + DAY]);
        let clean = a.epoch == b.epoch && !s[i..=i + DAY].iter().any(|x| x.wiped) && a.nav_per_token > 0.0 && b.ts - a.ts == 86_400;
        if clean {
            diffs.push((b.nav_per_token / a.nav_per_token - 1.0) - 3.0 * (b.eth_price / a.eth_price - 1.0));
        }
        i += DAY;
    }
    let tracking_error_annual = if diffs.len() > 1 {
        let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
        let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (diffs.len() - 1) as f64;
        var.sqrt() * 365f64.sqrt()
    } else {
        0.0
    };

    let alive_nav: Vec<f64> = alive().map(|x| x.nav_usd).collect();
    let mean_nav = if alive_nav.is_empty() { 0.0 } else { alive_nav.iter().sum::<f64>() / alive_nav.len() as f64 };
    let years = n as f64 / 8_760.0;
    let cost: f64 = s.iter().map(|x| x.cost_usd).sum();
    let cost_bps_per_year = if mean_nav > 0.0 && years > 0.0 { cost / mean_nav / years * 10_000.0 } else { 0.0 };

    let mut windows = 0u64;
    let mut wiped_windows = 0u64;
    let mut window_diffs = Vec::new();
    let mut window_costs = Vec::new();
    let mut window_interest = Vec::new();
    let mut window_total = Vec::new();
    let points: Vec<(i64, f64)> = s.iter().map(|x| (x.ts, x.eth_price)).collect();
    let mut start = 0;
    while start + WINDOW <= n {
        let end = start + WINDOW - 1;
        windows += 1;
        let w = &s[start..=end];
        let wiped = w.iter().any(|x| x.wiped) || w[0].epoch != w[WINDOW - 1].epoch;
        let ideal = ideal_return(&points[start..=end]);
        let ret = if wiped {
            wiped_windows += 1;
            -1.0
        } else {
            w[WINDOW - 1].nav_per_token / w[0].nav_per_token - 1.0
        };
        window_diffs.push(ret - ideal);
        if !wiped {
            let nav = w.iter().map(|x| x.nav_usd).sum::<f64>() / WINDOW as f64;
            if nav > 0.0 {
                let annual_bps = |usd: f64| usd / nav * (365.0 / 30.0) * 10_000.0;
                let cost = annual_bps(w.iter().map(|x| x.cost_usd).sum::<f64>());
                let interest = annual_bps(w.iter().map(|x| x.interest_usd).sum::<f64>());
                window_costs.push(cost);
                window_interest.push(interest);
                window_total.push(cost + interest);
            }
        }
        start += WINDOW_STEP;
    }

    let abs_diffs: Vec<f64> = window_diffs.iter().map(|d| d.abs()).collect();
    let lev: Vec<f64> = alive().map(|x| x.leverage).filter(|l| l.is_finite()).collect();
    let mean_leverage = if lev.is_empty() { 0.0 } else { lev.iter().sum::<f64>() / lev.len() as f64 };
    let ci = |v: &[f64]| bootstrap_median_ci90(v, BOOTSTRAP_BLOCK, BOOTSTRAP_REPS, BOOTSTRAP_SEED).map(finite);

    Metrics {
        hours: n as u64,
        wipeouts,
        bad_debt_usdc: finite(run.bad_debt_usd),
        max_leverage: finite(max_leverage),
        min_nav_per_token: finite(min_nav_per_token),
        total_return: finite(total_return),
        ideal_total_return: finite(ideal_return(&points)),
        tracking_error_annual: finite(tracking_error_annual),
        rebalances: run.rebalances(),
        cost_bps_per_year: finite(cost_bps_per_year),
        interest_paid_usdc: finite(s.iter().map(|x| x.interest_usd).sum()),
        fees_to_treasury_usdc: finite(run.fees_to_treasury_usd),
        windows_30d: windows,
        windows_30d_wiped: wiped_windows,
        median_30d_diff: finite(median(&mut window_diffs.clone())),
        p05_30d_diff: finite(percentile(&mut window_diffs, 5.0)),
        median_30d_cost_bps: finite(median(&mut window_costs)),
        median_abs_30d_diff: finite(median(&mut abs_diffs.clone())),
        median_abs_30d_diff_ci90: ci(&abs_diffs),
        mean_leverage: finite(mean_leverage),
        median_30d_interest_bps: finite(median(&mut window_interest)),
        median_30d_total_cost_bps: finite(median(&mut window_total.clone())),
        median_30d_total_cost_bps_ci90: ci(&window_total),
    }
}

/// `{"ours": {...}, "peers": {name: {...}, ...}}`.
pub fn to_json(ours: &Metrics, peers: &[(&str, Metrics)]) -> serde_json::Value {
    let mut p = serde_json::Map::new();
    for (name, m) in peers {
        p.insert((*name).to_string(), serde_json::to_value(m).unwrap_or_default());
    }
    serde_json::json!({ "ours": ours, "peers": p })
}

fn usd(x: f64) -> String {
    let neg = x < 0.0;
    let whole = x.abs().round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if neg { "-" } else { "" })
}

fn pct(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{:+.3e}", x * 100.0)
    } else {
        format!("{:+.2}%", x * 100.0)
    }
}

/// A fixed-width comparison: one column per strategy, one row per metric.
pub fn table(rows: &[(&str, &Metrics)]) -> String {
    type Row = (&'static str, fn(&Metrics) -> String);
    let lines: Vec<Row> = vec![
        ("hours", |m| m.hours.to_string()),
        ("wipeouts", |m| m.wipeouts.to_string()),
        ("bad debt", |m| usd(m.bad_debt_usdc)),
        ("max leverage", |m| format!("{:.2}x", m.max_leverage)),
        ("min NAV/token", |m| format!("{:.6}", m.min_nav_per_token)),
        ("total return", |m| pct(m.total_return)),
        ("ideal 3x return", |m| pct(m.ideal_total_return)),
        ("tracking error/yr", |m| format!("{:.1}%", m.tracking_error_annual * 100.0)),
        ("rebalances", |m| m.rebalances.to_string()),
        ("cost bps/yr", |m| format!("{:.0}", m.cost_bps_per_year)),
        ("interest paid", |m| usd(m.interest_paid_usdc)),
        ("fees to treasury", |m| usd(m.fees_to_treasury_usdc)),
        ("30d windows", |m| m.windows_30d.to_string()),
        ("30d windows wiped", |m| m.windows_30d_wiped.to_string()),
        ("median 30d vs ideal", |m| pct(m.median_30d_diff)),
        ("p05 30d vs ideal", |m| pct(m.p05_30d_diff)),
        ("median 30d cost bps", |m| format!("{:.0}", m.median_30d_cost_bps)),
        ("median 30d int. bps", |m| format!("{:.0}", m.median_30d_interest_bps)),
        ("median 30d total bps", |m| format!("{:.0}", m.median_30d_total_cost_bps)),
        ("  90% interval", |m| format!("{:.0}–{:.0}", m.median_30d_total_cost_bps_ci90[0], m.median_30d_total_cost_bps_ci90[1])),
        ("median |30d vs ideal|", |m| format!("{:.2}%", m.median_abs_30d_diff * 100.0)),
        ("  90% interval", |m| format!("{:.2}–{:.2}%", m.median_abs_30d_diff_ci90[0] * 100.0, m.median_abs_30d_diff_ci90[1] * 100.0)),
        ("mean leverage", |m| format!("{:.2}x", m.mean_leverage)),
    ];
    let mut out = format!("{:<22}", "metric");
    for (name, _) in rows {
        out += &format!("{:>14}", name);
    }
    out.push('\n');
    for (label, f) in lines {
        out += &format!("{label:<22}");
        for (_, m) in rows {
            out += &format!("{:>14}", f(m));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::types::HourSample;

    fn sample(i: usize, price: f64, npt: f64) -> HourSample {
        HourSample {
            ts: 1_600_000_000 + 3_600 * i as i64,
            eth_price: price,
            nav_per_token: npt,
            leverage: 3.0,
            max_leverage_in_hour: 3.0,
            nav_usd: 1_000.0,
            wiped: false,
            epoch: 0,
            cost_usd: 0.01,
            interest_usd: 0.1,
            rebalances: 0,
        }
    }

    #[test]
    fn flat_market() {
        let run = StrategyRun { name: "x".into(), samples: (0..1000).map(|i| sample(i, 100.0, 1.0)).collect(), ..Default::default() };
        let m = compute(&run);
        assert_eq!(m.hours, 1000);
        assert_eq!(m.total_return, 0.0);
        assert_eq!(m.ideal_total_return, 0.0);
        assert_eq!(m.tracking_error_annual, 0.0);
        // Windows start at 0 and 168 (168 + 720 ≤ 1000; 336 + 720 > 1000).
        assert_eq!(m.windows_30d, 2);
        assert_eq!(m.median_30d_diff, 0.0);
        // 0.01 $/h on $1,000 for a year: 87.6 $/yr = 876 bps.
        assert!((m.cost_bps_per_year - 876.0).abs() < 1e-6);
        assert!((m.interest_paid_usdc - 100.0).abs() < 1e-6);
        assert_eq!(m.max_leverage, 3.0);
        let json = to_json(&m, &[("ftx_daily", m.clone())]);
        assert_eq!(json["peers"]["ftx_daily"]["windows_30d"], 2);
        assert!(table(&[("ours", &m)]).contains("max leverage"));
    }

    #[test]
    fn a_wipeout_counts_everywhere() {
        let mut samples: Vec<HourSample> = (0..900).map(|i| sample(i, 100.0 + i as f64, 1.0 + i as f64 / 1000.0)).collect();
        samples[500].wiped = true;
        samples[500].max_leverage_in_hour = f64::INFINITY;
        for x in samples.iter_mut().skip(501) {
            x.epoch = 1;
        }
        let run = StrategyRun { name: "x".into(), samples, bad_debt_usd: 12.0, ..Default::default() };
        let m = compute(&run);
        assert_eq!(m.wipeouts, 1);
        assert_eq!(m.total_return, -1.0);
        assert_eq!(m.bad_debt_usdc, 12.0);
        // Windows at 0 and 168 (168 + 720 ≤ 900); both contain hour 500.
        assert_eq!(m.windows_30d, 2);
        assert_eq!(m.windows_30d_wiped, 2);
        assert_eq!(m.max_leverage, 3.0);
        assert!(serde_json::to_string(&m).is_ok());
    }

    #[test]
    fn ideal_is_3x_reset_at_midnight_utc() {
        // From 09:00: flat to midnight's +10%, then +10% over the next day; resets at 00:00 UTC
        // give 1.3 × 1.3. (Compounding every 24 samples from 09:00 would give 1.3 × 1.0.)
        let day = 86_400i64;
        let t0 = 1_600_000_000 - 1_600_000_000 % day + 9 * 3_600;
        let pts: Vec<(i64, f64)> = (0..=39)
            .map(|h| {
                let ts = t0 + h * 3_600;
                (
                    ts,
                    if ts < t0 - 9 * 3_600 + day {
                        100.0
                    } else if ts < t0 - 9 * 3_600 + 2 * day {
                        110.0
                    } else {
                        121.0
                    },
                )
            })
            .collect();
        assert!(is_reset(pts[15].0) && !is_reset(pts[14].0));
        assert!((ideal_return(&pts) - (1.3f64 * 1.3 - 1.0)).abs() < 1e-12, "{}", ideal_return(&pts));
        // A window ending mid-day compounds the last partial day: 09:00 → 00:00 (+10%) → 12:00 (+10%).
        let mut half = pts[..28].to_vec();
        half[27].1 = 121.0;
        assert!((ideal_return(&half) - (1.3f64 * 1.3 - 1.0)).abs() < 1e-12);
        assert_eq!(percentile(&mut [5.0, 1.0, 3.0, 2.0, 4.0], 5.0), 1.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn absolute_diff_interest_total_cost_and_mean_leverage() {
        // Flat ETH (ideal 0). Window 0 (hours 0..=719) ends +10%, window 1 (168..=887) ends −10%:
        // the signed median is 0, the absolute median 10%.
        let samples: Vec<HourSample> = (0..1000)
            .map(|i| {
                let npt = if i < 168 {
                    1.0
                } else if i < 720 {
                    1.1
                } else {
                    0.99
                };
                HourSample { leverage: if i % 2 == 0 { 2.0 } else { 4.0 }, ..sample(i, 100.0, npt) }
            })
            .collect();
        let m = compute(&StrategyRun { name: "x".into(), samples, ..Default::default() });
        assert_eq!(m.windows_30d, 2);
        assert!(m.median_30d_diff.abs() < 1e-12, "{}", m.median_30d_diff);
        assert!((m.median_abs_30d_diff - 0.1).abs() < 1e-12, "{}", m.median_abs_30d_diff);
        assert!((m.mean_leverage - 3.0).abs() < 1e-12);
        // $0.01 cost and $0.10 interest an hour on $1,000: 876 and 8,760 bps a year.
        assert!((m.median_30d_cost_bps - 876.0).abs() < 1e-6);
        assert!((m.median_30d_interest_bps - 8_760.0).abs() < 1e-6);
        assert!((m.median_30d_total_cost_bps - 9_636.0).abs() < 1e-6);
        assert!((m.median_30d_total_cost_bps_ci90[0] - 9_636.0).abs() < 1e-6 && (m.median_30d_total_cost_bps_ci90[1] - 9_636.0).abs() < 1e-6);
        let json = serde_json::to_value(&m).unwrap();
        for key in [
            "median_abs_30d_diff",
            "median_abs_30d_diff_ci90",
            "mean_leverage",
            "median_30d_interest_bps",
            "median_30d_total_cost_bps",
            "median_30d_total_cost_bps_ci90",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn the_bootstrap_interval_is_seeded_and_brackets_the_median() {
        let v: Vec<f64> = (0..60).map(|i| ((i * 37) % 60) as f64).collect();
        let a = bootstrap_median_ci90(&v, 5, 2_000, 7);
        assert_eq!(a, bootstrap_median_ci90(&v, 5, 2_000, 7));
        let med = median(&mut v.clone());
        assert!(a[0] < med && med < a[1], "{a:?} {med}");
        assert!(a[0] >= 0.0 && a[1] <= 59.0);
        assert_eq!(bootstrap_median_ci90(&[4.0; 9], 5, 100, 1), [4.0, 4.0]);
        assert_eq!(bootstrap_median_ci90(&[], 5, 100, 1), [0.0, 0.0]);
    }
}
