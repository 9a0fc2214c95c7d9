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
    math_venue::{MathVenue, PeerStep},
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
    /// How fast arbitrageurs bring the pool back to the oracle: the gap (in log price) halves every
    /// this many seconds; 0 = instantly at every keeper look.
    pub arb_half_life_secs: f64,
    /// Seconds a keeper waits between two pieces of one rebalance (one piece per look, and further
    /// looks at this spacing while the rebalance is under way); 0 = up to eight pieces per look.
    pub chunk_cooldown_secs: i64,
    /// The swap venue the vault trades on (the arbitrageur always trades the AMM).
    pub venue: VenueModel,
}

/// The venue model (`--venue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum VenueModel {
    /// The constant-product pool: price impact grows with the trade against its depth.
    Amm,
    /// Any size at the oracle price less this many bps (no depth; the program's piece limits still
    /// apply). Economics engine only.
    FlatBps(u16),
}

impl std::str::FromStr for VenueModel {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "amm" => Ok(VenueModel::Amm),
            _ => s
                .strip_prefix("flat:")
                .and_then(|b| b.parse().ok())
                .filter(|b| *b < 10_000)
                .map(VenueModel::FlatBps)
                .ok_or_else(|| format!("venue `{s}`: expected `amm` or `flat:<bps>` (e.g. flat:10)")),
        }
    }
}

impl std::fmt::Display for VenueModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VenueModel::Amm => write!(f, "amm"),
            VenueModel::FlatBps(b) => write!(f, "flat:{b}"),
        }
    }
}

/// The share of the pool's gap to the oracle closed by arbitrage in `dt_secs`.
pub fn arb_fraction(dt_secs: i64, half_life_secs: f64) -> f64 {
    if half_life_secs <= 0.0 {
        1.0
    } else {
        1.0 - 0.5f64.powf(dt_secs.max(0) as f64 / half_life_secs)
    }
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
            arb_half_life_secs: 60.0,
            chunk_cooldown_secs: 60,
            venue: VenueModel::Amm,
        }
    }

    /// The same scenario held at `usd` of NAV (launch size and top-up level); the pool lends
    /// enough that credit never binds, the AMM's depth stays as it is (capacity is what it shows).
    pub fn with_aum(self, usd: u64) -> Self {
        let initial_usdc = usd.saturating_mul(1_000_000);
        // The pool's utilisation (so its rate) stays where it is at $100k: lent = 200 × NAV.
        Scenario { initial_usdc, lend: self.lend.max(initial_usdc.saturating_mul(200)), ..self }
    }

    /// The largest single user mint or redeem, USDC: its swap (three times a mint's deposit) is a
    /// rebalance piece at the standard sizing (0.5% of the pool's depth).
    pub fn flow_piece(&self) -> u64 {
        self.amm_depth / 600
    }

    /// Pieces a keeper may trade in one look.
    pub fn pieces_per_look(&self) -> usize {
        if self.chunk_cooldown_secs > 0 {
            1
        } else {
            8
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
    /// Pieces the keeper may trade in this look (1 with a cooldown between pieces).
    pub max_pieces: usize,
    /// Arbitrage brings the pool to the oracle before every further piece of a look (the instant
    /// model: no arbitrage half-life, no cooldown).
    pub arb_between_pieces: bool,
}

/// A rebalancing rule: looks at the market after each sub-step and trades.
#[allow(async_fn_in_trait)]
pub trait Keeper<V: Venue> {
    async fn act(&mut self, venue: &mut V, state: &MarketState, ctx: StepCtx) -> Result<Vec<Fill>>;
    /// A rebalance this keeper started is still under way: it would trade again now.
    fn pending(&self, state: &MarketState) -> bool;
}

/// Ours: call the program's permissionless `rebalance` whenever the program would accept it
/// (the keeper decides with the same economics), up to `max_pieces` calls per look.
pub struct ProgramKeeper;

impl<V: Venue> Keeper<V> for ProgramKeeper {
    async fn act(&mut self, venue: &mut V, state: &MarketState, ctx: StepCtx) -> Result<Vec<Fill>> {
        let mut fills = Vec::new();
        let mut state = state.clone();
        for i in 0..ctx.max_pieces {
            if state.plan().is_none() {
                break;
            }
            if i > 0 && ctx.arb_between_pieces {
                venue.arbitrage(1.0).await?;
            }
            match venue.rebalance().await? {
                Some(f) => fills.push(f),
                None => break,
            }
            state = venue.state().await?;
        }
        Ok(fills)
    }

    fn pending(&self, state: &MarketState) -> bool {
        state.plan().is_some()
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
    /// The target of a rebalance under way and the side leverage started on (above it or not):
    /// later pieces (this look or, with a cooldown, later looks) keep going to it until it is
    /// reached or crossed.
    pending: Option<(u64, bool)>,
}

impl PeerKeeper {
    pub fn new(peer: Peer) -> Self {
        PeerKeeper { peer, pending: None }
    }

    fn still_pending(&self, lev: Option<u64>) -> Option<u64> {
        match (self.pending, lev) {
            (Some((t, above)), Some(l)) if l != t && (l > t) == above => Some(t),
            _ => None,
        }
    }
}

/// Peers get ours' executor: capped pieces through [`MathVenue::rebalance_to`] (same limits, depth
/// sizing, venue check, reward and pieces per look as ours).
impl Keeper<MathVenue> for PeerKeeper {
    async fn act(&mut self, venue: &mut MathVenue, state: &MarketState, ctx: StepCtx) -> Result<Vec<Fill>> {
        let mut fills = Vec::new();
        let mut state = state.clone();
        // The rule decides at the start of each look; a rebalance under way goes on to its target.
        let lev = state.leverage_bps().filter(|l| *l > 0);
        let band = (venue.market.params.band_low_bps, venue.market.params.band_high_bps);
        match lev.and_then(|l| self.peer.target(l, ctx.day_start, band).map(|t| (t, l))) {
            Some((t, l)) => self.pending = Some((t, l > t)),
            None => self.pending = self.still_pending(lev).and(self.pending),
        }
        for i in 0..ctx.max_pieces {
            let Some(t) = self.still_pending(state.leverage_bps().filter(|l| *l > 0)) else { break };
            if i > 0 && ctx.arb_between_pieces {
                venue.arbitrage(1.0).await?;
            }
            match venue.rebalance_to(t) {
                PeerStep::Filled(f) => fills.push(f),
                PeerStep::Done => {
                    self.pending = None;
                    break;
                }
                // Refused for now (as the program refuses ours): the target stays, tried again at
                // the next look.
                PeerStep::Refused => break,
            }
            state = venue.state().await?;
        }
        if self.still_pending(state.leverage_bps()).is_none() {
            self.pending = None;
        }
        Ok(fills)
    }

    fn pending(&self, state: &MarketState) -> bool {
        self.still_pending(state.leverage_bps()).is_some()
    }
}

/// Deterministic pseudo-random numbers so every strategy sees the same flows.
use levtoken_client::rng::SplitMix64 as Rng;

/// A user flow of `usdc` minted in pieces of at most `piece` (so each swap stays within the mint's
/// slippage bound), the pool arbitraged to the oracle before each; stops at the first refusal.
/// Returns the USDC minted.
async fn mint_in_pieces<V: Venue>(venue: &mut V, usdc: u64, piece: u64) -> Result<u64> {
    let mut done = 0;
    while done < usdc {
        let x = (usdc - done).min(piece.max(1));
        venue.arbitrage(1.0).await?;
        if !venue.mint(x).await? {
            break;
        }
        done += x;
    }
    Ok(done)
}

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
    venue.arbitrage(1.0).await?;
    let flow_piece = scenario.flow_piece();
    if mint_in_pieces(venue, scenario.initial_usdc, flow_piece).await? == 0 {
        anyhow::bail!("{name}: the launch mint was refused");
    }
    let mut last_index = venue.state().await?.projected_index();
    let step_ln = ((BPS + scenario.max_step_bps) as f64 / BPS as f64).ln();
    // Streaming fees are valued when they are charged (tokens minted × NAV per token then).
    let mut streaming_fees_usd = 0.0f64;
    let mut last_treasury_tokens = venue.treasury().await?.1;
    let mut last_arb_ts = prices[0].ts;
    let mut last_look_ts = i64::MIN / 2;
    let mut pending = false;

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
        // Walk the hour's points; while a rebalance is under way and a cooldown applies, the keeper
        // also looks between them, `chunk_cooldown_secs` after its last look (price geometric in
        // time between the points).
        let mut j = 1;
        let (mut cur_ts, mut cur_px) = (p0.ts, p0.close);
        while j <= k {
            let (pt_ts, pt_px) = (p0.ts + dt * j / k, path[(j - 1) as usize]);
            let extra_at = (pending && scenario.chunk_cooldown_secs > 0)
                .then(|| (last_look_ts + scenario.chunk_cooldown_secs).max(cur_ts + 1))
                .filter(|t| *t < pt_ts);
            let (ts, px, at_point) = match extra_at {
                Some(t) => (t, cur_px * (pt_px / cur_px).powf((t - cur_ts) as f64 / (pt_ts - cur_ts) as f64), false),
                None => (pt_ts, pt_px, true),
            };
            venue.set_price(ts, mantissa(px)).await?;
            venue.arbitrage(arb_fraction(ts - last_arb_ts, scenario.arb_half_life_secs)).await?;
            last_arb_ts = ts;
            (cur_ts, cur_px) = (ts, px);
            if at_point {
                j += 1;
            }
            let state = venue.state().await?;
            match state.leverage_bps() {
                None => {
                    // NAV ≤ 0: the product is wiped out. Book the bad debt and relaunch.
                    let bad = state.debt() as f64 - state.collateral_value() as f64;
                    run.bad_debt_usd += bad.max(0.0) / 1e6;
                    sample.wiped = true;
                    sample.max_leverage_in_hour = f64::INFINITY;
                    epoch += 1;
                    // The new market launches once arbitrage has brought the pool to the oracle.
                    venue.arbitrage(1.0).await?;
                    let first = scenario.initial_usdc.min(flow_piece);
                    venue.relaunch(first).await?;
                    mint_in_pieces(venue, scenario.initial_usdc - first, flow_piece).await?;
                    last_index = venue.state().await?.projected_index();
                    pending = false;
                    continue;
                }
                Some(l) => sample.max_leverage_in_hour = sample.max_leverage_in_hour.max(l as f64 / BPS as f64),
            }
            // An hourly keeper looks at the close, and keeps going with a rebalance under way.
            if at_point && scenario.cadence == Cadence::Hourly && j <= k {
                continue;
            }
            let hour_of_day = (p0.ts.rem_euclid(86_400)) / 3_600;
            let ctx = StepCtx {
                day_start: at_point && hour_of_day == 23 && j > k,
                max_pieces: scenario.pieces_per_look(),
                arb_between_pieces: scenario.chunk_cooldown_secs == 0 && scenario.arb_half_life_secs <= 0.0,
            };
            let fills = keeper.act(venue, &state, ctx).await?;
            // The keeper looks again a cooldown later while its rebalance is under way — also
            // after a refused piece (the pool is still on its way back to the oracle).
            last_look_ts = ts;
            pending = keeper.pending(&venue.state().await?);
            for f in fills {
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
                    mint_in_pieces(venue, (launch - nav) as u64, flow_piece).await?;
                } else if nav < launch * 3 && rng.next_u64().is_multiple_of(2) {
                    let usdc = (nav * pct as u128 / 10_000) as u64;
                    if usdc >= 10_000_000 {
                        mint_in_pieces(venue, usdc, flow_piece).await?;
                    }
                } else {
                    let tokens = (venue.user_tokens().await? as u128 * pct as u128 / 10_000) as u64;
                    let usdc = nav * pct as u128 / 10_000;
                    let n = usdc.div_ceil(flow_piece.max(1) as u128).max(1) as u64;
                    for i in 0..n {
                        let t = tokens / n + u64::from(i < tokens % n);
                        if t > 0 {
                            venue.arbitrage(1.0).await?;
                            if !venue.redeem(t).await? {
                                break;
                            }
                        }
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
    anyhow::ensure!(scenario.venue == VenueModel::Amm, "the real programs trade on the real AMM: --venue {} needs --engine math", scenario.venue);
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
    let mut v = MathVenue::new(
        scenario.params,
        levtoken_client::deploy::default_pool_config(),
        scenario.amm_fee_bps,
        scenario.amm_depth,
        scenario.lend,
        first.ts,
        mantissa(first.close),
    )?;
    if let VenueModel::FlatBps(bps) = scenario.venue {
        v.flat_bps = Some(bps as u64);
    }
    Ok(v)
}

/// A peer rule on the economics crate.
pub async fn run_peer(peer: Peer, scenario: &Scenario, prices: &[PricePoint], progress: Option<&ProgressBar>) -> Result<StrategyRun> {
    let mut venue = new_math_venue(scenario, prices[0])?;
    let mut keeper = PeerKeeper::new(peer);
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

    /// With a cooldown between pieces a keeper trades one piece per look and, while the rebalance
    /// is under way, looks again `chunk_cooldown_secs` later, between the path's points: on the
    /// March 2020 crash some hour holds more pieces than it has points, none more than its points
    /// plus the looks the cooldown allows; ours is never wiped out, with or without a cooldown.
    #[tokio::test(flavor = "current_thread")]
    async fn a_cooldown_spreads_a_rebalance_over_time() {
        let all = prices::bundled().unwrap();
        let points = prices::window(&all, Some(prices::parse_date("2020-03-11").unwrap()), Some(prices::parse_date("2020-03-14").unwrap()));
        // $5M held: the crash's rebalances take many $250k pieces.
        let base = Scenario::standard(MarketParams::partial_recentre_3x()).with_aum(5_000_000);
        let step_ln = ((BPS + base.max_step_bps) as f64 / BPS as f64).ln();
        let cooldown = 600;
        let slow = run_math(&Scenario { chunk_cooldown_secs: cooldown, ..base.clone() }, &points, None).await.unwrap();
        let mut extra = 0;
        for (w, s) in points.windows(2).zip(&slow.samples) {
            let k = hour_path(&w[0], &w[1], step_ln, Intrahour::Close).len() as i64;
            assert!(s.rebalances as i64 <= k + 3_600 / cooldown, "{} pieces in the hour of {} ({k} points)", s.rebalances, prices::format_ts(s.ts));
            extra = extra.max(s.rebalances as i64 - k);
        }
        assert!(extra > 0, "the keeper looks between points while a rebalance is under way");
        let fast = run_math(&Scenario { chunk_cooldown_secs: 0, arb_half_life_secs: 0.0, ..base.clone() }, &points, None).await.unwrap();
        for run in [&slow, &fast] {
            let m = super::super::metrics::compute(run);
            assert_eq!((m.wipeouts, m.bad_debt_usdc), (0, 0.0));
            assert!(run.rebalances() > 20);
        }
    }

    /// The AUM level is held: a $10M launch goes in through pieces the pool can take, and the
    /// vault starts near $10M of NAV (the default $100k otherwise).
    #[tokio::test(flavor = "current_thread")]
    async fn the_product_is_held_at_the_chosen_aum() {
        let all = prices::bundled().unwrap();
        let points = prices::window(&all, Some(prices::parse_date("2019-01-01").unwrap()), Some(prices::parse_date("2019-01-03").unwrap()));
        for usd in [100_000u64, 10_000_000] {
            let sc = Scenario::standard(MarketParams::partial_recentre_3x()).with_aum(usd);
            assert!(sc.lend >= 4 * usd * 1_000_000);
            let run = run_math(&sc, &points, None).await.unwrap();
            let nav = run.samples[0].nav_usd;
            assert!((nav / usd as f64 - 1.0).abs() < 0.05, "NAV ${nav} held at ${usd}");
        }
    }

    /// The flat venue fills any size at the oracle less its fee and leaves the pool's reserves as
    /// they are; the real programs refuse to run on it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_flat_venue_costs_its_bps_and_nothing_else() {
        let all = prices::bundled().unwrap();
        let points = prices::window(&all, Some(prices::parse_date("2020-03-11").unwrap()), Some(prices::parse_date("2020-03-14").unwrap()));
        let sc = Scenario { venue: VenueModel::FlatBps(10), ..Scenario::standard(MarketParams::partial_recentre_3x()) };
        let mut v = new_math_venue(&sc, points[0]).unwrap();
        let reserves = (v.amm_eth, v.amm_usdc);
        assert!(v.mint(1_000_000_000).await.unwrap());
        assert_eq!((v.amm_eth, v.amm_usdc), reserves);
        // $1,000 deposit, 3x: $3,000 swapped at 10 bps → NAV ≈ $1,000 − $3 (fee 0 at mint here?).
        let st = v.state().await.unwrap();
        let fee = leveraged_token::MarketParams::partial_recentre_3x().mint_fee_bps as f64;
        let net = 1_000.0 * (1.0 - fee / 1e4);
        let expect = net - 3.0 * net * 10.0 / 1e4;
        assert!((st.nav().unwrap() as f64 / 1e6 - expect).abs() < 0.01, "{} vs {expect}", st.nav().unwrap());
        let run = run_math(&sc, &points, None).await.unwrap();
        let rebalances = run.rebalances() as f64;
        let cost: f64 = run.samples.iter().map(|s| s.cost_usd).sum();
        assert!(rebalances > 10.0 && cost > 0.0);
        assert!(run_bank(&sc, &points, None).await.is_err());
        assert_eq!("flat:10".parse::<VenueModel>().unwrap(), VenueModel::FlatBps(10));
        assert!("flat".parse::<VenueModel>().is_err() && "cex".parse::<VenueModel>().is_err());
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
