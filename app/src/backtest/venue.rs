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
    /// the rebalance cost the holders, USDC base units.
    pub cost: u64,
    pub reward: u64,
}

pub trait Venue {
    /// Move the clock to `ts` and publish `mantissa` (Pyth, expo −8) as the oracle price.
    async fn set_price(&mut self, ts: i64, mantissa: i64) -> Result<()>;
    /// Arbitrage the AMM to the oracle price.
    async fn arbitrage(&mut self) -> Result<()>;
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
