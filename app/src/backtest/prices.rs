//! Hourly OHLC CSV parsing: Binance-style exports with rows newest-first or oldest-first, `unix`
//! in milliseconds or in seconds (possibly with a fractional part), `NULL`s, and a header line.
//! `unix` and `close` are required; `high` and `low`, when present, give the intrahour range for
//! `--intrahour high-low` (a row whose range does not contain its close, or is not positive, is
//! treated as having none: the early rows are noisy).

use anyhow::{bail, Context, Result};

use super::types::PricePoint;

/// The bundled history: Binance ETH/USDT hourly candles 2017-08-17 → 2021-06-10.
pub const BUNDLED_GZ: &[u8] = include_bytes!("../../data/eth_usdt_1h.csv.gz");

/// The bundled history, parsed.
pub fn bundled() -> Result<Vec<PricePoint>> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(BUNDLED_GZ).read_to_string(&mut text).context("decompress bundled prices")?;
    parse_csv(&text)
}

/// Parse a CSV with a header naming `unix` (or `timestamp`/`time`) and `close` columns; returns
/// points sorted by time, duplicates removed, non-positive closes rejected.
pub fn parse_csv(text: &str) -> Result<Vec<PricePoint>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().context("empty price file")?;
    let cols: Vec<String> = header.split(',').map(|c| c.trim().trim_matches('"').to_ascii_lowercase()).collect();
    let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
    let Some(ts_col) = find(&["unix", "timestamp", "time", "open_time", "date_unix"]) else { bail!("no unix/timestamp column in header: {header}") };
    let Some(close_col) = find(&["close"]) else { bail!("no close column in header: {header}") };
    let (high_col, low_col) = (find(&["high"]), find(&["low"]));
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim().trim_matches('"')).collect();
        let row = i + 2;
        let ts_raw = fields.get(ts_col).with_context(|| format!("row {row}: missing timestamp"))?;
        let close_raw = fields.get(close_col).with_context(|| format!("row {row}: missing close"))?;
        let ts = parse_unix(ts_raw).with_context(|| format!("row {row}: bad timestamp {ts_raw:?}"))?;
        let close: f64 = close_raw.parse().with_context(|| format!("row {row}: bad close {close_raw:?}"))?;
        if !(close.is_finite() && close > 0.0) {
            bail!("row {row}: close must be positive, got {close}");
        }
        let num = |col: Option<usize>| col.and_then(|c| fields.get(c)).and_then(|f| f.parse::<f64>().ok()).filter(|x| x.is_finite() && *x > 0.0);
        let (high, low) = match (num(high_col), num(low_col)) {
            (Some(h), Some(l)) if l <= close && close <= h => (h, l),
            _ => (close, close),
        };
        out.push(PricePoint { ts, close, high, low });
    }
    out.sort_by_key(|p| p.ts);
    // The same hour may appear twice (exports that switched timestamp format): keep one.
    out.dedup_by_key(|p| p.ts);
    if out.len() < 2 {
        bail!("need at least two candles, got {}", out.len());
    }
    Ok(out)
}

/// Unix time in seconds from seconds, milliseconds or microseconds, integer or fractional.
pub fn parse_unix(raw: &str) -> Result<i64> {
    let v: f64 = raw.parse().context("not a number")?;
    if !v.is_finite() || v <= 0.0 {
        bail!("not a positive time");
    }
    let secs = if v >= 1e14 {
        v / 1e6
    } else if v >= 1e11 {
        v / 1e3
    } else {
        v
    };
    Ok(secs.round() as i64)
}

/// Points with `from <= ts < to` (either bound optional).
pub fn window(points: &[PricePoint], from: Option<i64>, to: Option<i64>) -> Vec<PricePoint> {
    points.iter().copied().filter(|p| from.is_none_or(|f| p.ts >= f) && to.is_none_or(|t| p.ts < t)).collect()
}

/// `YYYY-MM-DD` (UTC midnight) to unix seconds.
pub fn parse_date(s: &str) -> Result<i64> {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        bail!("expected YYYY-MM-DD, got {s:?}");
    }
    let (y, m, d): (i64, i64, i64) = (parts[0].parse()?, parts[1].parse()?, parts[2].parse()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        bail!("expected YYYY-MM-DD, got {s:?}");
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok((era * 146_097 + doe - 719_468) * 86_400)
}

/// Unix seconds to `YYYY-MM-DD HH:MM` UTC.
pub fn format_ts(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_timestamp_formats_and_sorts() {
        let csv = "unix,date,symbol,open,high,low,close,Volume ETH,Volume USDT,tradecount\n\
                   1623283200000,2021-06-10 00:00:00,ETH/USDT,2610.2,2622,2595.4,2620.87,1,1,6356\n\
                   1502949600.0,2017-08-17 06-AM,ETH/USDT,300,302,299,301.5,1,1,NULL\n\
                   1623279600000,2021-06-09 23:00:00,ETH/USDT,2598.61,2613.42,2585.48,2610.18,1,1,33224\n";
        let p = parse_csv(csv).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], PricePoint { ts: 1_502_949_600, close: 301.5, high: 302.0, low: 299.0 });
        assert_eq!((p[2].high, p[2].low), (2622.0, 2595.4));
        assert_eq!(p[2].ts, 1_623_283_200);
        assert_eq!(format_ts(p[2].ts), "2021-06-10 00:00");
        assert_eq!(parse_date("2021-06-10").unwrap(), 1_623_283_200);
    }

    #[test]
    fn a_missing_or_inconsistent_range_is_the_close() {
        let csv = "unix,high,low,close\n1623283200,10,9,12\n1623279600,x,1,3\n1623276000,4,2,3\n";
        let p = parse_csv(csv).unwrap();
        assert_eq!((p[0].high, p[0].low), (4.0, 2.0));
        assert_eq!((p[1].high, p[1].low), (3.0, 3.0));
        assert_eq!((p[2].high, p[2].low), (12.0, 12.0));
        let p = parse_csv("unix,close\n1623283200,5\n1623279600,3\n").unwrap();
        assert_eq!((p[1].high, p[1].low), (5.0, 5.0));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_csv("").is_err());
        assert!(parse_csv("a,b\n1,2\n").is_err());
        assert!(parse_csv("unix,close\n1623283200000,-5\n1623279600000,3\n").is_err());
        assert!(parse_csv("unix,close\nabc,5\n1623279600000,3\n").is_err());
    }

    #[test]
    fn bundled_history_is_complete() {
        let p = bundled().unwrap();
        // 36,062 rows; 2,649 hours appear twice (once per timestamp format, same prices).
        assert_eq!(p.len(), 33_413);
        assert_eq!(format_ts(p[0].ts), "2017-08-17 04:00");
        assert_eq!(format_ts(p.last().unwrap().ts), "2021-06-10 00:00");
        // The 2020-03-12 crash: the worst hour is −20.9% close to close.
        let worst = p.windows(2).map(|w| w[1].close / w[0].close - 1.0).fold(0.0f64, f64::min);
        assert!((worst + 0.209).abs() < 0.001, "{worst}");
    }
}
