//! The `backtest` command: run ours and the peers, print the comparison, write JSON and plots.

use std::path::PathBuf;

use crate::commands::Rule;
use anyhow::{Context, Result};

use super::{
    metrics, plots, prices,
    run::{progress_bar, run_bank, run_math, run_peer, Cadence, Intrahour, Peer, Scenario, VenueModel},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The real programs in the in-process Solana runtime.
    Bank,
    /// The same handlers on the economics crate alone.
    Math,
}

#[derive(Clone, Debug, clap::Args)]
pub struct BacktestArgs {
    /// Hourly OHLC CSV (Binance export format); default: the bundled ETH/USDT 2017-08-17 → 2021-06-10.
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// First day to simulate, YYYY-MM-DD (UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Day to stop before, YYYY-MM-DD (UTC).
    #[arg(long)]
    pub to: Option<String>,
    /// Where to write the plots (PNG).
    #[arg(long, default_value = "backtest-out")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Engine::Bank)]
    pub engine: Engine,
    /// Our program's parameter set.
    #[arg(long, value_enum, default_value_t = Rule::Edge)]
    pub rule: Rule,
    /// Skip the peer strategies.
    #[arg(long)]
    pub no_peers: bool,
    /// Skip the plots.
    #[arg(long)]
    pub no_plots: bool,
    /// When every rule's keeper looks: at every sub-step of at most 2% (default) or only at
    /// hourly closes.
    #[arg(long, value_enum, default_value_t = Cadence::Substeps)]
    pub keeper_cadence: Cadence,
    /// The price path between two closes: straight (default) or through the hour's high and low.
    #[arg(long, value_enum, default_value_t = Intrahour::Close)]
    pub intrahour: Intrahour,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The sensitivity flags every backtest command shares (each rule gets the same).
#[derive(Clone, Debug, clap::Args)]
pub struct ModelArgs {
    /// The vault's venue: `amm` (the constant-product pool with its depth) or `flat:<bps>` (any
    /// size at the oracle less <bps>; economics engine only).
    #[arg(long, default_value = "amm")]
    pub venue: VenueModel,
    /// NAV the product is held at, USD (launch size; bear markets are topped back up to it).
    #[arg(long, default_value_t = 100_000)]
    pub aum: u64,
    /// Arbitrage half-life, seconds: the pool's log-price gap to the oracle halves in this time
    /// (0 = arbitraged instantly at every look).
    #[arg(long, default_value_t = 60.0)]
    pub arb_half_life: f64,
    /// Seconds between two pieces of one rebalance (0 = up to eight pieces per look).
    #[arg(long, default_value_t = 60)]
    pub chunk_cooldown: i64,
}

impl Default for ModelArgs {
    /// The command line's defaults.
    fn default() -> Self {
        ModelArgs { venue: VenueModel::Amm, aum: 100_000, arb_half_life: 60.0, chunk_cooldown: 60 }
    }
}

impl ModelArgs {
    pub fn apply(&self, s: Scenario) -> Scenario {
        Scenario { venue: self.venue, arb_half_life_secs: self.arb_half_life, chunk_cooldown_secs: self.chunk_cooldown, ..s }.with_aum(self.aum)
    }

    pub fn describe(&self) -> String {
        format!(
            "venue {}, AUM ${}, arbitrage half-life {} s, {} between pieces",
            self.venue,
            self.aum,
            self.arb_half_life,
            if self.chunk_cooldown > 0 { format!("{} s", self.chunk_cooldown) } else { "no wait".into() }
        )
    }
}

pub struct Report {
    pub json: serde_json::Value,
    pub table: String,
    pub plots: Vec<PathBuf>,
}

pub async fn run(args: &BacktestArgs, quiet: bool) -> Result<Report> {
    let all = match &args.prices {
        Some(p) => prices::parse_csv(&std::fs::read_to_string(p).with_context(|| format!("read {}", p.display()))?)?,
        None => prices::bundled()?,
    };
    let from = args.from.as_deref().map(prices::parse_date).transpose()?;
    let to = args.to.as_deref().map(prices::parse_date).transpose()?;
    let points = prices::window(&all, from, to);
    anyhow::ensure!(points.len() >= 2, "fewer than two candles in the chosen range");
    let scenario = args.model.apply(Scenario { cadence: args.keeper_cadence, intrahour: args.intrahour, ..Scenario::standard(args.rule.params()) });
    let hours = (points.len() - 1) as u64;

    let pb = (!quiet).then(|| progress_bar(hours, "ours"));
    let started = std::time::Instant::now();
    let ours = match args.engine {
        Engine::Bank => run_bank(&scenario, &points, pb.as_ref()).await?,
        Engine::Math => run_math(&scenario, &points, pb.as_ref()).await?,
    };
    let ours_secs = started.elapsed().as_secs_f64();
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let mut peers = Vec::new();
    if !args.no_peers {
        for peer in Peer::ALL {
            let pb = (!quiet).then(|| progress_bar(hours, peer.name()));
            peers.push(run_peer(peer, &scenario, &points, pb.as_ref()).await?);
            if let Some(pb) = pb {
                pb.finish_and_clear();
            }
        }
    }

    let m_ours = metrics::compute(&ours);
    let m_peers: Vec<(String, metrics::Metrics)> = peers.iter().map(|r| (r.name.clone(), metrics::compute(r))).collect();
    let peer_refs: Vec<(&str, metrics::Metrics)> = m_peers.iter().map(|(n, m)| (n.as_str(), m.clone())).collect();
    let json = metrics::to_json(&m_ours, &peer_refs);
    let mut rows: Vec<(&str, &metrics::Metrics)> = vec![("ours", &m_ours)];
    rows.extend(m_peers.iter().map(|(n, m)| (n.as_str(), m)));
    let engine = match args.engine {
        Engine::Bank => "the real programs in the in-process Solana runtime",
        Engine::Math => "the economics crate alone",
    };
    let cadence = match args.keeper_cadence {
        Cadence::Substeps => "keepers at every ≤2% step",
        Cadence::Hourly => "keepers at hourly closes only",
    };
    let path = match args.intrahour {
        Intrahour::Close => "close to close",
        Intrahour::HighLow => "through each hour's high and low",
    };
    let table = format!(
        "{} hours from {} to {} ({cadence}, {path}, {}); ours through {} in {:.1} s\n{}",
        hours,
        prices::format_ts(points[0].ts),
        prices::format_ts(points[points.len() - 1].ts),
        args.model.describe(),
        engine,
        ours_secs,
        metrics::table(&rows)
    );
    let mut files = Vec::new();
    if !args.no_plots {
        std::fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
        let mut runs = vec![ours];
        runs.extend(peers);
        let p = &scenario.params;
        files = plots::plot_all(&runs, &args.out, (p.band_low_bps as f64 / 1e4, p.band_high_bps as f64 / 1e4, p.emergency_leverage_bps as f64 / 1e4))?;
    }
    Ok(Report { json, table, plots: files })
}
