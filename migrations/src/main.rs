//! `cargo run -p levtoken-migrations --bin deploy -- [--url URL] [--keypair FILE] --oracle PUBKEY [--timelock-secs S]
//! [--with-compute-unit-price MICROLAMPORTS]`
//!
//! Anchor's migrate step, in Rust: after `anchor deploy`, creates test USDC and wrapped-ETH mints,
//! the lending pool (funded), the AMM (seeded at the oracle's price) and market 1, through the same
//! client library the CLI uses. Localnet only: it mints test tokens. The oracle must be a Pyth
//! `PriceUpdateV2` account for ETH/USD on that cluster (e.g. cloned with
//! `solana-test-validator --clone`).
//!
//! `--timelock-secs` sets the market's and the lending pool's admin timelock (default 0 on a
//! localnet, so a developer can change parameters without waiting; a real deployment uses
//! `leveraged_token::DEFAULT_TIMELOCK_SECS`, a day). The signer becomes admin, guardian and
//! treasury.
//!
//! With `--in-process` it runs against the in-process bank instead (writing the oracle itself), which
//! is how CI exercises it.

use std::path::PathBuf;

use leveraged_token::MarketParams;
use levtoken_client::{
    bank::Bank,
    chain::rpc::RpcChain,
    deploy::{deploy_localnet, LocalnetConfig},
    oracle::{PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO},
    Pubkey,
};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mut cfg = LocalnetConfig::demo(MarketParams::default_3x());
    if let Some(secs) = arg(&args, "--timelock-secs") {
        cfg.timelock_secs = secs.parse().map_err(|e| format!("--timelock-secs: {e}"))?;
    }
    let dep = if args.iter().any(|a| a == "--in-process") {
        deploy_in_process(&cfg).await?.1
    } else {
        let url = arg(&args, "--url").unwrap_or_else(|| "http://127.0.0.1:8899".into());
        let keypair = arg(&args, "--keypair")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".config/solana/id.json"));
        let oracle: Pubkey = arg(&args, "--oracle").ok_or("--oracle PUBKEY is required")?.parse()?;
        let payer = solana_keypair::read_keypair_file(&keypair).map_err(|e| format!("keypair {}: {e}", keypair.display()))?;
        let mut chain = RpcChain::new(&url, payer);
        if let Some(p) = arg(&args, "--with-compute-unit-price") {
            chain.compute_unit_price = Some(p.parse().map_err(|e| format!("--with-compute-unit-price: {e}"))?);
        }
        deploy_localnet(&mut chain, &cfg, oracle).await?
    };
    println!("usdc mint        {}", dep.usdc);
    println!("eth mint         {}", dep.eth);
    println!("lending pool     {}", dep.keys.lending.pool);
    println!("amm pool         {}", dep.keys.amm.pool);
    println!("market 1         {}", dep.keys.market);
    println!("ETHBULL3X mint   {}", dep.keys.lev_mint);
    println!("timelock         {} s", cfg.timelock_secs);
    Ok(())
}

/// The same deployment into a fresh in-process bank (the oracle written directly).
async fn deploy_in_process(cfg: &LocalnetConfig) -> Result<(Bank, levtoken_client::deploy::Deployment), Box<dyn std::error::Error>> {
    let mut bank = Bank::start().await;
    let oracle = Pubkey::new_unique();
    let now = bank.now().await;
    bank.set_price(&oracle, &PriceObservation { feed_id: ETH_USD_FEED_ID, price: cfg.eth_price_mantissa, conf: 0, expo: PYTH_EXPO, publish_time: now });
    let dep = deploy_localnet(&mut bank, cfg, oracle).await?;
    Ok((bank, dep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use levtoken_client::state::MarketState;

    #[tokio::test]
    async fn migration_deploys_a_working_market() {
        let cfg = LocalnetConfig::demo(MarketParams::default_3x());
        let (mut bank, dep) = deploy_in_process(&cfg).await.unwrap();
        let keys = levtoken_client::market::MarketKeys::load(&mut bank, 1).await.unwrap();
        assert_eq!(keys.market, dep.keys.market);
        assert_eq!(keys.lev_mint, dep.keys.lev_mint);
        let s = MarketState::load(&mut bank, &keys).await.unwrap();
        assert_eq!(s.market.params, MarketParams::default_3x());
        assert_eq!(s.supply, 0);
        assert_eq!(s.pool.cash, cfg.lend_usd * 1_000_000);
        let pool: amm::Pool = bank.anchor_account(&keys.amm.pool).await;
        assert_eq!(levtoken_client::amm::reserves_of(&pool, &dep.usdc).0, cfg.amm_depth_usd * 1_000_000);
    }

    /// A deployment with the production timelock: admin changes and the market's credit line wait
    /// a day.
    #[tokio::test]
    async fn migration_with_a_days_timelock() {
        let cfg = LocalnetConfig { timelock_secs: leveraged_token::DEFAULT_TIMELOCK_SECS, ..LocalnetConfig::demo(MarketParams::default_3x()) };
        let (mut bank, dep) = deploy_in_process(&cfg).await.unwrap();
        let s = MarketState::load(&mut bank, &dep.keys).await.unwrap();
        assert_eq!((s.market.timelock_secs, s.pool.timelock_secs), (86_400, 86_400));
        assert_eq!((s.borrower.credit_limit, s.borrower.pending_limit), (0, cfg.credit_limit));
        assert!(s.borrower.limit_eta >= s.now + 86_400 - 5);
    }

    /// The script's real path: JSON-RPC (`solana-rpc-client`, here served by the in-process bank),
    /// with a griefer's lamports already parked on market 1's address, which would block a plain
    /// `init`: the deployment reclaims them first and succeeds.
    #[tokio::test]
    async fn migration_over_json_rpc_survives_a_prefunded_market_address() {
        use levtoken_client::rpc_bank::BankRpcSender;
        let cfg = LocalnetConfig::demo(MarketParams::default_3x());
        let mut bank = Bank::start().await;
        let oracle = Pubkey::new_unique();
        let now = bank.now().await;
        bank.set_price(&oracle, &PriceObservation { feed_id: ETH_USD_FEED_ID, price: cfg.eth_price_mantissa, conf: 0, expo: PYTH_EXPO, publish_time: now });
        let market1 = Pubkey::find_program_address(&[leveraged_token::MARKET_SEED, &1u64.to_le_bytes()], &leveraged_token::ID).0;
        let parked = solana_account::Account { lamports: 890_880, owner: Pubkey::default(), ..Default::default() };
        bank.set_account(&market1, parked);

        #[allow(deprecated)] // the bank's client handle; the crate marks its fields unstable
        let sender = BankRpcSender::new(bank.ctx.banks_client.clone());
        let mut rpc = RpcChain::with_sender(sender, bank.payer());
        let dep = deploy_localnet(&mut rpc, &cfg, oracle).await.expect("deploy over RPC");
        assert_eq!(dep.keys.market, market1);
        let market = bank.account(&market1).await.expect("market 1 exists");
        assert_eq!(market.owner, leveraged_token::ID);
        let s = MarketState::load(&mut bank, &dep.keys).await.unwrap();
        assert_eq!((s.market.market_id, s.market.params), (1, MarketParams::default_3x()));
    }
}
