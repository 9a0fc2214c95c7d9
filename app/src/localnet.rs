//! `levtoken localnet`: start the local node (crates/localnet) — and `levtoken localnet price`,
//! `faucet`, `info`, `keeper-tick`, which call a running node's `levtoken_*` extension methods at
//! `--url`.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use levtoken_localnet::{remote, Config, Localnet, Programs, Replay};
use solana_signer::Signer;

use crate::{backtest::prices, Cli};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LocalnetArgs {
    #[command(subcommand)]
    pub action: Option<Action>,
    #[command(flatten)]
    pub start: StartArgs,
}

#[derive(Subcommand, Debug)]
pub enum Action {
    /// Move the running node's ETH/USD oracle (and arbitrage its AMM to it).
    Price {
        /// New price in dollars, e.g. 3600.
        #[arg(long, conflicts_with = "by")]
        set: Option<f64>,
        /// Relative move, e.g. +20% or -5%.
        #[arg(long = "move", allow_hyphen_values = true)]
        by: Option<String>,
    },
    /// Demo USDC (and 10 SOL if it holds less than 1) from the running node's faucet.
    Faucet {
        /// Dollars of USDC.
        #[arg(long, default_value_t = 1_000.0)]
        usdc: f64,
        /// Recipient (default: the signer, from --keypair or the Solana CLI config).
        #[arg(long)]
        to: Option<String>,
    },
    /// The running node's addresses and price.
    Info,
    /// Run one keeper look on the running node now.
    KeeperTick,
}

#[derive(Args, Debug, Clone)]
pub struct StartArgs {
    /// JSON-RPC port; websockets on the next port (as solana-test-validator).
    #[arg(long, default_value_t = 8899)]
    pub rpc_port: u16,
    /// Address to bind both servers to.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: IpAddr,
    /// ETH/USD at start, dollars.
    #[arg(long, default_value_t = 3_000.0)]
    pub price: f64,
    /// Replay a price history: a CSV with unix/close columns (as `backtest --prices`), or the
    /// bundled ETH history when given without a file. Starts at its first price.
    #[arg(long, num_args = 0..=1, default_missing_value = "bundled", value_name = "FILE")]
    pub replay: Option<String>,
    /// Replay from this date (YYYY-MM-DD, UTC).
    #[arg(long, requires = "replay")]
    pub replay_from: Option<String>,
    /// Replay up to this date (YYYY-MM-DD, UTC, exclusive).
    #[arg(long, requires = "replay")]
    pub replay_to: Option<String>,
    /// History seconds per second of replay (3600: an hour of history a second).
    #[arg(long, default_value_t = 3_600.0)]
    pub speed: f64,
    /// Start the replay again at its end.
    #[arg(long, requires = "replay")]
    pub repeat: bool,
    /// Run the built-in keeper (on by default with --replay).
    #[arg(long, conflicts_with = "no_keeper")]
    pub keeper: bool,
    /// Do not run the built-in keeper, even with --replay.
    #[arg(long)]
    pub no_keeper: bool,
    /// Milliseconds per slot (one new blockhash a slot; a blockhash lives 150 slots).
    #[arg(long, default_value_t = 400)]
    pub slot_ms: u64,
    /// Run the programs natively even when SBF builds are found.
    #[arg(long, conflicts_with = "sbf_dir")]
    pub native: bool,
    /// Directory with amm.so, lending_pool.so and leveraged_token.so (default $SBF_OUT_DIR, else
    /// target/deploy when it holds all three, else native).
    #[arg(long)]
    pub sbf_dir: Option<PathBuf>,
    /// Market parameter set: `full` (default) or `partial`.
    #[arg(long, value_enum, default_value_t = crate::commands::Rule::Full)]
    pub rule: crate::commands::Rule,
    /// Print only the start-up summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Accepted for solana-test-validator compatibility: the state is always in memory, so every
    /// start is a fresh ledger.
    #[arg(long)]
    pub reset: bool,
}

impl StartArgs {
    pub fn config(&self) -> Result<Config> {
        let programs = if self.native {
            Programs::Native
        } else if let Some(d) = &self.sbf_dir {
            Programs::Sbf(d.clone())
        } else {
            Programs::detect()
        };
        let replay = match &self.replay {
            None => None,
            Some(source) => {
                let all = if source == "bundled" {
                    prices::bundled()?
                } else {
                    prices::parse_csv(&std::fs::read_to_string(source).with_context(|| format!("read {source}"))?)?
                };
                let from = self.replay_from.as_deref().map(prices::parse_date).transpose()?;
                let to = self.replay_to.as_deref().map(prices::parse_date).transpose()?;
                let points: Vec<(i64, f64)> = prices::window(&all, from, to).iter().map(|p| (p.ts, p.close)).collect();
                if points.len() < 2 {
                    bail!("the replay window holds {} prices; it needs two", points.len());
                }
                if !(self.speed.is_finite() && self.speed > 0.0) {
                    bail!("--speed must be positive");
                }
                Some(Replay { points, speed: self.speed, repeat: self.repeat, source: source.clone() })
            }
        };
        let keeper = !self.no_keeper && (self.keeper || replay.is_some());
        Ok(Config {
            bind_address: self.bind_address,
            rpc_port: self.rpc_port,
            programs,
            price_usd: self.price,
            params: self.rule.params(),
            slot_ms: self.slot_ms,
            keeper,
            keeper_interval: Duration::from_secs(1),
            replay,
            quiet: self.quiet,
            ..Config::default()
        })
    }
}

fn show(json: bool, v: &serde_json::Value) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
    } else {
        println!("{}", crate::kv(v));
    }
    Ok(())
}

pub async fn run(cli: &Cli, args: &LocalnetArgs) -> Result<()> {
    let json = cli.json.is_some();
    let url = || -> Result<String> { Ok(crate::cli_config::resolve(cli.url.as_deref(), cli.keypair.as_deref(), cli.config.as_deref())?.url) };
    match &args.action {
        Some(Action::Price { set, by }) => {
            let arg = match (set, by) {
                (Some(p), None) => p.to_string(),
                (None, Some(m)) => m.clone(),
                _ => bail!("give --set PRICE or --move PERCENT"),
            };
            show(json, &remote::set_price(&url()?, &arg).await?)
        }
        Some(Action::Faucet { usdc, to }) => {
            let owner = match to {
                Some(o) => o.clone(),
                None => {
                    let conn = crate::cli_config::resolve(cli.url.as_deref(), cli.keypair.as_deref(), cli.config.as_deref())?;
                    crate::load_keypair(Some(&conn.keypair))?.pubkey().to_string()
                }
            };
            show(json, &remote::faucet(&url()?, &owner, *usdc).await?)
        }
        Some(Action::Info) => show(json, &remote::info(&url()?).await?),
        Some(Action::KeeperTick) => show(json, &remote::keeper_tick(&url()?).await?),
        None => {
            let node = Localnet::start(args.start.config()?).await.map_err(|e| anyhow!("start the node: {e:#}"))?;
            match &cli.json {
                // One line, printed once the node serves: scripts read it to find the node.
                Some(None) => println!("{}", serde_json::to_string(&node.info)?),
                Some(Some(path)) => {
                    std::fs::write(path, serde_json::to_string_pretty(&node.info)?).with_context(|| format!("write {}", path.display()))?;
                    print!("{}", node.banner());
                }
                None => print!("{}", node.banner()),
            }
            use std::io::Write as _;
            std::io::stdout().flush()?;
            tokio::signal::ctrl_c().await?;
            if !args.start.quiet {
                eprintln!("localnet: stopping");
            }
            drop(node);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use levtoken_client::{chain::rpc::RpcChain, chain::token_balance, user::WalletAccounts};
    use solana_keypair::Keypair;

    use super::*;
    use crate::commands;

    fn parse(args: &[&str]) -> Result<crate::Cli, clap::Error> {
        crate::Cli::try_parse_from(std::iter::once("levtoken").chain(args.iter().copied()))
    }

    #[test]
    fn localnet_arguments_parse() {
        let c = parse(&["localnet", "--rpc-port", "9000", "--price", "2500", "--quiet", "--reset"]).unwrap();
        let crate::Command::Localnet(a) = c.command else { panic!() };
        assert!(a.action.is_none());
        assert_eq!((a.start.rpc_port, a.start.price, a.start.quiet), (9000, 2500.0, true));
        let cfg = a.start.config().unwrap();
        assert!(!cfg.keeper && cfg.replay.is_none());
        let c = parse(&["localnet", "--replay", "--replay-from", "2021-05-01", "--replay-to", "2021-05-03", "--speed", "7200", "--native"]).unwrap();
        let crate::Command::Localnet(a) = c.command else { panic!() };
        let cfg = a.start.config().unwrap();
        let r = cfg.replay.unwrap();
        assert_eq!((r.points.len(), r.speed, cfg.keeper, cfg.programs), (48, 7200.0, true, Programs::Native));
        assert!((2_000.0..4_500.0).contains(&r.points[0].1), "{}", r.points[0].1);
        let c = parse(&["-u", "l", "localnet", "price", "--move", "-5%"]).unwrap();
        let crate::Command::Localnet(a) = c.command else { panic!() };
        assert!(matches!(a.action, Some(Action::Price { set: None, by: Some(ref m) }) if m == "-5%"));
        assert!(parse(&["localnet", "faucet", "--usdc", "50", "--to", "11111111111111111111111111111111"]).is_ok());
        assert!(parse(&["localnet", "--replay-from", "2021-01-01"]).is_err(), "needs --replay");
    }

    /// The CLI's commands run unchanged against the node: the same `RpcChain` over HTTP that
    /// `levtoken --url http://127.0.0.1:8899 status|mint|redeem|rebalance` builds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn localnet_cli_commands_run_against_the_node() {
        let cfg = Config { rpc_port: 0, programs: Programs::from_env(), slot_ms: 100, quiet: true, ..Config::default() };
        let node = Localnet::start(cfg).await.unwrap();
        let url = node.rpc_url().to_string();
        let user = Keypair::new();
        let r = remote::faucet(&url, &user.pubkey().to_string(), 5_000.0).await.unwrap();
        assert_eq!(r["usdcBalance"], serde_json::json!(5000.0));
        let mut chain = RpcChain::new(&url, user.insecure_clone());
        let keys = commands_keys(&mut chain).await;
        assert_eq!(keys.market, node.world.keys.market);

        let s = commands::status(&mut chain, &keys).await.unwrap();
        assert_eq!((s.nav_usdc, s.leverage), (0.0, None));
        let m = commands::mint(&mut chain, &keys, 1_000_000_000, 50).await.unwrap();
        assert!(m.signature.is_some() && m.tokens > 900.0, "{m:?}");
        assert!((m.leverage - 3.0).abs() < 0.01);

        // ETH +20% through the node's oracle driver: leverage falls out of the band, the
        // rebalance command brings it back to 3x.
        remote::set_price(&url, "+20%").await.unwrap();
        let s = commands::status(&mut chain, &keys).await.unwrap();
        assert!(s.rebalance_allowed && s.leverage.unwrap() < 2.8, "{s}");
        let rb = commands::rebalance(&mut chain, &keys).await.unwrap();
        assert!(rb.relever && (rb.leverage_after - 3.0).abs() < 0.01, "{rb:?}");
        // ETH −10%: the node's keeper rebalances.
        remote::set_price(&url, "-10%").await.unwrap();
        let k = remote::keeper_tick(&url).await.unwrap();
        assert_eq!(k["action"], "rebalanced", "{k}");
        assert!((k["leverageAfter"].as_f64().unwrap() - 3.0).abs() < 0.01, "{k}");

        let lev = WalletAccounts::of(user.pubkey(), &keys).lev;
        let tokens = token_balance(&mut chain, &lev).await.unwrap();
        let out = commands::redeem(&mut chain, &keys, tokens, 50).await.unwrap();
        assert!(out.usdc_out > 900.0, "{out:?}");
        assert_eq!(token_balance(&mut chain, &lev).await.unwrap(), 0);
    }

    async fn commands_keys(chain: &mut RpcChain) -> levtoken_client::market::MarketKeys {
        levtoken_client::market::MarketKeys::load(chain, 1).await.unwrap()
    }
}
