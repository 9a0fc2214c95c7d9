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
    pub median_30d_diff: f64,
    pub p05_30d_diff: f64,
    pub median_30d_cost_bps: f64,
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

/// Frictionless 3x compounded every 24 samples over `prices`.
fn ideal_return(prices: &[f64]) -> f64 {
    let mut v = 1.0f64;
    let mut i = 0;
    while i + DAY < prices.len() {
        let r = prices[i + DAY] / prices[i] - 1.0;
        v *= (1.0 + 3.0 * r).max(0.0);
        i += DAY;
    }
    v - 1.0
}

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
    let prices: Vec<f64> = s.iter().map(|x| x.eth_price).collect();
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

    // Daily tracking: consecutive 24-sample steps inside one epoch with no wipe.
    let mut diffs = Vec::new();
    let mut i = 0;
    while i + DAY < n {
        let (a, b) = (&s[i], &s[i + DAY]);
        let clean = a.epoch == b.epoch && !s[i..=i + DAY].iter().any(|x| x.wiped) && a.nav_per_token > 0.0;
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
    let mut start = 0;
    while start + WINDOW <= n {
        let end = start + WINDOW - 1;
        windows += 1;
        let w = &s[start..=end];
        let wiped = w.iter().any(|x| x.wiped) || w[0].epoch != w[WINDOW - 1].epoch;
        let ideal = ideal_return(&prices[start..=end]);
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
                window_costs.push(w.iter().map(|x| x.cost_usd).sum::<f64>() / nav * (365.0 / 30.0) * 10_000.0);
            }
        }
        start += WINDOW_STEP;
    }

    Metrics {
        hours: n as u64,
        wipeouts,
        bad_debt_usdc: finite(run.bad_debt_usd),
        max_leverage: finite(max_leverage),
        min_nav_per_token: finite(min_nav_per_token),
        total_return: finite(total_return),
        ideal_total_return: finite(ideal_return(&prices)),
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
    fn ideal_is_daily_compounded_3x() {
        // +10% a day for 2 days: (1.3)^2 − 1.
        let p: Vec<f64> = (0..49).map(|i| 100.0 * 1.1f64.powi(i / 24)).collect();
        assert!((ideal_return(&p) - (1.3f64.powi(2) - 1.0)).abs() < 1e-12);
        assert_eq!(percentile(&mut [5.0, 1.0, 3.0, 2.0, 4.0], 5.0), 1.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    }
}
