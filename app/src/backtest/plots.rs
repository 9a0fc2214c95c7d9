//! PNG charts of a backtest (plotters, bitmap backend, bundled DejaVu Sans font).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use super::{prices::format_ts, types::StrategyRun};

const SIZE: (u32, u32) = (1400, 800);
const MAX_POINTS: usize = 4_000;
const FLOOR: f64 = 1e-7;

pub(crate) fn register_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, include_bytes!("../../assets/DejaVuSans.ttf")).is_ok());
    if ok {
        Ok(())
    } else {
        Err(anyhow!("bundled font could not be loaded"))
    }
}

pub(crate) fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("plot: {e}")
}

pub(crate) fn color(i: usize) -> RGBColor {
    [
        RGBColor(200, 30, 30),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(90, 90, 90),
        RGBColor(23, 190, 207),
        RGBColor(188, 189, 34),
    ][i % 8]
}

/// Every `k`-th point so a series has at most `MAX_POINTS` (the last point always kept).
fn thin<T: Copy>(v: &[T]) -> Vec<T> {
    let k = v.len().div_ceil(MAX_POINTS).max(1);
    let mut out: Vec<T> = v.iter().step_by(k).copied().collect();
    if let Some(last) = v.last() {
        if !(v.len() - 1).is_multiple_of(k) {
            out.push(*last);
        }
    }
    out
}

fn date_label(ts: &i64) -> String {
    format_ts(*ts)[..10].to_string()
}

/// Frictionless 3x reset at 00:00 UTC (as in the metrics), normalised to 1.0 at the first sample.
fn ideal_series(run: &StrategyRun) -> Vec<(i64, f64)> {
    let s = &run.samples;
    let mut v = 1.0f64;
    let mut out = Vec::with_capacity(s.len());
    let mut anchor = 0usize;
    for (i, x) in s.iter().enumerate() {
        if i > 0 && x.ts.rem_euclid(86_400) == 0 {
            v *= (1.0 + 3.0 * (s[i].eth_price / s[anchor].eth_price - 1.0)).max(0.0);
            anchor = i;
        }
        let intraday = (1.0 + 3.0 * (x.eth_price / s[anchor].eth_price - 1.0)).max(0.0);
        out.push((x.ts, (v * intraday).max(FLOOR)));
    }
    out
}

/// NAV per token of every strategy, ideal 3x and ETH, normalised, on a log scale.
fn nav_chart(runs: &[StrategyRun], path: &Path, from: usize, to: usize, title: &str) -> Result<()> {
    let ours = &runs[0];
    let s = &ours.samples[from..to];
    let (t0, t1) = (s[0].ts, s[s.len() - 1].ts);
    let ideal = ideal_series(&StrategyRun { samples: s.to_vec(), ..Default::default() });
    let mut series: Vec<(String, Vec<(i64, f64)>)> = Vec::new();
    for r in runs {
        let rs = &r.samples[from..to.min(r.samples.len())];
        let base = rs[0].nav_per_token.max(FLOOR);
        // A holder of the product is wiped out with it: the line ends at the first wipeout
        // (a relaunched product is a new investment).
        let mut pts = Vec::with_capacity(rs.len());
        for x in rs {
            if x.wiped || x.epoch != rs[0].epoch {
                pts.push((x.ts, FLOOR));
                break;
            }
            pts.push((x.ts, (x.nav_per_token / base).max(FLOOR)));
        }
        series.push((r.name.clone(), pts));
    }
    series.push(("ideal 3x daily".into(), ideal));
    series.push(("ETH".into(), s.iter().map(|x| (x.ts, (x.eth_price / s[0].eth_price).max(FLOOR))).collect()));
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for (_, pts) in &series {
        for (_, v) in pts {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(t0..t1, (lo * 0.8..hi * 1.25).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .x_label_formatter(&date_label)
        .y_label_formatter(&|v: &f64| if *v >= 0.01 { format!("{v:.2}") } else { format!("{v:.0e}") })
        .y_desc("value of $1 invested (log scale)")
        .draw()
        .map_err(err)?;
    let n = series.len();
    for (i, (name, pts)) in series.into_iter().enumerate() {
        let c = if i == n - 1 {
            RGBColor(0, 0, 0)
        } else if i == n - 2 {
            RGBColor(120, 120, 120)
        } else {
            color(i)
        };
        let width = if i == 0 { 3 } else { 1 };
        chart
            .draw_series(LineSeries::new(thin(&pts), c.stroke_width(width)))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart.configure_series_labels().position(SeriesLabelPosition::UpperLeft).background_style(WHITE.mix(0.85)).border_style(BLACK).draw().map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn leverage_chart(runs: &[StrategyRun], path: &Path, band: (f64, f64, f64), from: usize, to: usize, title: &str) -> Result<()> {
    let s = &runs[0].samples[from..to];
    let (t0, t1) = (s[0].ts, s[s.len() - 1].ts);
    let top = s.iter().map(|x| x.max_leverage_in_hour).filter(|x| x.is_finite()).fold(band.2, f64::max) * 1.1;
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(t0..t1, 1.5f64..top)
        .map_err(err)?;
    chart.configure_mesh().x_labels(8).x_label_formatter(&date_label).y_desc("leverage (x)").draw().map_err(err)?;
    for (level, label, c) in [(band.0, "band low", BLUE), (band.1, "band high", BLUE), (3.0, "target 3x", GREEN), (band.2, "emergency", RED)] {
        chart
            .draw_series(LineSeries::new(vec![(t0, level), (t1, level)], c.mix(0.6).stroke_width(1)))
            .map_err(err)?
            .label(format!("{label} {level:.2}x"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c));
    }
    let peak: Vec<(i64, f64)> = s.iter().map(|x| (x.ts, x.max_leverage_in_hour.min(top))).collect();
    chart
        .draw_series(LineSeries::new(thin(&peak), RGBColor(255, 127, 14).stroke_width(1)))
        .map_err(err)?
        .label("ours: highest in the hour (before the keeper acts)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RGBColor(255, 127, 14)));
    let end: Vec<(i64, f64)> = s.iter().map(|x| (x.ts, x.leverage.min(top))).collect();
    chart
        .draw_series(LineSeries::new(thin(&end), RGBColor(200, 30, 30).stroke_width(2)))
        .map_err(err)?
        .label("ours: end of hour")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RGBColor(200, 30, 30)));
    chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).background_style(WHITE.mix(0.85)).border_style(BLACK).draw().map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn drawdown_chart(runs: &[StrategyRun], path: &Path) -> Result<()> {
    let s = &runs[0].samples;
    let (t0, t1) = (s[0].ts, s[s.len() - 1].ts);
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Drawdown of NAV per token from its running peak", ("sans-serif", 26))
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(t0..t1, -100f64..0f64)
        .map_err(err)?;
    chart.configure_mesh().x_labels(8).x_label_formatter(&date_label).y_desc("drawdown (%)").draw().map_err(err)?;
    for (i, r) in runs.iter().enumerate() {
        let mut peak = 0.0f64;
        let mut epoch = u32::MAX;
        let pts: Vec<(i64, f64)> = r
            .samples
            .iter()
            .map(|x| {
                if x.epoch != epoch {
                    epoch = x.epoch;
                    peak = 0.0;
                }
                peak = peak.max(x.nav_per_token);
                let dd = if x.wiped || peak <= 0.0 { -100.0 } else { (x.nav_per_token / peak - 1.0) * 100.0 };
                (x.ts, dd.max(-100.0))
            })
            .collect();
        let c = color(i);
        chart
            .draw_series(LineSeries::new(thin(&pts), c.stroke_width(if i == 0 { 2 } else { 1 })))
            .map_err(err)?
            .label(r.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart.configure_series_labels().position(SeriesLabelPosition::LowerLeft).background_style(WHITE.mix(0.85)).border_style(BLACK).draw().map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Write every chart into `out_dir`; `band` = (low, high, emergency) leverage.
pub fn plot_all(runs: &[StrategyRun], out_dir: &Path, band: (f64, f64, f64)) -> Result<Vec<PathBuf>> {
    anyhow::ensure!(!runs.is_empty() && runs[0].samples.len() > 1, "nothing to plot");
    register_font()?;
    let n = runs[0].samples.len();
    let mut files = Vec::new();
    let p = out_dir.join("nav.png");
    nav_chart(runs, &p, 0, n, "NAV per token vs ideal 3x vs ETH (log scale)")?;
    files.push(p);
    let p = out_dir.join("leverage.png");
    leverage_chart(runs, &p, band, 0, n, "Leverage of ours over time, with the band and the emergency threshold")?;
    files.push(p);
    let p = out_dir.join("drawdowns.png");
    drawdown_chart(runs, &p)?;
    files.push(p);
    for day in ["2020-03-12", "2021-05-19"] {
        let center = super::prices::parse_date(day)? + 12 * 3_600;
        let s = &runs[0].samples;
        let from = s.partition_point(|x| x.ts < center - 3 * 86_400);
        let to = s.partition_point(|x| x.ts <= center + 3 * 86_400);
        if to <= from + 24 || from == 0 && s[0].ts > center || to == s.len() && s[s.len() - 1].ts < center {
            continue;
        }
        let p = out_dir.join(format!("zoom_{day}_nav.png"));
        nav_chart(runs, &p, from, to, &format!("{day} ± 3 days: NAV per token vs ideal 3x vs ETH"))?;
        files.push(p);
        let p = out_dir.join(format!("zoom_{day}_leverage.png"));
        leverage_chart(runs, &p, band, from, to, &format!("{day} ± 3 days: leverage of ours (keeper acts every 2% move)"))?;
        files.push(p);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::types::HourSample;

    fn run(name: &str, drift: f64) -> StrategyRun {
        let start = crate::backtest::prices::parse_date("2020-03-09").unwrap();
        let samples = (0..2_000)
            .map(|i| {
                let price = 200.0 * (1.0 + 0.2 * ((i as f64) / 50.0).sin()) * if (72..84).contains(&i) { 0.7 } else { 1.0 };
                HourSample {
                    ts: start + 3_600 * i as i64,
                    eth_price: price,
                    nav_per_token: (1.0 + drift * i as f64).max(0.01),
                    leverage: 3.0 + 0.2 * ((i as f64) / 7.0).sin(),
                    max_leverage_in_hour: 3.1 + 0.3 * ((i as f64) / 7.0).sin().abs(),
                    nav_usd: 100_000.0,
                    wiped: false,
                    epoch: 0,
                    cost_usd: 1.0,
                    interest_usd: 0.5,
                    rebalances: (i % 10 == 0) as u32,
                }
            })
            .collect();
        StrategyRun { name: name.into(), samples, ..Default::default() }
    }

    #[test]
    fn writes_every_chart() {
        let dir = tempfile::tempdir().unwrap();
        let files = plot_all(&[run("ours", 0.0001), run("ftx_daily", -0.0001)], dir.path(), (2.8, 3.2, 3.6)).unwrap();
        // nav, leverage, drawdowns, and the 2020-03-12 zoom pair (2021-05-19 is outside the run).
        assert_eq!(files.len(), 5, "{files:?}");
        for f in &files {
            let len = std::fs::metadata(f).unwrap().len();
            assert!(len > 20_000, "{} is only {len} bytes", f.display());
        }
    }
}
