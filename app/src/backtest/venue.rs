//! What a backtest needs from "a market": the real programs in the in-process bank
//! ([`super::bank_venue::BankVenue`]) or the same handlers replayed on the economics crate
//! ([`super::math_venue::MathVenue`]). Both expose the market's state as the same account structs.
#![allow(async_fn_in_trait)]

use anyhow::Result;
use levtoken_client::state::MarketState;

/// One executed rebalance, as the keeper sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fill {
    /// Oracle value of what went into the swap minus what came out, plus the keeper reward: what
    /// the rebalance cost the holders, USDC base units (negative when a pool still lagging the
    /// oracle filled the trade better than the oracle).
    pub cost: i64,
    pub reward: u64,
}

pub trait Venue {
    /// Move the clock to `ts` and publish `mantissa` (Pyth, expo −8) as the oracle price.
    async fn set_price(&mut self, ts: i64, mantissa: i64) -> Result<()>;
    /// Arbitrage the AMM toward the oracle price, closing `fraction` (0–1] of the gap in log price
    /// (1 = all the way).
    async fn arbitrage(&mut self, fraction: f64) -> Result<()>;
    /// The market as the program would see it now.
    async fn state(&mut self) -> Result<MarketState>;
    /// Call the program's permissionless `rebalance`; `None` when it refuses.
    async fn rebalance(&mut self) -> Result<Option<Fill>>;
    /// A user deposits `usdc`; false when the program refuses (paused, emergency, cap, slippage).
    async fn mint(&mut self, usdc: u64) -> Result<bool>;
    /// A user burns `tokens`; false when refused.
    async fn redeem(&mut self, tokens: u64) -> Result<bool>;
    /// Leveraged tokens held by the simulated users.
    async fn user_tokens(&mut self) -> Result<u64>;
    /// Fees paid to the treasury so far: (USDC base units, leveraged tokens).
    async fn treasury(&mut self) -> Result<(u64, u64)>;
    /// Start a fresh market after a wipeout (the old one is abandoned).
    async fn relaunch(&mut self, initial_usdc: u64) -> Result<()>;
}

/// The price (USDC base units per ETH base unit, WAD) arbitrage moves a pool with reserves
/// (`eth`, `usdc`) to when it closes `fraction` of its log-price gap to `oracle_wad`.
pub fn arbitrage_target_wad(eth: u64, usdc: u64, oracle_wad: u128, fraction: f64) -> u128 {
    if fraction >= 1.0 || eth == 0 || usdc == 0 {
        return oracle_wad;
    }
    let pool = (usdc as f64 / eth as f64) * lev_math::WAD as f64;
    let target = pool * (oracle_wad as f64 / pool).powf(fraction.max(0.0));
    target.round().max(1.0) as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_arbitrage_closes_the_log_gap_by_the_fraction() {
        let wad = lev_math::WAD;
        // Pool at 100 (USDC units per ETH unit), oracle at 400: half the log gap is 200.
        let t = arbitrage_target_wad(1_000, 100_000, 400 * wad, 0.5);
        assert!((t as f64 / wad as f64 - 200.0).abs() < 1e-6, "{t}");
        assert_eq!(arbitrage_target_wad(1_000, 100_000, 400 * wad, 1.0), 400 * wad);
        let none = arbitrage_target_wad(1_000, 100_000, 400 * wad, 0.0);
        assert!((none as f64 / wad as f64 - 100.0).abs() < 1e-6);
        assert!((super::super::run::arb_fraction(60, 60.0) - 0.5).abs() < 1e-12);
        assert_eq!(super::super::run::arb_fraction(60, 0.0), 1.0);
    }
}
