//! `levtoken backtest`: the real programs (or the economics crate alone) replayed hour by hour over
//! ETH history, beside the rules of peer products on the same prices and cost model.

pub mod bank_venue;
pub mod cmd;
pub mod math_venue;
pub mod metrics;
pub mod plots;
pub mod prices;
pub mod run;
pub mod sweep;
pub mod types;
pub mod venue;
