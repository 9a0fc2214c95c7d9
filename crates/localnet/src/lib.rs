//! `levtoken localnet`: a local Solana node for wallets, web apps, `@solana/kit`, the `solana` CLI
//! and the `levtoken` CLI — Solana's JSON-RPC API on 127.0.0.1:8899 and its websocket
//! subscriptions on 8900 (as `solana-test-validator`), served by the in-process runtime
//! (solana-program-test's bank) with the three programs, the real SPL Token / Token-2022 programs
//! and a demo world deployed at start. The node drives the ETH/USD oracle: a fixed price, moves on
//! request (`levtoken_setPrice`), or a replay of a price history with the AMM arbitraged and a
//! keeper rebalancing.
//!
//! The JSON-RPC methods themselves are [`levtoken_client::rpc_bank::BankRpc`]; this crate adds the
//! HTTP and websocket servers ([`server`], [`ws`]), the demo world and what the node does to it
//! ([`world`]), the replay ([`replay`]) and the `levtoken_*` extension methods ([`server`],
//! [`remote`] for clients).
#![allow(deprecated)] // solana-program-test marks its API unstable by deprecation

pub mod bank_thread;
pub mod remote;
pub mod replay;
pub mod server;
pub mod world;
pub mod ws;

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, Result};
use leveraged_token::MarketParams;
use serde::Serialize;
use solana_signer::Signer;
use tokio::task::JoinHandle;

pub use replay::Replay;
pub use world::World;

/// Where the three programs come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Programs {
    /// Registered natively (their Anchor `entry` run by the runtime as builtins).
    Native,
    /// SBF builds in this directory (`amm.so`, `lending_pool.so`, `leveraged_token.so`).
    Sbf(PathBuf),
}

impl Programs {
    /// As the test suites choose: SBF from `$SBF_OUT_DIR` when set, native otherwise.
    pub fn from_env() -> Self {
        match std::env::var_os("SBF_OUT_DIR") {
            Some(d) => Programs::Sbf(d.into()),
            None => Programs::Native,
        }
    }

    /// As the CLI chooses: `$SBF_OUT_DIR` when set, else `target/deploy` (under the current
    /// directory, then under this workspace) when it holds all three builds, else native.
    pub fn detect() -> Self {
        if let Some(d) = std::env::var_os("SBF_OUT_DIR") {
            return Programs::Sbf(d.into());
        }
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy");
        for dir in [PathBuf::from("target/deploy"), workspace] {
            if levtoken_client::bank::SBF_FILES.iter().all(|f| dir.join(f).is_file()) {
                return Programs::Sbf(dir.canonicalize().unwrap_or(dir));
            }
        }
        Programs::Native
    }

    pub fn describe(&self) -> String {
        match self {
            Programs::Native => "native".into(),
            Programs::Sbf(d) => format!("sbf:{}", d.display()),
        }
    }
}

/// How to run the node.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind_address: IpAddr,
    /// JSON-RPC port (0: any free port).
    pub rpc_port: u16,
    /// Websocket port; `None`: the RPC port + 1 (any free port when the RPC port is 0).
    pub ws_port: Option<u16>,
    pub programs: Programs,
    /// ETH/USD at start (ignored with a replay: the replay's first price is used).
    pub price_usd: f64,
    /// The market's parameters.
    pub params: MarketParams,
    /// Wall-clock milliseconds per slot (a new blockhash each slot).
    pub slot_ms: u64,
    /// The oracle is republished with a fresh publish time when this old (seconds).
    pub oracle_refresh_secs: i64,
    /// Run the built-in keeper every `keeper_interval`.
    pub keeper: bool,
    pub keeper_interval: Duration,
    pub replay: Option<Replay>,
    /// Print nothing while running.
    pub quiet: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            rpc_port: 8899,
            ws_port: None,
            programs: Programs::Native,
            price_usd: 3_000.0,
            params: MarketParams::default_3x(),
            slot_ms: 400,
            oracle_refresh_secs: 5,
            keeper: false,
            keeper_interval: Duration::from_secs(1),
            replay: None,
            quiet: false,
        }
    }
}

/// Where everything is (printed at start, `levtoken_info`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub rpc_url: String,
    pub websocket_url: String,
    pub programs: String,
    pub market_id: u64,
    pub market: String,
    pub lev_mint: String,
    pub usdc_mint: String,
    pub eth_mint: String,
    pub oracle: String,
    pub amm_pool: String,
    pub lending_pool: String,
    pub leveraged_token_program: String,
    pub lending_pool_program: String,
    pub amm_program: String,
    /// Admin, guardian, treasury and mint authority of the test mints.
    pub authority: String,
    pub keeper: Option<String>,
    pub faucet: String,
    pub price_usd: f64,
    pub replay: Option<String>,
    /// The ETHBULL3X mint's metadata URI (served by the node).
    pub metadata_uri: String,
}

/// A running node. Stops when dropped.
pub struct Localnet {
    pub info: Info,
    pub world: Arc<World>,
    pub rpc_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
    // Dropped last: stops the bank's runtime.
    _bank_thread: bank_thread::BankThread,
}

impl Drop for Localnet {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn url(scheme: &str, addr: &SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { addr.ip() };
    format!("{scheme}://{}", SocketAddr::new(ip, addr.port()))
}

impl Localnet {
    /// Start the bank, deploy the demo world, bind the servers and start the slot clock, the
    /// replay and the keeper.
    pub async fn start(cfg: Config) -> Result<Localnet> {
        let pt = match &cfg.programs {
            Programs::Native => levtoken_client::bank::program_test_native(),
            Programs::Sbf(dir) => levtoken_client::bank::program_test_sbf_in(dir)?,
        };
        let rpc_listener =
            tokio::net::TcpListener::bind((cfg.bind_address, cfg.rpc_port)).await.with_context(|| format!("bind {}:{}", cfg.bind_address, cfg.rpc_port))?;
        let rpc_addr = rpc_listener.local_addr()?;
        let ws_port = cfg.ws_port.unwrap_or(if cfg.rpc_port == 0 { 0 } else { cfg.rpc_port.wrapping_add(1) });
        let ws_listener = tokio::net::TcpListener::bind((cfg.bind_address, ws_port)).await.with_context(|| format!("bind {}:{ws_port}", cfg.bind_address))?;
        let ws_addr = ws_listener.local_addr()?;

        let (bank, bank_thread) = bank_thread::start_bank(pt)?;
        let start_price = cfg.replay.as_ref().and_then(|r| r.points.first()).map(|p| p.1).unwrap_or(cfg.price_usd);
        let metadata_uri = format!("{}/ethbull3x.json", url("http", &rpc_addr));
        let world = Arc::new(World::deploy(bank, start_price, cfg.params, &metadata_uri).await?);
        let keys = world.keys;
        let info = Info {
            rpc_url: url("http", &rpc_addr),
            websocket_url: url("ws", &ws_addr),
            programs: cfg.programs.describe(),
            market_id: keys.market_id,
            market: keys.market.to_string(),
            lev_mint: keys.lev_mint.to_string(),
            usdc_mint: keys.quote_mint.to_string(),
            eth_mint: keys.collateral_mint.to_string(),
            oracle: world.oracle.to_string(),
            amm_pool: keys.amm.pool.to_string(),
            lending_pool: keys.lending.pool.to_string(),
            leveraged_token_program: leveraged_token::ID.to_string(),
            lending_pool_program: lending_pool::ID.to_string(),
            amm_program: amm::ID.to_string(),
            authority: world.payer.pubkey().to_string(),
            keeper: cfg.keeper.then(|| world.keeper.pubkey().to_string()),
            faucet: "requestAirdrop (SOL), levtoken_faucet (demo USDC)".into(),
            price_usd: start_price,
            replay: cfg.replay.as_ref().map(|r| r.describe()),
            metadata_uri,
        };

        let state = Arc::new(server::NodeState { world: world.clone(), info: info.clone(), quiet: cfg.quiet });
        let mut tasks = vec![tokio::spawn(server::serve(rpc_listener, state.clone())), tokio::spawn(ws::serve(ws_listener, world.clone()))];
        let slot_world = world.clone();
        let ticker = bank_thread.ticker.clone();
        let (slot_ms, refresh) = (cfg.slot_ms.max(10), cfg.oracle_refresh_secs);
        tasks.push(tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(slot_ms));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            every.tick().await;
            loop {
                every.tick().await;
                if let Err(e) = slot_world.next_slot(&ticker, refresh).await {
                    eprintln!("localnet: slot: {e:#}");
                }
            }
        }));
        if let Some(replay) = cfg.replay.clone() {
            tasks.push(tokio::spawn(replay::run(world.clone(), replay, cfg.quiet)));
        }
        if cfg.keeper {
            let (w, every, quiet) = (world.clone(), cfg.keeper_interval, cfg.quiet);
            tasks.push(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let action = w.keeper_tick().await;
                    if !quiet && !matches!(action, world::KeeperAction::Idle { .. }) {
                        eprintln!("localnet: keeper: {}", serde_json::to_string(&action).unwrap_or_default());
                    }
                }
            }));
        }
        Ok(Localnet { info, world, rpc_addr, ws_addr, tasks, _bank_thread: bank_thread })
    }

    pub fn rpc_url(&self) -> &str {
        &self.info.rpc_url
    }

    pub fn ws_url(&self) -> &str {
        &self.info.websocket_url
    }

    /// The start-up summary for people.
    pub fn banner(&self) -> String {
        let i = &self.info;
        let mut out = String::from("levtoken localnet — the ETHBULL3X demo world on the in-process Solana runtime\n");
        let rows: Vec<(&str, String)> = vec![
            ("JSON RPC URL", i.rpc_url.clone()),
            ("WebSocket URL", i.websocket_url.clone()),
            ("programs", i.programs.clone()),
            ("market (id 1)", i.market.clone()),
            ("ETHBULL3X mint", i.lev_mint.clone()),
            ("USDC mint", i.usdc_mint.clone()),
            ("wrapped-ETH mint", i.eth_mint.clone()),
            ("ETH/USD oracle", i.oracle.clone()),
            ("AMM pool", i.amm_pool.clone()),
            ("lending pool", i.lending_pool.clone()),
            ("authority", i.authority.clone()),
            ("keeper", i.keeper.clone().unwrap_or_else(|| "off (--keeper)".into())),
            ("ETH/USD", format!("${:.2}", i.price_usd)),
            ("replay", i.replay.clone().unwrap_or_else(|| "off".into())),
            ("faucet", i.faucet.clone()),
            ("token metadata", i.metadata_uri.clone()),
        ];
        for (k, v) in rows {
            out += &format!("{k:<17} {v}\n");
        }
        out += "state is in memory only: every start is a fresh ledger (as with --reset)\n";
        out += "try: solana -u l airdrop 10 <PUBKEY> · levtoken -u l localnet faucet --usdc 1000 · levtoken -u l mint --usdc 100 · levtoken -u l localnet price --move +20%\n";
        out
    }
}
