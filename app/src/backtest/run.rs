//! The scenario every strategy is run through: hourly closes, each hour split into sub-steps of at
//! most `max_step_bps` (the price is assumed to move geometrically between closes, and keepers act at
//! every sub-step), the AMM arbitraged to the oracle at every sub-step, a deterministic stream of user
//! mints and redeems, interest and fees accruing as on chain.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use lev_math::{BPS, WAD};
use leveraged_token::MarketParams;
use levtoken_client::state::MarketState;

use super::{
    math_venue::MathVenue,
    types::{HourSample, PricePoint, StrategyRun},
    venue::{Fill, Venue},
};

/// The cost model and flows shared by every strategy.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub params: MarketParams,
    /// NAV minted at launch (and at every relaunch), USDC base units.
    pub initial_usdc: u64,
    pub amm_fee_bps: u16,
    /// AMM USDC depth at the first price, USDC base units.
    pub amm_depth: u64,
    /// USDC lent into the pool, base units.
    pub lend: u64,
    /// Largest price move between two keeper looks, bps.
    pub max_step_bps: u64,
    /// Daily user mints/redeems of 1–5% of the vault.
    pub flows: bool,
    pub seed: u64,
    /// When keepers look: at every sub-step, or only at hourly closes.
    pub cadence: Cadence,
    /// The path between two closes: straight, or through the hour's high and low.
    pub intrahour: Intrahour,
}

/// When keepers look (`--keeper-cadence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Cadence {
    /// At every sub-step of at most `max_step_bps` (a keeper polling continuously).
    Substeps,
    /// Only at each hourly close (leverage between closes is seen, not acted on).
    Hourly,
}

/// The price path inside an hour (`--intrahour`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Intrahour {
    /// Geometric from the previous close to this close.
    Close,
    /// Previous close → low → high → close in a rising hour, → high → low → close in a falling
    /// one (each leg geometric), so the hour's extremes are visited.
    HighLow,
}

/// The prices an hour visits after `p0`'s close, in order, sub-stepped so that no step moves more
/// than `step_ln` (log), at most 48 steps.
pub fn hour_path(p0: &PricePoint, p1: &PricePoint, step_ln: f64, intrahour: Intrahour) -> Vec<f64> {
    let waypoints = match intrahour {
        Intrahour::Close => vec![p1.close],
        Intrahour::HighLow => {
            // The range must contain both closes (the open is the previous close here).
            let (hi, lo) = (p1.high.max(p0.close).max(p1.close), p1.low.min(p0.close).min(p1.close));
            if p1.close >= p0.close {
                vec![lo, hi, p1.close]
            } else {
                vec![hi, lo, p1.close]
            }
        }
    };
    let mut path = Vec::new();
    let mut from = p0.close;
    for w in waypoints {
        if w == from {
            continue;
        }
        let k = ((w / from).ln().abs() / step_ln).ceil().clamp(1.0, 24.0) as i32;
        path.extend((1..=k).map(|j| if j == k { w } else { from * (w / from).powf(j as f64 / k as f64) }));
        from = w;
    }
    if path.last() != Some(&p1.close) {
        path.push(p1.close);
    }
    path
}

impl Scenario {
    pub fn standard(params: MarketParams) -> Self {
        let amm_depth: u64 = 50_000_000 * 1_000_000;
        Scenario {
            params: MarketParams {
                // Over four years a 3x product's NAV per token falls by orders of magnitude, so a cap
                // in tokens would end the simulation's inflows; the backtest runs uncapped.
                supply_cap: u64::MAX,
                // Trades sized for the venue: 0.5% of its starting depth per call (1% in an
                // emergency), so price impact stays inside the slippage bounds; the keeper calls
                // again within the same step when more is needed.
                max_trade_quote: amm_depth / 200,
                emergency_max_trade_quote: amm_depth / 100,
                ..params
            },
            initial_usdc: 100_000 * 1_000_000,
            amm_fee_bps: 5,
            amm_depth,
            lend: 20_000_000 * 1_000_000,
            max_step_bps: 200,
            flows: true,
            seed: 7,
            cadence: Cadence::Substeps,
            intrahour: Intrahour::Close,
        }
    }
}

/// Pyth mantissa (expo −8) of a dollar price.
pub fn mantissa(usd: f64) -> i64 {
    (usd * 1e8).round().max(1.0) as i64
}

/// When a keeper may act within a step.
#[derive(Clone, Copy, Debug)]
pub struct StepCtx {
    /// This step is the first of a UTC day (00:00–00:59 hour, first sub-step).
    pub day_start: bool,
}

/// A rebalancing rule: looks at the market after each sub-step and trades.
#[allow(async_fn_in_trait)]
pub trait Keeper<V: Venue> {
    async fn act(&mut self, venue: &mut V, state: &MarketState, ctx: StepCtx) -> Result<Vec<Fill>>;
}

/// Ours: call the program's permissionless `rebalance` whenever the program would accept it
/// (the keeper decides with the same economics), up to a few calls per step.
pub struct ProgramKeeper;

impl<V: Venue> Keeper<V> for ProgramKeeper {
    async fn act(&mut self, venue: &mut V, state: &MarketState, _ctx: StepCtx) -> Result<Vec<Fill>> {
        let mut fills = Vec::new();
        let mut state = state.clone();
        for _ in 0..8 {
            if state.plan().is_none() {
                break;
            }
            match venue.rebalance().await? {
                Some(f) => fills.push(f),
                None => break,
            }
            state = venue.state().await?;
        }
        Ok(fills)
    }
}

/// The peer products' rules, simulated on the same venue model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// FTX: recentre to 3x daily at 00:02 UTC, and intraday whenever leverage reaches 4x.
    FtxDaily,
    /// Toros-style: whenever leverage leaves 2.8–3.2x, trade back to the nearest band edge.
    BandEdge,
    /// Index FLI-style: once a day, if outside 2.7–3.3x, move halfway back to 3x; a "ripcord" at
    /// 4x de-levers to 3.3x immediately.
    Fli,
    /// Naive: recentre to 3x once a day, nothing else.
    DailyOnly,
    /// Index Coop's FLI methodology scaled from 2x to 3x: leverage bounds 2.55–3.45x; once a day
    /// (and whenever leverage is outside the bounds) move 5% of the way to 3x, clamped to the
    /// bounds; a ripcord at 4.05x de-levers to 3.45x. Pieces as ours (TWAP-like chunks).
    FliMethod,
    /// Control: our band, and on leaving it trade back to its nearest edge only.
    EdgeControl,
}

impl Peer {
    pub const ALL: [Peer; 6] = [Peer::FtxDaily, Peer::BandEdge, Peer::Fli, Peer::DailyOnly, Peer::FliMethod, Peer::EdgeControl];

    pub fn name(&self) -> &'static str {
        match self {
            Peer::FtxDaily => "ftx_daily",
            Peer::BandEdge => "band_edge",
            Peer::Fli => "fli",
            Peer::DailyOnly => "daily_only",
            Peer::FliMethod => "fli_method",
            Peer::EdgeControl => "edge_control",
        }
    }

    /// The target to trade to now, if any; `band` is ours (low, high) for the control.
    fn target(&self, lev: u64, day_start: bool, band: (u64, u64)) -> Option<u64> {
        let t = 30_000;
        let fli = |lev: u64| (lev * 95 / 100 + t * 5 / 100).clamp(25_500, 34_500);
        match self {
            Peer::FliMethod if lev >= 40_500 => Some(34_500),
            Peer::FliMethod if day_start || !(25_500..=34_500).contains(&lev) => Some(fli(lev)),
            Peer::EdgeControl if lev < band.0 => Some(band.0),
            Peer::EdgeControl if lev > band.1 => Some(band.1),
            Peer::FtxDaily if day_start || lev >= 40_000 => Some(t),
            Peer::BandEdge if lev < 28_000 => Some(28_000),
            Peer::BandEdge if lev > 32_000 => Some(32_000),
            Peer::Fli if lev >= 40_000 => Some(33_000),
            Peer::Fli if day_start && !(27_000..=33_000).contains(&lev) => Some((lev + t) / 2),
            Peer::DailyOnly if day_start => Some(t),
            _ => None,
        }
    }
}

pub struct PeerKeeper {
    pub peer: Peer,
}

/// Peers get ours' executor: up to eight capped trades per keeper look, each through
/// [`MathVenue::rebalance_to`] (same limits, depth sizing, venue check and reward as ours).
impl Keeper<MathVenue> for PeerKeeper {
    async fn act(&mut self, venue: &mut MathVenue, state: &MarketState, ctx: StepCtx) -> Result<Vec<Fill>> {
        let mut fills = Vec::new();
        let mut state = state.clone();
        let mut target = None;
        for _ in 0..8 {
            let lev = match state.leverage_bps() {
                Some(0) | None => break,
                Some(l) => l,
            };
            // The rule decides once per look; later pieces keep going to the same target.
            let band = (venue.market.params.band_low_bps, venue.market.params.band_high_bps);
            let Some(t) = target.or_else(|| self.peer.target(lev, ctx.day_start, band)) else { break };
            target = Some(t);
            match venue.rebalance_to(t) {
                Some(f) => fills.push(f),
                None => break,
            }
            state = venue.state().await?;
        }
        Ok(fills)
    }
}

/// Deterministic pseudo-random numbers so every strategy sees the same flows.
use levtoken_client::rng::SplitMix64 as Rng;

/// Run `keeper` on `venue` over `prices` (the venue must already sit at `prices[0]`).
pub async fn drive<V: Venue, K: Keeper<V>>(
    name: &str,
    venue: &mut V,
    keeper: &mut K,
    scenario: &Scenario,
    prices: &[PricePoint],
    progress: Option<&ProgressBar>,
) -> Result<StrategyRun> {
    let mut run = StrategyRun { name: name.to_string(), ..Default::default() };
    let mut rng = Rng(scenario.seed);
    let mut epoch = 0u32;
    venue.set_price(prices[0].ts, mantissa(prices[0].close)).await?;
    venue.arbitrage().await?;
    if !venue.mint(scenario.initial_usdc).await? {
        anyhow::bail!("{name}: the launch mint was refused");
    }
    let mut last_index = venue.state().await?.projected_index();
    let step_ln = ((BPS + scenario.max_step_bps) as f64 / BPS as f64).ln();
    // Streaming fees are valued when they are charged (tokens minted × NAV per token then).
    let mut streaming_fees_usd = 0.0f64;
    let mut last_treasury_tokens = venue.treasury().await?.1;

    for (i, w) in prices.windows(2).enumerate() {
        let (p0, p1) = (w[0], w[1]);
        let dt = (p1.ts - p0.ts).max(1);
        let path = hour_path(&p0, &p1, step_ln, scenario.intrahour);
        let k = path.len() as i64;
        let mut sample = HourSample {
            ts: p1.ts,
            eth_price: p1.close,
            nav_per_token: 0.0,
            leverage: 0.0,
            max_leverage_in_hour: 0.0,
            nav_usd: 0.0,
            wiped: false,
            epoch,
            cost_usd: 0.0,
            interest_usd: 0.0,
            rebalances: 0,
        };
        for j in 1..=k {
            let ts = p0.ts + dt * j / k;
            let px = path[(j - 1) as usize];
            venue.set_price(ts, mantissa(px)).await?;
            venue.arbitrage().await?;
            let state = venue.state().await?;
            let lev = state.leverage_bps();
            match lev {
                None => {
                    // NAV ≤ 0: the product is wiped out. Book the bad debt and relaunch.
                    let bad = state.debt() as f64 - state.collateral_value() as f64;
                    run.bad_debt_usd += bad.max(0.0) / 1e6;
                    sample.wiped = true;
                    sample.max_leverage_in_hour = f64::INFINITY;
                    epoch += 1;
                    venue.relaunch(scenario.initial_usdc).await?;
                    last_index = venue.state().await?.projected_index();
                    continue;
                }
                Some(l) => sample.max_leverage_in_hour = sample.max_leverage_in_hour.max(l as f64 / BPS as f64),
            }
            if scenario.cadence == Cadence::Hourly && j < k {
                continue;
            }
            let hour_of_day = (p0.ts.rem_euclid(86_400)) / 3_600;
            let ctx = StepCtx { day_start: hour_of_day == 23 && j == k };
            for f in keeper.act(venue, &state, ctx).await? {
                sample.cost_usd += f.cost as f64 / 1e6;
                sample.rebalances += 1;
            }
        }

        // Users come and go once a day (leverage-neutral at NAV; they bear their own swap cost).
        // When the product has shrunk below half its launch size (a 3x product loses most of its
        // value in a bear market), new money tops it back up, so costs are measured on a
        // meaningful AUM rather than on dust.
        if scenario.flows && i % 24 == 12 {
            let state = venue.state().await?;
            if let Some(nav) = state.nav() {
                let pct = 100 + rng.next_u64() % 400; // 1%–5%
                let launch = scenario.initial_usdc as u128;
                if nav < launch / 2 {
                    venue.mint((launch - nav) as u64).await?;
                } else if nav < launch * 3 && rng.next_u64().is_multiple_of(2) {
                    let usdc = (nav * pct as u128 / 10_000) as u64;
                    if usdc >= 10_000_000 {
                        venue.mint(usdc).await?;
                    }
                } else {
                    let tokens = (venue.user_tokens().await? as u128 * pct as u128 / 10_000) as u64;
                    if tokens > 0 {
                        venue.redeem(tokens).await?;
                    }
                }
            }
        }

        let state = venue.state().await?;
        let index = state.projected_index();
        sample.interest_usd = (state.borrower.scaled_debt as f64) * ((index.saturating_sub(last_index)) as f64 / WAD as f64) / 1e6;
        last_index = index;
        sample.epoch = epoch;
        let nav = state.nav().unwrap_or(0);
        sample.nav_usd = nav as f64 / 1e6;
        // Unrounded: after a −99.99% history a 6-decimal price would turn daily returns into noise.
        sample.nav_per_token = state.nav_per_token_f64();
        let treasury_tokens = venue.treasury().await?.1;
        if treasury_tokens >= last_treasury_tokens {
            streaming_fees_usd += (treasury_tokens - last_treasury_tokens) as f64 / 1e6 * sample.nav_per_token;
        }
        last_treasury_tokens = treasury_tokens;
        sample.leverage = match state.leverage_bps() {
            Some(l) => l as f64 / BPS as f64,
            None => f64::INFINITY,
        };
        sample.max_leverage_in_hour = sample.max_leverage_in_hour.max(sample.leverage);
        run.samples.push(sample);
        if let Some(pb) = progress {
            pb.inc(1);
        }
    }
    let (usdc, _) = venue.treasury().await?;
    run.fees_to_treasury_usd = usdc as f64 / 1e6 + streaming_fees_usd;
    Ok(run)
}

/// Ours on the economics crate alone.
pub async fn run_math(scenario: &Scenario, prices: &[PricePoint], progress: Option<&ProgressBar>) -> Result<StrategyRun> {
    let mut venue = new_math_venue(scenario, prices[0])?;
    drive("ours", &mut venue, &mut ProgramKeeper, scenario, prices, progress).await
}

/// Ours through the real programs in the in-process bank.
pub async fn run_bank(scenario: &Scenario, prices: &[PricePoint], progress: Option<&ProgressBar>) -> Result<StrategyRun> {
    use levtoken_client::deploy::{default_pool_config, LocalnetConfig};
    let cfg = LocalnetConfig {
        market_id: 1,
        amm_fee_bps: scenario.amm_fee_bps,
        amm_depth_usd: scenario.amm_depth / 1_000_000,
        eth_price_mantissa: mantissa(prices[0].close),
        lend_usd: scenario.lend / 1_000_000,
        pool_config: default_pool_config(),
        params: scenario.params,
        credit_limit: lending_pool::MAX_CREDIT_LIMIT,
        // An in-process replay: admin changes are not part of the scenario.
        timelock_secs: 0,
    };
    let mut venue = super::bank_venue::BankVenue::new(scenario.params, cfg, prices[0].ts).await?;
    drive("ours", &mut venue, &mut ProgramKeeper, scenario, prices, progress).await
}

fn new_math_venue(scenario: &Scenario, first: PricePoint) -> Result<MathVenue> {
    MathVenue::new(
        scenario.params,
        levtoken_client::deploy::default_pool_config(),
        scenario.amm_fee_bps,
        scenario.amm_depth,
        scenario.lend,
        first.ts,
        mantissa(first.close),
    )
}

/// A peer rule on the economics crate.
pub async fn run_peer(peer: Peer, scenario: &Scenario, prices: &[PricePoint], progress: Option<&ProgressBar>) -> Result<StrategyRun> {
    let mut venue = new_math_venue(scenario, prices[0])?;
    let mut keeper = PeerKeeper { peer };
    drive(peer.name(), &mut venue, &mut keeper, scenario, prices, progress).await
}

pub fn progress_bar(len: u64, label: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} hours {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_prefix(label.to_string());
    pb
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::prices;

    /// The math engine replays the program handlers: over a few hundred hours of real history
    /// (including the 2020-03-12 crash) it agrees with the real programs within rounding.
    #[tokio::test(flavor = "current_thread")]
    async fn math_engine_agrees_with_the_programs() {
        let all = prices::bundled().unwrap();
        let from = prices::parse_date("2020-03-08").unwrap();
        let to = prices::parse_date("2020-03-20").unwrap();
        let points = prices::window(&all, Some(from), Some(to));
        assert!(points.len() > 250);
        // Both parameter sets: full recentring (the seed's rule) and partial recentring.
        for params in [MarketParams::default_3x(), MarketParams::partial_recentre_3x()] {
            engines_agree(Scenario::standard(params), &points).await;
        }
    }

    #[test]
    fn an_hour_visits_its_low_and_high_in_order() {
        let step = (1.02f64).ln();
        let p0 = PricePoint::at(0, 100.0);
        // Rising hour: down to the low first, then the high, then the close.
        let p1 = PricePoint { ts: 3_600, close: 103.0, high: 110.0, low: 95.0 };
        let path = hour_path(&p0, &p1, step, Intrahour::HighLow);
        let (lo, hi) = (path.iter().position(|&x| x == 95.0).unwrap(), path.iter().position(|&x| x == 110.0).unwrap());
        assert!(lo < hi && *path.last().unwrap() == 103.0, "{path:?}");
        assert!(path.windows(2).all(|w| (w[1] / w[0]).ln().abs() <= step + 1e-12));
        // Falling hour: high first.
        let p1 = PricePoint { ts: 3_600, close: 97.0, high: 104.0, low: 90.0 };
        let path = hour_path(&p0, &p1, step, Intrahour::HighLow);
        assert!(path.iter().position(|&x| x == 104.0).unwrap() < path.iter().position(|&x| x == 90.0).unwrap());
        // Close to close ignores the range.
        let path = hour_path(&p0, &p1, step, Intrahour::Close);
        assert_eq!(path.len(), 2);
        assert!(path.iter().all(|&x| (97.0..100.0).contains(&x)));
        // No range: one step at the close.
        assert_eq!(hour_path(&p0, &PricePoint::at(3_600, 100.5), step, Intrahour::HighLow), vec![100.5]);
    }

    /// On the March 2020 crash (economics engine): a keeper that looks only at hourly closes, or a
    /// path through each hour's extremes, sees higher leverage than the sub-step keeper on the
    /// straight path — and ours is never wiped out in any of them.
    #[tokio::test(flavor = "current_thread")]
    async fn cadence_and_intrahour_path_raise_the_leverage_seen_but_never_wipe_ours_out() {
        let all = prices::bundled().unwrap();
        let points = prices::window(&all, Some(prices::parse_date("2020-03-08").unwrap()), Some(prices::parse_date("2020-03-20").unwrap()));
        let mut seen = Vec::new();
        for (cadence, intrahour) in [
            (Cadence::Substeps, Intrahour::Close),
            (Cadence::Hourly, Intrahour::Close),
            (Cadence::Substeps, Intrahour::HighLow),
            (Cadence::Hourly, Intrahour::HighLow),
        ] {
            let scenario = Scenario { cadence, intrahour, ..Scenario::standard(MarketParams::partial_recentre_3x()) };
            let run = run_math(&scenario, &points, None).await.unwrap();
            let m = super::super::metrics::compute(&run);
            assert_eq!((m.wipeouts, m.bad_debt_usdc), (0, 0.0), "{cadence:?} {intrahour:?}");
            seen.push(m.max_leverage);
        }
        assert!(seen[1] > seen[0] && seen[2] > seen[0] && seen[3] >= seen[1], "{seen:?}");
    }

    async fn engines_agree(scenario: Scenario, points: &[PricePoint]) {
        let t = std::time::Instant::now();
        let bank = run_bank(&scenario, points, None).await.unwrap();
        let bank_secs = t.elapsed().as_secs_f64();
        let math = run_math(&scenario, points, None).await.unwrap();
        eprintln!("bank engine: {} hours in {bank_secs:.2}s", bank.samples.len());
        assert_eq!(bank.samples.len(), math.samples.len());
        let mut rebalances = 0;
        for (b, m) in bank.samples.iter().zip(&math.samples) {
            assert_eq!(b.ts, m.ts);
            assert_eq!(b.rebalances, m.rebalances, "rebalance count differs at {}", prices::format_ts(b.ts));
            assert!((b.nav_per_token - m.nav_per_token).abs() <= 1e-6, "NAV/token {} vs {} at {}", b.nav_per_token, m.nav_per_token, prices::format_ts(b.ts));
            assert!((b.leverage - m.leverage).abs() <= 1e-4, "leverage {} vs {} at {}", b.leverage, m.leverage, prices::format_ts(b.ts));
            assert!((b.cost_usd - m.cost_usd).abs() <= 1e-4);
            rebalances += b.rebalances;
        }
        assert!(rebalances > 10, "the crash makes the keeper work: {rebalances}");
        assert_eq!(bank.samples.iter().filter(|s| s.wiped).count(), 0);
    }
}

#[cfg(test)]
mod full_history {
    use super::*;
    use crate::backtest::prices;

    /// `cargo test -p levtoken --bin levtoken full_history -- --ignored --nocapture`: the whole
    /// bundled history through the real programs (a timing and sanity check, not a CI test).
    #[tokio::test(flavor = "current_thread")]
    #[ignore]
    async fn whole_history_through_the_programs() {
        let points = prices::bundled().unwrap();
        let scenario = Scenario::standard(MarketParams::partial_recentre_3x());
        let t = std::time::Instant::now();
        let run = run_bank(&scenario, &points, None).await.unwrap();
        let wiped = run.samples.iter().filter(|s| s.wiped).count();
        let max_lev = run.samples.iter().map(|s| s.max_leverage_in_hour).fold(0.0, f64::max);
        eprintln!(
            "{} hours in {:.1}s: {} rebalances, {} wiped hours, max leverage {:.2}, final NAV/token {:.4}",
            run.samples.len(),
            t.elapsed().as_secs_f64(),
            run.rebalances(),
            wiped,
            max_lev,
            run.samples.last().unwrap().nav_per_token
        );
        assert_eq!(wiped, 0);
        assert!(max_lev < 3.6, "the emergency threshold is never reached on this history");
    }
}
