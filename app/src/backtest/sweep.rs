//! `levtoken backtest-sweep`: the out-of-sample protocol. A grid of our band parameters and every
//! peer run on the economics engine (which the tests hold equal to the programs) before and from a
//! split date; the preset is chosen on the in-sample period only, by a rule fixed in advance, then
//! every rule is reported on both periods, with the cost–tracking frontier plotted.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use leveraged_token::MarketParams;
use plotters::prelude::*;
use serde::Serialize;

use super::{
    metrics::{self, Metrics},
    prices,
    run::{run_math, run_peer, Cadence, Intrahour, Peer, Scenario, VenueModel},
    types::PricePoint,
};

#[derive(Clone, Debug, clap::Args)]
pub struct SweepArgs {
    /// Hourly OHLC CSV; default: the bundled ETH/USDT history.
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// First day of the out-of-sample period, YYYY-MM-DD (UTC); the preset is chosen before it.
    #[arg(long, default_value = "2019-07-14")]
    pub split: String,
    /// Where to write the frontier plots (PNG).
    #[arg(long, default_value = "backtest-out")]
    pub out: PathBuf,
    /// The keeper cadence the preset is chosen under (it is then checked under both).
    #[arg(long, value_enum, default_value_t = Cadence::Substeps)]
    pub keeper_cadence: Cadence,
    /// The intrahour path the preset is chosen under (it is then checked under both).
    #[arg(long, value_enum, default_value_t = Intrahour::Close)]
    pub intrahour: Intrahour,
    /// Skip the plots.
    #[arg(long)]
    pub no_plots: bool,
    /// Skip the capacity table (every rule at $100k … $100M of AUM out of sample).
    #[arg(long)]
    pub no_capacity: bool,
    #[command(flatten)]
    pub model: super::cmd::ModelArgs,
}

/// One rule on one period: the two frontier coordinates and the safety counts.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub name: String,
    pub median_30d_total_cost_bps: f64,
    pub median_abs_30d_diff: f64,
    /// 90% block-bootstrap intervals of the two medians.
    pub median_30d_total_cost_bps_ci90: [f64; 2],
    pub median_abs_30d_diff_ci90: [f64; 2],
    pub wipeouts: u64,
    pub bad_debt_usdc: f64,
    pub max_leverage: f64,
}

impl Point {
    fn of(name: &str, m: &Metrics) -> Self {
        Point {
            name: name.into(),
            median_30d_total_cost_bps: m.median_30d_total_cost_bps,
            median_abs_30d_diff: m.median_abs_30d_diff,
            median_30d_total_cost_bps_ci90: m.median_30d_total_cost_bps_ci90,
            median_abs_30d_diff_ci90: m.median_abs_30d_diff_ci90,
            wipeouts: m.wipeouts,
            bad_debt_usdc: m.bad_debt_usdc,
            max_leverage: m.max_leverage,
        }
    }

    /// At least as good on both coordinates and better on one.
    pub fn dominates(&self, o: &Point) -> bool {
        let (c, d, oc, od) = (self.median_30d_total_cost_bps, self.median_abs_30d_diff, o.median_30d_total_cost_bps, o.median_abs_30d_diff);
        c <= oc && d <= od && (c < oc || d < od)
    }

    /// The selection rule, fixed before any out-of-sample number is seen: one percentage point of
    /// median 30-day deviation weighs as 100 bps a year of cost; wiped-out variants are excluded.
    pub fn score(&self) -> f64 {
        self.median_30d_total_cost_bps + 100.0 * (self.median_abs_30d_diff * 100.0)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Period {
    pub from: String,
    pub to: String,
    /// Every grid variant (named `band_<low>_<high>_share_<bps>`).
    pub grid: Vec<Point>,
    pub chosen: Point,
    pub peers: Vec<Point>,
    /// The peers that dominate the chosen preset on this period.
    pub dominated_by: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SweepReport {
    pub split: String,
    pub rule: String,
    /// The chosen parameters: band low, band high, recentre share, recentre tolerance (bps; the
    /// band's wider half-width = no scheduled recentre).
    pub chosen_params: [u64; 4],
    pub in_sample: Period,
    pub out_of_sample: Period,
    /// The chosen preset and every peer out of sample under each keeper cadence and intrahour
    /// path (grid omitted), the selection scenario included.
    pub out_of_sample_scenarios: Vec<ScenarioCheck>,
    /// Zero wipeouts and bad debt for the chosen preset, and no peer better on both, in every
    /// out-of-sample scenario.
    pub goal_met: bool,
    /// Out of sample, under the selection scenario: the chosen preset and the peers at each AUM
    /// level, and the chosen preset under other execution settings.
    pub capacity: Vec<CapacityRow>,
    /// Per execution setting of the chosen preset: the largest AUM level whose median total cost
    /// stays within 2x of its cost at the smallest level.
    pub capacity_within_2x_usd: Vec<(String, u64)>,
    pub plots: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CapacityRow {
    pub aum_usd: u64,
    /// `default` (the sweep's own settings) or the execution variant of the chosen preset.
    pub execution: String,
    pub points: Vec<Point>,
}

/// AUM levels of the capacity table, USD.
pub const AUM_LEVELS: [u64; 6] = [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000, 100_000_000];

/// The execution variants the capacity table runs the chosen preset under: name, and the change.
/// The third element: the venue bound in bps (normal, emergency) that sizes a piece (a piece moves
/// the pool about twice its bound) and the largest piece as a share of the starting depth.
fn execution_variants(model: &super::cmd::ModelArgs) -> Vec<(String, super::cmd::ModelArgs, (u64, u64, u64))> {
    vec![
        ("default".into(), model.clone(), (50, 100, 200)),
        ("pieces ≈1% of depth".into(), model.clone(), (100, 200, 100)),
        ("instant arbitrage".into(), super::cmd::ModelArgs { arb_half_life: 0.0, chunk_cooldown: 0, ..model.clone() }, (50, 100, 200)),
    ]
}

async fn capacity(oos: &[PricePoint], chosen: MarketParams, model: &super::cmd::ModelArgs, cad: Cadence, ih: Intrahour) -> Result<(Vec<CapacityRow>, Vec<(String, u64)>)> {
    let mut rows = Vec::new();
    let mut within = Vec::new();
    for (name, m, (dev, emergency_dev, depth_div)) in execution_variants(model) {
        let mut base_cost = None;
        let (mut cap, mut prev_level) = (0, 0);
        for aum in AUM_LEVELS {
            let m = super::cmd::ModelArgs { aum, ..m.clone() };
            let mut sc = scenario(&m, cad, ih, chosen);
            sc.params.max_venue_deviation_bps = dev;
            sc.params.emergency_max_venue_deviation_bps = emergency_dev;
            sc.params.max_trade_quote = sc.amm_depth / depth_div;
            sc.params.emergency_max_trade_quote = sc.amm_depth / (depth_div / 2);
            anyhow::ensure!(sc.params.validate(levtoken_client::deploy::default_pool_config().liquidation_leverage_bps).is_ok(), "{name}: invalid parameters");
            let run = run_math(&sc, oos, None).await?;
            let ours = Point::of(&variant_name(&chosen), &metrics::compute(&run));
            let cost = ours.median_30d_total_cost_bps;
            let base = *base_cost.get_or_insert(cost);
            // Levels count from the smallest up, until the first that fails.
            if cap == prev_level && cost <= 2.0 * base && ours.wipeouts == 0 {
                cap = aum;
            }
            prev_level = aum;
            let mut points = vec![ours];
            if name == "default" {
                points.extend(peers_on(oos, &sc).await?);
            }
            rows.push(CapacityRow { aum_usd: aum, execution: name.clone(), points });
        }
        within.push((name, cap));
    }
    Ok((rows, within))
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioCheck {
    pub keeper_cadence: String,
    pub intrahour: String,
    /// `amm` or `flat:<bps>`.
    pub venue: String,
    pub chosen: Point,
    pub peers: Vec<Point>,
    pub dominated_by: Vec<String>,
}

/// The grid: band low × band high × recentre share (0 = back to the crossed edge) × scheduled
/// recentre (`partial_recentre_3x`'s weekly one when more than 0.15x off target, or off), other
/// parameters as `partial_recentre_3x`.
pub fn grid() -> Vec<MarketParams> {
    let base = MarketParams::partial_recentre_3x();
    let liquidation = levtoken_client::deploy::default_pool_config().liquidation_leverage_bps;
    let mut v = Vec::new();
    for low in [25_500, 26_500, 27_500, 28_000] {
        for high in [31_500, 32_000, 33_000] {
            for share in [0, 500, 2_500, 10_000] {
                for scheduled in [true, false] {
                    let p = MarketParams { band_low_bps: low, band_high_bps: high, recentre_share_bps: share, ..base };
                    let p = if scheduled { p } else { without_schedule(p) };
                    if p.validate(liquidation).is_ok() {
                        v.push(p);
                    }
                }
            }
        }
    }
    v
}

/// `p` with its scheduled recentre off: a tolerance of the band's wider half-width.
pub fn without_schedule(p: MarketParams) -> MarketParams {
    let t = p.target_leverage_bps;
    MarketParams { recentre_tolerance_bps: (p.band_high_bps - t).max(t - p.band_low_bps), ..p }
}

fn variant_name(p: &MarketParams) -> String {
    let sched = if p.recentre_tolerance_bps == MarketParams::partial_recentre_3x().recentre_tolerance_bps { "" } else { "_nosched" };
    format!("band_{:.2}_{:.2}_share_{}{sched}", p.band_low_bps as f64 / 1e4, p.band_high_bps as f64 / 1e4, p.recentre_share_bps)
}

fn scenario(model: &super::cmd::ModelArgs, cadence: Cadence, intrahour: Intrahour, p: MarketParams) -> Scenario {
    model.apply(Scenario { cadence, intrahour, ..Scenario::standard(p) })
}

async fn grid_points(points: &[PricePoint], grid: &[MarketParams], model: &super::cmd::ModelArgs, cadence: Cadence, intrahour: Intrahour) -> Result<Vec<Point>> {
    let mut g = Vec::new();
    for p in grid {
        let run = run_math(&scenario(model, cadence, intrahour, *p), points, None).await?;
        g.push(Point::of(&variant_name(p), &metrics::compute(&run)));
    }
    Ok(g)
}

/// Every peer, run with `params`' limits (and, for the edge control, its band: the chosen preset's).
async fn peer_points(points: &[PricePoint], params: MarketParams, model: &super::cmd::ModelArgs, cadence: Cadence, intrahour: Intrahour) -> Result<Vec<Point>> {
    peers_on(points, &scenario(model, cadence, intrahour, params)).await
}

/// Every peer on `sc`.
async fn peers_on(points: &[PricePoint], sc: &Scenario) -> Result<Vec<Point>> {
    let mut peers = Vec::new();
    for peer in Peer::ALL {
        let run = run_peer(peer, sc, points, None).await?;
        peers.push(Point::of(peer.name(), &metrics::compute(&run)));
    }
    Ok(peers)
}

/// The variant the rule picks: the lowest score among those never wiped out.
pub fn choose(grid: &[Point]) -> Option<usize> {
    grid.iter().enumerate().filter(|(_, p)| p.wipeouts == 0 && p.bad_debt_usdc == 0.0).min_by(|a, b| a.1.score().total_cmp(&b.1.score())).map(|(i, _)| i)
}

pub async fn run(args: &SweepArgs) -> Result<SweepReport> {
    let all = match &args.prices {
        Some(p) => prices::parse_csv(&std::fs::read_to_string(p).with_context(|| format!("read {}", p.display()))?)?,
        None => prices::bundled()?,
    };
    let split = prices::parse_date(&args.split)?;
    let ins = prices::window(&all, None, Some(split));
    let oos = prices::window(&all, Some(split), None);
    anyhow::ensure!(ins.len() > 30 * 24 && oos.len() > 30 * 24, "each side of the split needs more than 30 days of candles");
    let grid = grid();
    let (m, cad, ih) = (&args.model, args.keeper_cadence, args.intrahour);
    let bar = indicatif::ProgressBar::new(4).with_message("in-sample grid");
    let g_in = grid_points(&ins, &grid, m, cad, ih).await?;
    // The choice sees the in-sample grid only.
    let k = choose(&g_in).context("every variant was wiped out in-sample")?;
    let chosen_params = grid[k];
    bar.inc(1);
    let p_in = peer_points(&ins, chosen_params, m, cad, ih).await?;
    bar.inc(1);
    bar.set_message("out-of-sample");
    let g_out = grid_points(&oos, &grid, m, cad, ih).await?;
    bar.inc(1);
    let p_out = peer_points(&oos, chosen_params, m, cad, ih).await?;
    bar.finish_and_clear();
    let mk = |pts: &[PricePoint], g: Vec<Point>, peers: Vec<Point>| {
        let chosen = g[k].clone();
        let dominated_by = peers.iter().filter(|p| p.dominates(&chosen)).map(|p| p.name.clone()).collect();
        Period { from: prices::format_ts(pts[0].ts), to: prices::format_ts(pts[pts.len() - 1].ts), grid: g, chosen, peers, dominated_by }
    };
    let in_sample = mk(&ins, g_in, p_in);
    let out_of_sample = mk(&oos, g_out, p_out);
    let mut checks = Vec::new();
    // The sweep's own venue (the goal's scenarios) and the other venue model (reported beside).
    let other_venue = if m.venue == VenueModel::Amm { VenueModel::FlatBps(10) } else { VenueModel::Amm };
    for venue in [m.venue, other_venue] {
        let mv = super::cmd::ModelArgs { venue, ..m.clone() };
        for cadence in [Cadence::Substeps, Cadence::Hourly] {
            for intrahour in [Intrahour::Close, Intrahour::HighLow] {
                let chosen = grid_points(&oos, &grid[k..=k], &mv, cadence, intrahour).await?.remove(0);
                let peers = peer_points(&oos, chosen_params, &mv, cadence, intrahour).await?;
                let dominated_by = peers.iter().filter(|p| p.dominates(&chosen)).map(|p| p.name.clone()).collect();
                checks.push(ScenarioCheck {
                    keeper_cadence: format!("{cadence:?}").to_lowercase(),
                    intrahour: format!("{intrahour:?}").to_lowercase(),
                    venue: venue.to_string(),
                    chosen,
                    peers,
                    dominated_by,
                });
            }
        }
    }
    let goal_met = checks
        .iter()
        .filter(|c| c.venue == m.venue.to_string())
        .all(|c| c.chosen.wipeouts == 0 && c.chosen.bad_debt_usdc == 0.0 && c.dominated_by.is_empty());
    let (capacity, capacity_within_2x_usd) = if args.no_capacity { (Vec::new(), Vec::new()) } else { capacity(&oos, chosen_params, m, cad, ih).await? };
    let mut plots = Vec::new();
    if !args.no_plots {
        std::fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
        for (p, file, title) in
            [(&in_sample, "frontier_in_sample.png", "in-sample (preset chosen here)"), (&out_of_sample, "frontier_out_of_sample.png", "out-of-sample")]
        {
            let path = args.out.join(file);
            frontier_plot(p, &path, &format!("{title}: {} → {}", &p.from[..10], &p.to[..10]))?;
            plots.push(path.display().to_string());
        }
        // Every out-of-sample scenario: the rules (the grid only in the selection scenario above).
        for c in &checks {
            let period = Period {
                from: out_of_sample.from.clone(),
                to: out_of_sample.to.clone(),
                grid: Vec::new(),
                chosen: c.chosen.clone(),
                peers: c.peers.clone(),
                dominated_by: c.dominated_by.clone(),
            };
            let path = args.out.join(format!("frontier_oos_{}_{}_{}.png", c.keeper_cadence, c.intrahour, c.venue.replace(':', "")));
            let title = format!("out-of-sample, keeper {}, path {}, venue {}", c.keeper_cadence, c.intrahour, c.venue);
            frontier_plot(&period, &path, &title)?;
            plots.push(path.display().to_string());
        }
    }
    let c = &grid[k];
    Ok(SweepReport {
        split: args.split.clone(),
        rule: "lowest median 30-day total cost (bps/yr) + 100 × median |30-day deviation| (percentage points), among in-sample variants never wiped out".into(),
        chosen_params: [c.band_low_bps, c.band_high_bps, c.recentre_share_bps, c.recentre_tolerance_bps],
        in_sample,
        out_of_sample,
        out_of_sample_scenarios: checks,
        goal_met,
        capacity,
        capacity_within_2x_usd,
        plots,
    })
}

pub fn table(r: &SweepReport) -> String {
    let mut s = format!("preset chosen before {} by: {}\nchosen: {}\n", r.split, r.rule, r.in_sample.chosen.name);
    for (label, p) in [("in-sample", &r.in_sample), ("out-of-sample", &r.out_of_sample)] {
        s += &format!(
            "\n{label} ({} → {})\n{:<31} {:>9} {:>11} {:>10} {:>13} {:>9} {:>9}\n",
            p.from, p.to, "rule", "total bps", "90%", "|30d dev|", "90%", "wipeouts", "max lev"
        );
        for x in std::iter::once(&p.chosen).chain(&p.peers) {
            let (c, d) = (x.median_30d_total_cost_bps_ci90, x.median_abs_30d_diff_ci90);
            s += &format!(
                "{:<31} {:>9.0} {:>11} {:>9.2}% {:>13} {:>9} {:>8.2}x\n",
                x.name,
                x.median_30d_total_cost_bps,
                format!("{:.0}–{:.0}", c[0], c[1]),
                x.median_abs_30d_diff * 100.0,
                format!("{:.2}–{:.2}%", d[0] * 100.0, d[1] * 100.0),
                x.wipeouts,
                x.max_leverage
            );
        }
        s += &format!("peers better on both: {}\n", if p.dominated_by.is_empty() { "none".to_string() } else { p.dominated_by.join(", ") });
    }
    s += "\nout-of-sample, the chosen preset under each keeper cadence, intrahour path and venue\n";
    s += &format!(
        "{:<10} {:<9} {:<8} {:>9} {:>10} {:>9} {:>9}  peers better on both\n",
        "keeper", "path", "venue", "total bps", "|30d dev|", "wipeouts", "max lev"
    );
    for c in &r.out_of_sample_scenarios {
        let x = &c.chosen;
        let better = if c.dominated_by.is_empty() { "none".to_string() } else { c.dominated_by.join(", ") };
        s += &format!(
            "{:<10} {:<9} {:<8} {:>9.0} {:>9.2}% {:>9} {:>8.2}x  {better}\n",
            c.keeper_cadence,
            c.intrahour,
            c.venue,
            x.median_30d_total_cost_bps,
            x.median_abs_30d_diff * 100.0,
            x.wipeouts,
            x.max_leverage
        );
    }
    s += &format!(
        "goal (zero wipeouts and no peer better on both, every keeper cadence and path on venue {}): {}",
        r.out_of_sample_scenarios.first().map(|c| c.venue.as_str()).unwrap_or("?"),
        if r.goal_met { "met" } else { "NOT met" }
    );
    if !r.capacity.is_empty() {
        s += "\n\ncapacity, out of sample: median total 30-day cost (bps/yr) and |30d dev| by AUM held\n";
        let names: Vec<String> = r.capacity[0].points.iter().map(|p| p.name.clone()).collect();
        s += &format!("{:<28} {:>6}", "execution", "AUM");
        for n in &names {
            s += &format!(" {:>15}", if n == &names[0] { "ours" } else { n.as_str() });
        }
        s += "\n";
        for row in &r.capacity {
            s += &format!("{:<28} {:>6}", row.execution, usd_short(row.aum_usd));
            for p in &row.points {
                let cell = if p.wipeouts > 0 { format!("{} wiped", p.wipeouts) } else { format!("{:.0} {:.2}%", p.median_30d_total_cost_bps, p.median_abs_30d_diff * 100.0) };
                s += &format!(" {cell:>15}");
            }
            s += "\n";
        }
        for (name, cap) in &r.capacity_within_2x_usd {
            s += &format!("ours, {name}: cost within 2x of its {}-AUM cost up to {}\n", usd_short(AUM_LEVELS[0]), if *cap == 0 { "—".into() } else { usd_short(*cap) });
        }
    }
    s
}

fn usd_short(x: u64) -> String {
    match x {
        x if x >= 1_000_000 => format!("${}M", x / 1_000_000),
        x if x >= 1_000 => format!("${}k", x / 1_000),
        x => format!("${x}"),
    }
}

fn frontier_plot(p: &Period, path: &Path, title: &str) -> Result<()> {
    super::plots::register_font()?;
    let all: Vec<&Point> = p.grid.iter().chain(&p.peers).collect();
    let (mut x1, mut y1) = (0.0f64, 0.0f64);
    for q in &all {
        x1 = x1.max(q.median_30d_total_cost_bps);
        y1 = y1.max(q.median_abs_30d_diff * 100.0);
    }
    let root = BitMapBackend::new(path, (1200, 800)).into_drawing_area();
    root.fill(&WHITE).map_err(super::plots::err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x1 * 1.1, 0.0..y1 * 1.15)
        .map_err(super::plots::err)?;
    chart
        .configure_mesh()
        .x_desc("median 30-day total cost, bps a year (swap fees, impact, keeper rewards, interest)")
        .y_desc("median |30-day return − ideal 3x|, %")
        .draw()
        .map_err(super::plots::err)?;
    let grey = RGBColor(170, 170, 170);
    chart
        .draw_series(p.grid.iter().map(|q| Circle::new((q.median_30d_total_cost_bps, q.median_abs_30d_diff * 100.0), 4, grey.filled())))
        .map_err(super::plots::err)?
        .label("our parameter grid")
        .legend(move |(x, y)| Circle::new((x + 10, y), 4, grey.filled()));
    for (i, q) in p.peers.iter().enumerate() {
        let c = super::plots::color(i + 1);
        let xy = (q.median_30d_total_cost_bps, q.median_abs_30d_diff * 100.0);
        chart
            .draw_series([Circle::new(xy, 7, c.filled())])
            .map_err(super::plots::err)?
            .label(q.name.clone())
            .legend(move |(x, y)| Circle::new((x + 10, y), 6, c.filled()));
        chart.draw_series([Text::new(q.name.clone(), xy, ("sans-serif", 16))]).map_err(super::plots::err)?;
    }
    let red = RGBColor(200, 30, 30);
    let xy = (p.chosen.median_30d_total_cost_bps, p.chosen.median_abs_30d_diff * 100.0);
    chart
        .draw_series([TriangleMarker::new(xy, 12, red.filled())])
        .map_err(super::plots::err)?
        .label(format!("chosen preset ({})", p.chosen.name))
        .legend(move |(x, y)| TriangleMarker::new((x + 10, y), 8, red.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(super::plots::err)?;
    root.present().map_err(super::plots::err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(name: &str, cost: f64, dev: f64, wipeouts: u64) -> Point {
        Point {
            name: name.into(),
            median_30d_total_cost_bps: cost,
            median_abs_30d_diff: dev,
            median_30d_total_cost_bps_ci90: [cost; 2],
            median_abs_30d_diff_ci90: [dev; 2],
            wipeouts,
            bad_debt_usdc: 0.0,
            max_leverage: 3.0,
        }
    }

    #[test]
    fn the_rule_and_dominance() {
        let a = pt("a", 400.0, 0.04, 0); // score 400 + 400
        let b = pt("b", 500.0, 0.02, 0); // 500 + 200: chosen
        let c = pt("c", 100.0, 0.01, 1); // best, but wiped out
        assert_eq!(choose(&[a.clone(), b.clone(), c.clone()]), Some(1));
        assert_eq!(choose(std::slice::from_ref(&c)), None);
        assert!(pt("d", 400.0, 0.02, 0).dominates(&a) && pt("d", 400.0, 0.02, 0).dominates(&b));
        assert!(!a.dominates(&b) && !b.dominates(&a) && !a.dominates(&a));
        assert!(grid().len() == 96 && grid().iter().all(|p| p.band().is_valid()));
        // The chosen preset of the README is a grid point.
        assert!(grid().contains(&MarketParams::edge_3x()));
    }
}
