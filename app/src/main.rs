//! `levtoken`: the ETHBULL3X command line — user commands, keeper bot, backtest.
//!
//! Solana CLI conventions: `--url` (JSON-RPC endpoint), `--keypair` (default
//! `~/.config/solana/id.json`), `--json` for machine-readable output on every command.

mod backtest;
mod bench_cu;
mod cli_config;
#[cfg(test)]
mod cli_tests;
mod commands;
mod demo;
mod keeper;
mod localnet;

use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use clap::{Parser, Subcommand};
use levtoken_client::{chain::rpc::RpcChain, lending::LendingPoolKeys, market::MarketKeys, Pubkey, SPL_TOKEN_ID, TOKEN_2022_ID};

#[derive(Parser, Debug)]
#[command(name = "levtoken", version, about = "ETHBULL3X: the 3x long ETH leveraged token — CLI, keeper bot and backtest")]
pub(crate) struct Cli {
    /// JSON-RPC URL or moniker of the cluster (l/localhost, d/devnet, t/testnet, m/mainnet-beta)
    /// [default: the Solana CLI config's json_rpc_url, else http://127.0.0.1:8899].
    #[arg(long, short = 'u', global = true, env = "LEVTOKEN_URL")]
    url: Option<String>,
    /// Signer and fee payer keypair file [default: the Solana CLI config's keypair_path, else
    /// ~/.config/solana/id.json].
    #[arg(long, short = 'k', global = true, env = "LEVTOKEN_KEYPAIR")]
    keypair: Option<PathBuf>,
    /// Solana CLI configuration file [default: ~/.config/solana/cli/config.yml].
    #[arg(long, short = 'C', global = true)]
    config: Option<PathBuf>,
    /// Priority fee in micro-lamports per compute unit, added to every transaction (the
    /// compute-unit limit itself is sized from a simulation of each transaction).
    #[arg(long, global = true, value_name = "MICROLAMPORTS")]
    with_compute_unit_price: Option<u64>,
    /// The market id.
    #[arg(long, global = true, default_value_t = 1)]
    market_id: u64,
    /// Machine-readable output: `--json` prints JSON instead of tables; `--json FILE` writes it to
    /// FILE (and still prints the table). Put it last, or write `--json=FILE`.
    #[arg(long, global = true, num_args = 0..=1, value_name = "FILE")]
    json: Option<Option<PathBuf>>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// The seed example end to end in the in-process bank: deposit $100 at 3x, ETH ±20%, rebalance, redeem.
    Demo,
    /// Replay hourly ETH history through the real programs and compare with peer rules.
    Backtest(backtest::cmd::BacktestArgs),
    /// The out-of-sample protocol: choose our preset on a parameter grid before --split only, then
    /// report it and every peer on both periods, with the cost–tracking frontier plotted.
    BacktestSweep(backtest::sweep::SweepArgs),
    /// Compute units of every instruction on the SBF builds (bash sbf/build.sh first), the .so
    /// sizes and the largest transaction, over a fixed in-process scenario.
    BenchCu {
        /// Directory with amm.so, lending_pool.so and leveraged_token.so (default $SBF_OUT_DIR, else target/deploy).
        #[arg(long)]
        sbf_dir: Option<PathBuf>,
    },
    /// NAV, NAV per token, leverage, band, debt, collateral, oracle age, whether a rebalance is allowed.
    Status,
    /// Deposit USDC for ETHBULL3X.
    Mint {
        /// USDC to deposit (e.g. 100 or 12.5).
        #[arg(long)]
        usdc: String,
        /// Refuse if fewer tokens than the quote less this many bps arrive.
        #[arg(long, default_value_t = 50)]
        max_slippage_bps: u64,
    },
    /// Burn ETHBULL3X for USDC.
    Redeem {
        /// Tokens to burn.
        #[arg(long)]
        tokens: String,
        #[arg(long, default_value_t = 50)]
        max_slippage_bps: u64,
    },
    /// Rebalance now (permissionless; pays the keeper reward to your USDC account).
    Rebalance,
    /// Lend USDC to the lending pool.
    Lend {
        #[arg(long)]
        usdc: String,
        /// The pool's USDC mint.
        #[arg(long)]
        mint: Pubkey,
    },
    /// Withdraw USDC from the lending pool by burning shares.
    Withdraw {
        #[arg(long)]
        shares: String,
        #[arg(long)]
        mint: Pubkey,
    },
    /// Create a market on an existing lending pool and AMM (signer: the pool's admin).
    InitMarket {
        #[arg(long)]
        collateral_mint: Pubkey,
        /// Collateral token program (Token-2022 by default).
        #[arg(long, default_value_t = TOKEN_2022_ID)]
        collateral_token_program: Pubkey,
        #[arg(long)]
        quote_mint: Pubkey,
        /// Pyth PriceUpdateV2 account for ETH/USD.
        #[arg(long)]
        oracle: Pubkey,
        /// The key that may claim the fees (default: the signer).
        #[arg(long)]
        treasury: Option<Pubkey>,
        /// Delay of every later admin change, seconds (0 ..= 30 days; default a day).
        #[arg(long, default_value_t = leveraged_token::DEFAULT_TIMELOCK_SECS)]
        timelock_secs: i64,
        /// Credit line requested from the pool, USDC.
        #[arg(long, default_value = "10000000")]
        credit_limit: String,
        /// Parameter set: `full` (every band exit back to 3x, the default) or `partial` (band
        /// 2.65–3.15x, exits trade 5% back; the backtested low-turnover set).
        #[arg(long, value_enum, default_value_t = commands::Rule::Full)]
        rule: commands::Rule,
    },
    /// Pause minting (signer: the guardian or the admin); redemptions stay open.
    Pause,
    /// Resume minting (signer: the guardian or the admin).
    Unpause,
    /// Queue the market's parameters as a preset behind the timelock (signer: the admin); every
    /// bound is checked now and again at execution. `execute-change` applies it after the delay.
    SetParams {
        /// `full` (every band exit back to 3x) or `partial` (band 2.65–3.15x, exits trade 5% back).
        #[arg(long, value_enum)]
        rule: commands::Rule,
    },
    /// Redeem in kind: receive the tokens' wETH and repay their share of the debt from your USDC
    /// (no swap venue, no oracle: the exit that stays open whatever they do).
    RedeemInKind {
        #[arg(long)]
        tokens: String,
        /// Tolerance below the exact collateral share, bps.
        #[arg(long, default_value_t = 50)]
        max_slippage_bps: u64,
    },
    /// Settle an insolvent vault (NAV ≤ 0; anyone): sell collateral, repay, write the rest off.
    Settle,
    /// Queue a new metadata URI for the token (name, symbol and image a wallet shows) behind the
    /// timelock (signer: the admin); `execute-change` applies it after the delay.
    SetMetadataUri {
        #[arg(long)]
        uri: String,
    },
    /// Apply the queued admin change once its timelock has elapsed (anyone).
    ExecuteChange,
    /// Cancel the queued admin change (signer: the guardian or the admin).
    CancelChange,
    /// Claim the accrued mint/redeem fees and streaming-fee tokens into the signer's token
    /// accounts (signer: the treasury).
    ClaimFees,
    /// A local Solana node on 127.0.0.1:8899 (JSON-RPC) and :8900 (websockets) with the programs
    /// and a demo world; `localnet price|faucet|info|keeper-tick` drive a running one.
    Localnet(localnet::LocalnetArgs),
    /// Run the keeper bot: poll, decide, simulate, rebalance; Ctrl-C to stop.
    Keeper {
        /// Seconds between looks.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Stop after this many looks.
        #[arg(long)]
        ticks: Option<u64>,
    },
}

fn load_keypair(path: Option<&PathBuf>) -> Result<solana_keypair::Keypair> {
    let path = match path {
        Some(p) => p.clone(),
        None => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".config/solana/id.json"),
    };
    solana_keypair::read_keypair_file(&path).map_err(|e| anyhow!("cannot read keypair {}: {e}", path.display()))
}

/// `--json` → JSON on stdout; `--json FILE` → JSON to FILE and the table on stdout; else the table.
fn print<T: serde::Serialize + std::fmt::Debug>(json: &Option<Option<PathBuf>>, value: &T, human: impl FnOnce(&T) -> String) -> Result<()> {
    match json {
        Some(None) => println!("{}", serde_json::to_string_pretty(value)?),
        Some(Some(path)) => {
            std::fs::write(path, serde_json::to_string_pretty(value)?).with_context(|| format!("write {}", path.display()))?;
            println!("{}", human(value));
        }
        None => println!("{}", human(value)),
    }
    Ok(())
}

fn kv<T: serde::Serialize>(value: &T) -> String {
    let v = serde_json::to_value(value).unwrap_or_default();
    let mut out = String::new();
    if let Some(map) = v.as_object() {
        for (k, v) in map {
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "-".into(),
                other => other.to_string(),
            };
            out += &format!("{k:<18} {shown}\n");
        }
    }
    out.trim_end().to_string()
}

async fn rpc(cli: &Cli) -> Result<RpcChain> {
    let conn = cli_config::resolve(cli.url.as_deref(), cli.keypair.as_deref(), cli.config.as_deref())?;
    let mut chain = RpcChain::new(&conn.url, load_keypair(Some(&conn.keypair))?);
    chain.compute_unit_price = cli.with_compute_unit_price;
    Ok(chain)
}

async fn market_keys(chain: &mut RpcChain, id: u64) -> Result<MarketKeys> {
    MarketKeys::load(chain, id).await.map_err(|e| anyhow!("cannot load market {id}: {e}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Keeper { .. }) {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    }
    match &cli.command {
        Command::BacktestSweep(args) => {
            let report = backtest::sweep::run(args).await?;
            print(&cli.json, &report, backtest::sweep::table)?;
        }
        Command::BenchCu { sbf_dir } => {
            let report = bench_cu::run(sbf_dir.clone()).await?;
            print(&cli.json, &report, bench_cu::table)?;
        }
        Command::Demo => {
            let steps = demo::run().await?;
            print(&cli.json, &steps, |s| demo::table(s))?;
        }
        Command::Backtest(args) => {
            let stdout_json = matches!(cli.json, Some(None));
            let report = backtest::cmd::run(args, stdout_json).await?;
            print(&cli.json, &report.json, |_| {
                let mut out = report.table.clone();
                for p in &report.plots {
                    out += &format!("plot: {}\n", p.display());
                }
                if let Some(Some(j)) = &cli.json {
                    out += &format!("json: {}\n", j.display());
                }
                out
            })?;
        }
        Command::Status => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let s = commands::status(&mut chain, &keys).await?;
            print(&cli.json, &s, |s| s.to_string())?;
        }
        Command::Mint { usdc, max_slippage_bps } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::mint(&mut chain, &keys, commands::parse_amount(usdc, 6)?, *max_slippage_bps).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Redeem { tokens, max_slippage_bps } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::redeem(&mut chain, &keys, commands::parse_amount(tokens, 6)?, *max_slippage_bps).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Rebalance => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::rebalance(&mut chain, &keys).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Lend { usdc, mint } => {
            let mut chain = rpc(&cli).await?;
            let r = commands::lend(&mut chain, &LendingPoolKeys::derive(*mint, SPL_TOKEN_ID), commands::parse_amount(usdc, 6)?).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Withdraw { shares, mint } => {
            let mut chain = rpc(&cli).await?;
            let r = commands::withdraw(&mut chain, &LendingPoolKeys::derive(*mint, SPL_TOKEN_ID), commands::parse_amount(shares, 6)?).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Pause | Command::Unpause => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::set_pause(&mut chain, &keys, matches!(cli.command, Command::Pause)).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::SetParams { rule } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::queue_params(&mut chain, &keys, rule.params()).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::SetMetadataUri { uri } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::queue_metadata_uri(&mut chain, &keys, uri).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::ExecuteChange | Command::CancelChange => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = if matches!(cli.command, Command::ExecuteChange) {
                commands::execute_change(&mut chain, &keys).await?
            } else {
                commands::cancel_change(&mut chain, &keys).await?
            };
            print(&cli.json, &r, kv)?;
        }
        Command::RedeemInKind { tokens, max_slippage_bps } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::redeem_in_kind(&mut chain, &keys, commands::parse_amount(tokens, 6)?, *max_slippage_bps).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Settle => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::settle(&mut chain, &keys).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::ClaimFees => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let r = commands::claim_fees(&mut chain, &keys).await?;
            print(&cli.json, &r, kv)?;
        }
        Command::InitMarket { collateral_mint, collateral_token_program, quote_mint, oracle, treasury, timelock_secs, credit_limit, rule } => {
            let mut chain = rpc(&cli).await?;
            let me = levtoken_client::chain::Chain::payer(&chain);
            let r = commands::init_market(
                &mut chain,
                cli.market_id,
                *collateral_mint,
                *collateral_token_program,
                *quote_mint,
                *oracle,
                treasury.unwrap_or(me),
                rule.params(),
                commands::parse_amount(credit_limit, 6).context("--credit-limit")?,
                *timelock_secs,
            )
            .await?;
            print(&cli.json, &r, kv)?;
        }
        Command::Localnet(args) => localnet::run(&cli, args).await?,
        Command::Keeper { interval, ticks } => {
            let mut chain = rpc(&cli).await?;
            let keys = market_keys(&mut chain, cli.market_id).await?;
            let cfg = keeper::KeeperConfig { interval: std::time::Duration::from_secs(*interval), ..Default::default() };
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            let log = keeper::run(&mut chain, &keys, &cfg, *ticks, shutdown).await?;
            if cli.json.is_some() {
                print(&cli.json, &log, |l| format!("{} looks", l.len()))?;
            }
        }
    }
    Ok(())
}
