//! The data every backtest engine produces and every report consumes.

use serde::Serialize;

/// One hourly close.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PricePoint {
    /// Unix seconds (UTC) of the candle's open; candles are hourly.
    pub ts: i64,
    /// ETH price in USD (the candle's close).
    pub close: f64,
    /// The candle's high and low (the close when the file has none or they are inconsistent).
    pub high: f64,
    pub low: f64,
}

#[cfg(test)]
impl PricePoint {
    /// A point with no intrahour range (high = low = close).
    pub fn at(ts: i64, close: f64) -> Self {
        PricePoint { ts, close, high: close, low: close }
    }
}

/// One strategy at the end of one simulated hour.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct HourSample {
    pub ts: i64,
    pub eth_price: f64,
    /// NAV per token in USD; 1.0 at each launch.
    pub nav_per_token: f64,
    /// Collateral value / NAV; `f64::INFINITY` when NAV ≤ 0.
    pub leverage: f64,
    /// Highest leverage seen inside the hour (before the keeper acted at each sub-step).
    pub max_leverage_in_hour: f64,
    pub nav_usd: f64,
    /// NAV ≤ 0 at some point in this hour (the product is then relaunched, see `epoch`).
    pub wiped: bool,
    /// Launch counter: 0 for the first launch, +1 after every wipeout and relaunch.
    pub epoch: u32,
    /// Swap fees + slippage against the oracle paid by the vault during this hour, USD.
    pub cost_usd: f64,
    /// Interest accrued on the vault's debt during this hour, USD.
    pub interest_usd: f64,
    /// Rebalance trades executed during this hour.
    pub rebalances: u32,
}

/// A whole run of one strategy.
#[derive(Clone, Debug, Default)]
pub struct StrategyRun {
    /// `ours`, `ftx_daily`, `band_edge`, `fli`, `daily_only`.
    pub name: String,
    pub samples: Vec<HourSample>,
    /// USD of debt left unpaid when a vault was wiped out (collateral worth less than the debt).
    pub bad_debt_usd: f64,
    /// Fees paid to the treasury (mint/redeem fees + streaming fee at NAV), USD.
    pub fees_to_treasury_usd: f64,
}

impl StrategyRun {
    pub fn rebalances(&self) -> u64 {
        self.samples.iter().map(|s| s.rebalances as u64).sum()
    }
}
