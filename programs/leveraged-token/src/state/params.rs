use anchor_lang::prelude::*;
use lev_math::{Band, TradeLimits, BPS};

use crate::LevError;

/// Hard bounds every parameter is validated against, at init and on every update.
pub mod bounds {
    /// Target leverage: 1.1x ..= 5x.
    pub const TARGET_MIN_BPS: u64 = 11_000;
    pub const TARGET_MAX_BPS: u64 = 50_000;
    /// The emergency threshold must sit at most this share of the pool's liquidation leverage
    /// (80%: with a 5x liquidation point, emergency ≤ 4x).
    pub const EMERGENCY_MAX_SHARE_OF_LIQUIDATION_BPS: u64 = 8_000;
    /// Scheduled recentre interval: at most a week.
    pub const MAX_REBALANCE_INTERVAL_SECS: i64 = 7 * 86_400;
    /// Lower bounds that keep rebalancing, settlement and priced redemption possible: an admin
    /// cannot set a zero slippage, confidence or venue bound (0.1% at least).
    pub const MIN_SLIPPAGE_BPS: u64 = 10;
    pub const MIN_CONF_BPS: u64 = 10;
    pub const MIN_VENUE_DEVIATION_BPS: u64 = 10;
    /// Max slippage vs oracle: 3% normal, 10% emergency.
    pub const MAX_SLIPPAGE_BPS: u64 = 300;
    pub const MAX_EMERGENCY_SLIPPAGE_BPS: u64 = 1_000;
    /// Keeper reward: at most 0.5% of the trade (normal), 1% (emergency).
    pub const MAX_KEEPER_REWARD_BPS: u64 = 50;
    pub const MAX_EMERGENCY_KEEPER_REWARD_BPS: u64 = 100;
    /// Mint and redeem fees: at most 1% each.
    pub const MAX_MINT_REDEEM_FEE_BPS: u64 = 100;
    /// Streaming (management) fee: at most 5% a year.
    pub const MAX_STREAMING_FEE_BPS: u64 = 500;
    /// Oracle staleness: 1 s ..= 1 h.
    pub const MAX_STALENESS_SECS: u64 = 3_600;
    /// Oracle confidence: at most 5% of the price.
    pub const MAX_CONF_BPS: u64 = 500;
    /// Overshoot tolerance past the target: at most 0.5x.
    pub const MAX_OVERSHOOT_BPS: u64 = 5_000;
    /// An emergency trade is at most this multiple of a normal one.
    pub const MAX_EMERGENCY_TRADE_MULTIPLE: u64 = 10;
    /// How far the venue's spot price may sit from the oracle before a swap: at most 2%
    /// (emergency) and never more than the swap's own slippage bound.
    pub const MAX_VENUE_DEVIATION_BPS: u64 = 200;
}

/// Every tunable number of a market.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct MarketParams {
    /// Target leverage (bps of 1x): 30_000 = 3x.
    pub target_leverage_bps: u64,
    /// Rebalance band: a rebalance is allowed whenever leverage is outside [low, high].
    pub band_low_bps: u64,
    pub band_high_bps: u64,
    /// At or above this leverage the emergency path runs: larger trades, looser slippage, higher
    /// reward.
    pub emergency_leverage_bps: u64,
    /// A scheduled recentre is allowed this long after the last rebalance if leverage is off
    /// target by more than `recentre_tolerance_bps` (at most the band's wider half-width, which
    /// switches it off).
    pub min_rebalance_interval_secs: i64,
    pub recentre_tolerance_bps: u64,
    /// How far a rebalance after a band exit (or past the emergency threshold) trades back toward
    /// the target, as a share of the distance from the crossed edge to the target: 10 000 = all
    /// the way (the seed's rule), less = partial recentring, which trades less often and in
    /// smaller sizes, 0 = back to the edge. Scheduled rebalances go to the target. 0 ..= 10 000.
    pub recentre_share_bps: u64,
    /// Largest trade of one rebalance call, USDC base units (normal / emergency).
    pub max_trade_quote: u64,
    pub emergency_max_trade_quote: u64,
    /// Trades smaller than this are not worth a rebalance call.
    pub min_trade_quote: u64,
    /// Maximum slippage of a swap against the oracle price (normal / emergency), bps.
    pub max_slippage_bps: u64,
    pub emergency_max_slippage_bps: u64,
    /// Expected swap cost (venue fee + impact) the rebalance plan corrects for, bps.
    pub expected_swap_cost_bps: u64,
    /// Before any swap the venue's spot price must be within this distance of the oracle
    /// (normal / emergency), bps: a sandwich can push the venue only this far before the vault
    /// trades, and a minter cannot buy at a venue priced off the oracle.
    pub max_venue_deviation_bps: u64,
    pub emergency_max_venue_deviation_bps: u64,
    /// How far past the target a rebalance may land, in leverage bps.
    pub overshoot_tolerance_bps: u64,
    /// Keeper reward: bps of the trade, capped (normal / emergency), paid in USDC.
    pub keeper_reward_bps: u64,
    pub keeper_reward_cap_quote: u64,
    pub emergency_keeper_reward_bps: u64,
    pub emergency_keeper_reward_cap_quote: u64,
    /// Fees: on the USDC paid in at mint, on the USDC paid out at redeem, and a yearly streaming
    /// fee taken as dilution.
    pub mint_fee_bps: u64,
    pub redeem_fee_bps: u64,
    pub streaming_fee_bps_per_year: u64,
    /// Maximum token supply (base units); 0 = minting closed.
    pub supply_cap: u64,
    /// Oracle acceptance.
    pub oracle_max_staleness_secs: u64,
    pub oracle_max_conf_bps: u64,
}

/// The largest reward cap that `bps` of a `max_trade` could ever pay: a cap above it is meaningless
/// and is refused.
fn reward_ceiling(max_trade: u64, bps: u64) -> u64 {
    ((max_trade as u128 * bps as u128) / BPS as u128) as u64
}

impl MarketParams {
    /// Whether a lending pool that considers a borrower unsafe at `liquidation_leverage_bps` still
    /// leaves the emergency threshold its margin (at most 80% of that point). Checked when the
    /// parameters are set and, because the pool's admin may change its configuration later, again
    /// before every mint.
    pub fn emergency_within_pool(&self, liquidation_leverage_bps: u64) -> bool {
        self.emergency_leverage_bps <= liquidation_leverage_bps.saturating_mul(bounds::EMERGENCY_MAX_SHARE_OF_LIQUIDATION_BPS) / BPS
    }

    /// Validate against [`bounds`] and the lending pool's liquidation leverage.
    pub fn validate(&self, liquidation_leverage_bps: u64) -> Result<()> {
        use bounds::*;
        let band = self.band();
        let ok = (TARGET_MIN_BPS..=TARGET_MAX_BPS).contains(&self.target_leverage_bps)
            && band.is_valid()
            && self.emergency_within_pool(liquidation_leverage_bps)
            && self.min_rebalance_interval_secs <= MAX_REBALANCE_INTERVAL_SECS
            && self.recentre_tolerance_bps <= (self.band_high_bps - self.target_leverage_bps).max(self.target_leverage_bps - self.band_low_bps)
            // The band's top at most half-way from the target to the emergency threshold: an
            // emergency de-levers only back to the band (with a recentre share of 0, to its top),
            // so the emergency path stays an exception rather than every de-lever.
            && 2 * self.band_high_bps <= self.target_leverage_bps + self.emergency_leverage_bps
            && self.max_trade_quote > 0
            && self.emergency_max_trade_quote >= self.max_trade_quote
            && self.emergency_max_trade_quote <= self.max_trade_quote.saturating_mul(MAX_EMERGENCY_TRADE_MULTIPLE)
            && self.min_trade_quote <= self.max_trade_quote
            && (MIN_SLIPPAGE_BPS..=MAX_SLIPPAGE_BPS).contains(&self.max_slippage_bps)
            && self.emergency_max_slippage_bps >= self.max_slippage_bps
            && self.emergency_max_slippage_bps <= MAX_EMERGENCY_SLIPPAGE_BPS
            && self.expected_swap_cost_bps <= self.max_slippage_bps
            && self.overshoot_tolerance_bps <= MAX_OVERSHOOT_BPS
            && self.keeper_reward_bps <= MAX_KEEPER_REWARD_BPS
            && self.emergency_keeper_reward_bps <= MAX_EMERGENCY_KEEPER_REWARD_BPS
            && self.emergency_keeper_reward_bps >= self.keeper_reward_bps
            && self.keeper_reward_cap_quote <= reward_ceiling(self.max_trade_quote, MAX_KEEPER_REWARD_BPS)
            && self.emergency_keeper_reward_cap_quote >= self.keeper_reward_cap_quote
            && self.emergency_keeper_reward_cap_quote <= reward_ceiling(self.emergency_max_trade_quote, MAX_EMERGENCY_KEEPER_REWARD_BPS)
            && (MIN_VENUE_DEVIATION_BPS..=self.max_slippage_bps).contains(&self.max_venue_deviation_bps)
            && self.emergency_max_venue_deviation_bps >= self.max_venue_deviation_bps
            && self.emergency_max_venue_deviation_bps <= self.emergency_max_slippage_bps.min(MAX_VENUE_DEVIATION_BPS)
            && self.mint_fee_bps <= MAX_MINT_REDEEM_FEE_BPS
            && self.redeem_fee_bps <= MAX_MINT_REDEEM_FEE_BPS
            && self.streaming_fee_bps_per_year <= MAX_STREAMING_FEE_BPS
            && (1..=MAX_STALENESS_SECS).contains(&self.oracle_max_staleness_secs)
            && (MIN_CONF_BPS..=MAX_CONF_BPS).contains(&self.oracle_max_conf_bps);
        require!(ok, LevError::InvalidParams);
        Ok(())
    }

    /// The venue deviation bound of a swap on the (non-)emergency path.
    pub fn venue_deviation_bps(&self, emergency: bool) -> u64 {
        if emergency {
            self.emergency_max_venue_deviation_bps
        } else {
            self.max_venue_deviation_bps
        }
    }

    pub fn band(&self) -> Band {
        Band {
            target_bps: self.target_leverage_bps,
            low_bps: self.band_low_bps,
            high_bps: self.band_high_bps,
            emergency_bps: self.emergency_leverage_bps,
            min_interval_secs: self.min_rebalance_interval_secs,
            recentre_tolerance_bps: self.recentre_tolerance_bps,
            recentre_share_bps: self.recentre_share_bps,
        }
    }

    /// Trade limits of one rebalance call.
    pub fn trade_limits(&self, emergency: bool) -> TradeLimits {
        if emergency {
            TradeLimits {
                max_trade_quote: self.emergency_max_trade_quote,
                min_trade_quote: 0,
                swap_cost_bps: self.expected_swap_cost_bps,
                max_slippage_bps: self.emergency_max_slippage_bps,
                reward_bps: self.emergency_keeper_reward_bps,
                reward_cap_quote: self.emergency_keeper_reward_cap_quote,
            }
        } else {
            TradeLimits {
                max_trade_quote: self.max_trade_quote,
                min_trade_quote: self.min_trade_quote,
                swap_cost_bps: self.expected_swap_cost_bps,
                max_slippage_bps: self.max_slippage_bps,
                reward_bps: self.keeper_reward_bps,
                reward_cap_quote: self.keeper_reward_cap_quote,
            }
        }
    }

    /// The low-turnover variant the backtest runs as "ours": band 2.65–3.15x, a band exit trades
    /// only 5% of the way back from the crossed edge, the scheduled recentre is weekly and only
    /// when leverage is more than 0.15x off target; emergency threshold and limits as in
    /// [`Self::default_3x`] (an emergency, too, trades 5% of the way in from the edge).
    /// Same target, same never-liquidated design, a fraction of the turnover (see the README's
    /// backtest results).
    pub fn partial_recentre_3x() -> Self {
        MarketParams {
            band_low_bps: 26_500,
            band_high_bps: 31_500,
            recentre_share_bps: 500,
            min_rebalance_interval_secs: 7 * 86_400,
            recentre_tolerance_bps: 1_499,
            ..Self::default_3x()
        }
    }

    /// The preset `levtoken backtest-sweep` chose on ETH before 2019-07-14 (its in-sample period;
    /// see the README's out-of-sample section): band 2.55–3.30x, every exit (emergencies too)
    /// trades back to the crossed edge only, no scheduled recentre (tolerance = the band's wider
    /// half-width); limits, fees and the emergency threshold as in [`Self::default_3x`].
    pub fn edge_3x() -> Self {
        MarketParams {
            band_low_bps: 25_500,
            band_high_bps: 33_000,
            recentre_share_bps: 0,
            min_rebalance_interval_secs: 7 * 86_400,
            recentre_tolerance_bps: 4_500,
            ..Self::default_3x()
        }
    }

    /// The parameters of the product described in the README: 3x, band 2.8–3.2x, emergency 3.6x.
    pub fn default_3x() -> Self {
        MarketParams {
            target_leverage_bps: 30_000,
            band_low_bps: 28_000,
            band_high_bps: 32_000,
            emergency_leverage_bps: 36_000,
            min_rebalance_interval_secs: 86_400,
            recentre_tolerance_bps: 500,
            recentre_share_bps: BPS,
            max_trade_quote: 1_000_000 * 1_000_000,
            emergency_max_trade_quote: 5_000_000 * 1_000_000,
            min_trade_quote: 1_000_000,
            max_slippage_bps: 100,
            emergency_max_slippage_bps: 300,
            expected_swap_cost_bps: 30,
            max_venue_deviation_bps: 50,
            emergency_max_venue_deviation_bps: 100,
            overshoot_tolerance_bps: 100,
            keeper_reward_bps: 2,
            keeper_reward_cap_quote: 100 * 1_000_000,
            emergency_keeper_reward_bps: 5,
            emergency_keeper_reward_cap_quote: 500 * 1_000_000,
            mint_fee_bps: 10,
            redeem_fee_bps: 10,
            streaming_fee_bps_per_year: 200,
            supply_cap: 10_000_000 * 1_000_000,
            oracle_max_staleness_secs: 60,
            oracle_max_conf_bps: 200,
        }
    }
}
