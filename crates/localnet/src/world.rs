//! The demo world the node starts with, and what the node does to it: slots, the oracle, the AMM's
//! arbitrage, the faucet and the keeper. Every transaction goes through the node's own JSON-RPC
//! core ([`BankRpc`]) with the Rust client's `RpcChain`, so it is recorded like a user's: its
//! signature, logs and accounts are served back and its accounts are known to `getProgramAccounts`.

use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};
use lev_math::Price;
use leveraged_token::MarketParams;
use levtoken_client::{
    bank::Bank,
    chain::{anchor_account, rpc::RpcChain, Chain},
    deploy::{deploy_localnet_with_uri, mint_to_ix, Deployment, LocalnetConfig},
    market::MarketKeys,
    oracle::{PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO, PYTH_RECEIVER_ID},
    rpc_bank::{BankRpc, BankRpcSender, NodeEvent},
    state::MarketState,
    user::{create_ata_idempotent_ix, WalletAccounts},
    Pubkey, ETH_DECIMALS, SPL_TOKEN_ID, TOKEN_2022_ID, USDC_DECIMALS,
};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// SOL base units per SOL.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// USD to a Pyth mantissa at expo −8.
pub fn usd_to_mantissa(usd: f64) -> Result<i64> {
    if !(usd.is_finite() && usd > 0.0 && usd < 1e9) {
        bail!("price must be a positive number of dollars, got {usd}");
    }
    Ok((usd * 1e8).round() as i64)
}

pub fn mantissa_to_usd(m: i64) -> f64 {
    m as f64 / 1e8
}

/// The oracle account's address: a PDA-like key of the Pyth receiver, the same on every start.
pub fn oracle_address() -> Pubkey {
    Pubkey::find_program_address(&[b"levtoken-localnet", b"ETH/USD"], &PYTH_RECEIVER_ID).0
}

/// A price change the node made.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceMove {
    pub previous_usd: f64,
    pub price_usd: f64,
    pub publish_time: i64,
    /// The arbitrage swap that brought the AMM to the new price, if one was needed.
    pub arbitrage_signature: Option<String>,
}

/// What a keeper look led to.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "action")]
pub enum KeeperAction {
    Idle { leverage: Option<f64>, reason: String },
    Rebalanced { leverage_before: f64, leverage_after: f64, signature: Option<String> },
    Settled { signature: Option<String> },
    Failed { reason: String },
}

/// What `levtoken_faucet` did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaucetResult {
    pub owner: String,
    pub usdc_account: String,
    pub usdc_minted: f64,
    pub usdc_balance: f64,
    pub sol_airdropped: f64,
    pub signature: Option<String>,
}

pub struct World {
    /// The bank itself: for what transactions cannot do (account writes, slot warps, the clock).
    pub bank: tokio::sync::Mutex<Bank>,
    pub rpc: BankRpc,
    /// The bank's payer: mint authority of both test mints, admin, guardian and treasury.
    pub payer: Keypair,
    pub keeper: Keypair,
    pub keys: MarketKeys,
    pub deployment: Deployment,
    pub oracle: Pubkey,
    obs: Mutex<PriceObservation>,
}

impl World {
    /// Deploy the demo world on a started bank: the oracle at `price_usd`, the mints, the funded
    /// lending pool, the AMM and market 1 with `params`; a funded keeper.
    /// `metadata_uri`: the ETHBULL3X mint's metadata URI (the node serves it).
    pub async fn deploy(mut bank: Bank, price_usd: f64, params: MarketParams, metadata_uri: &str) -> Result<World> {
        let rpc = BankRpc::new(bank.ctx.banks_client.clone());
        rpc.set_faucet(bank.payer());
        rpc.set_genesis_hash(bank.ctx.genesis_config().hash());
        let payer = bank.payer();
        let oracle = oracle_address();
        let now = bank.now().await;
        let price = usd_to_mantissa(price_usd)?;
        let obs = PriceObservation { feed_id: ETH_USD_FEED_ID, price, conf: (price / 1_000) as u64, expo: PYTH_EXPO, publish_time: now };
        bank.set_price(&oracle, &obs);
        rpc.track([oracle, payer.pubkey()]);
        let mut cfg = LocalnetConfig::demo(params);
        cfg.eth_price_mantissa = price;
        let mut chain = RpcChain::with_sender(BankRpcSender::over(rpc.clone()), payer.insecure_clone());
        let deployment = deploy_localnet_with_uri(&mut chain, &cfg, oracle, metadata_uri).await.map_err(|e| anyhow!("deploy the demo world: {e}"))?;
        let keys = deployment.keys;
        let keeper = Keypair::new();
        let world = World { bank: tokio::sync::Mutex::new(bank), rpc, payer, keeper, keys, deployment, oracle, obs: Mutex::new(obs) };
        world.rpc.airdrop(&world.keeper.pubkey(), 100 * LAMPORTS_PER_SOL).await.map_err(|e| anyhow!("fund the keeper: {e}"))?;
        let k = world.keeper.pubkey();
        world
            .chain(&world.keeper)
            .send(&[create_ata_idempotent_ix(&k, &k, &keys.quote_mint, &keys.quote_token_program)], &[])
            .await
            .map_err(|e| anyhow!("keeper's USDC account: {e}"))?;
        Ok(world)
    }

    /// A client signing with `payer`, over the node's own JSON-RPC core.
    pub fn chain(&self, payer: &Keypair) -> RpcChain {
        RpcChain::with_sender(BankRpcSender::over(self.rpc.clone()), payer.insecure_clone())
    }

    pub fn observation(&self) -> PriceObservation {
        *self.obs.lock().expect("obs")
    }

    pub fn price_usd(&self) -> f64 {
        mantissa_to_usd(self.observation().price)
    }

    /// Write the oracle account with `price` (mantissa) published now.
    async fn publish(&self, price: i64) -> Result<PriceObservation> {
        let obs = {
            let _w = self.rpc.write_lock().await;
            let mut bank = self.bank.lock().await;
            let now = bank.now().await;
            let mut obs = self.obs.lock().expect("obs");
            obs.price = price;
            obs.conf = (price / 1_000) as u64;
            obs.publish_time = now;
            bank.set_price(&self.oracle, &obs);
            *obs
        };
        self.rpc.emit(NodeEvent::Accounts(vec![self.oracle]));
        Ok(obs)
    }

    /// Republish the current price with a fresh publish time (as Pyth pushes updates) when the
    /// update is at least `max_age` seconds old at cluster time `now`.
    pub async fn refresh_oracle(&self, now: i64, max_age: i64) -> Result<()> {
        let obs = self.observation();
        if now - obs.publish_time >= max_age {
            self.publish(obs.price).await?;
        }
        Ok(())
    }

    /// Publish `usd` at the oracle and arbitrage the AMM to it.
    pub async fn set_price(&self, usd: f64) -> Result<PriceMove> {
        let previous_usd = self.price_usd();
        let obs = self.publish(usd_to_mantissa(usd)?).await?;
        let arbitrage_signature = self.arbitrage().await?;
        Ok(PriceMove { previous_usd, price_usd: mantissa_to_usd(obs.price), publish_time: obs.publish_time, arbitrage_signature })
    }

    /// Swap the AMM to the oracle price (the arbitrageur mints what it sells: a test mint).
    pub async fn arbitrage(&self) -> Result<Option<String>> {
        let mut chain = self.chain(&self.payer);
        let pool: amm::Pool = anchor_account(&mut chain, &self.keys.amm.pool).await.map_err(|e| anyhow!("{e}"))?;
        let obs = self.observation();
        let price = Price::from_oracle(obs.price, obs.expo, ETH_DECIMALS, USDC_DECIMALS).ok_or_else(|| anyhow!("bad price"))?;
        let eth = self.deployment.eth;
        let (re, ru) = levtoken_client::amm::reserves_of(&pool, &eth);
        let Some((eth_in, amount)) = lev_math::arbitrage_to_price(re, ru, price.wad, pool.fee_bps as u64).filter(|(_, a)| *a > 0) else {
            return Ok(None);
        };
        let me = self.payer.pubkey();
        let (lp_eth, lp_usdc) = (self.deployment.lp_eth, self.deployment.lp_usdc);
        let eth_is_a = self.keys.amm.is_a(&eth);
        let ixs = if eth_in {
            [mint_to_ix(&TOKEN_2022_ID, &eth, &lp_eth, &me, amount), self.keys.amm.swap(me, lp_eth, lp_usdc, eth_is_a, amount, 0)]
        } else {
            [mint_to_ix(&SPL_TOKEN_ID, &self.deployment.usdc, &lp_usdc, &me, amount), self.keys.amm.swap(me, lp_usdc, lp_eth, !eth_is_a, amount, 0)]
        };
        let landed = chain.send(&ixs, &[]).await.map_err(|e| anyhow!("arbitrage: {e}"))?;
        Ok(landed.signature)
    }

    /// Give `owner` `usdc` base units of demo USDC (creating its account) and, if it holds less
    /// than one SOL, `sol_lamports`.
    pub async fn faucet(&self, owner: &Pubkey, usdc: u64, sol_lamports: u64) -> Result<FaucetResult> {
        let mut sol_airdropped = 0.0;
        let lamports = self.rpc.banks().get_balance(*owner).await.context("balance")?;
        if lamports < LAMPORTS_PER_SOL && sol_lamports > 0 {
            self.rpc.airdrop(owner, sol_lamports).await.map_err(|e| anyhow!("airdrop: {e}"))?;
            sol_airdropped = sol_lamports as f64 / LAMPORTS_PER_SOL as f64;
        }
        let me = self.payer.pubkey();
        let usdc_account = WalletAccounts::of(*owner, &self.keys).usdc;
        let mut ixs = vec![create_ata_idempotent_ix(&me, owner, &self.keys.quote_mint, &self.keys.quote_token_program)];
        if usdc > 0 {
            ixs.push(mint_to_ix(&SPL_TOKEN_ID, &self.deployment.usdc, &usdc_account, &me, usdc));
        }
        let mut chain = self.chain(&self.payer);
        let landed = chain.send(&ixs, &[]).await.map_err(|e| anyhow!("faucet: {e}"))?;
        let balance = levtoken_client::chain::token_balance(&mut chain, &usdc_account).await.map_err(|e| anyhow!("{e}"))?;
        Ok(FaucetResult {
            owner: owner.to_string(),
            usdc_account: usdc_account.to_string(),
            usdc_minted: usdc as f64 / 1e6,
            usdc_balance: balance as f64 / 1e6,
            sol_airdropped,
            signature: landed.signature,
        })
    }

    /// One keeper look: rebalance when the market allows it, settle an insolvent vault.
    pub async fn keeper_tick(&self) -> KeeperAction {
        match self.keeper_tick_inner().await {
            Ok(a) => a,
            Err(e) => KeeperAction::Failed { reason: e.to_string() },
        }
    }

    async fn keeper_tick_inner(&self) -> Result<KeeperAction> {
        let mut chain = self.chain(&self.keeper);
        let state = MarketState::load(&mut chain, &self.keys).await.map_err(|e| anyhow!("{e}"))?;
        let leverage = state.leverage_bps().filter(|l| *l > 0).map(|l| l as f64 / 1e4);
        if state.market.settled {
            return Ok(KeeperAction::Idle { leverage, reason: "settled".into() });
        }
        if state.oracle_age() > state.market.params.oracle_max_staleness_secs as i64 {
            return Ok(KeeperAction::Idle { leverage, reason: format!("oracle is {}s old", state.oracle_age()) });
        }
        let me = self.keeper.pubkey();
        if state.nav().is_none() && (state.market.collateral > 0 || state.debt() > 0) {
            let landed = chain.send(&[self.keys.settle(me)], &[]).await.map_err(|e| anyhow!("settle: {e}"))?;
            return Ok(KeeperAction::Settled { signature: landed.signature });
        }
        let Some((trigger, _plan)) = state.plan() else {
            return Ok(KeeperAction::Idle { leverage, reason: levtoken_client::state::trigger_name(state.trigger()).into() });
        };
        let usdc = WalletAccounts::of(me, &self.keys).usdc;
        let landed = chain.send(&[self.keys.rebalance(me, usdc)], &[]).await.map_err(|e| anyhow!("rebalance ({trigger:?}): {e}"))?;
        let after = MarketState::load(&mut chain, &self.keys).await.map_err(|e| anyhow!("{e}"))?;
        Ok(KeeperAction::Rebalanced {
            leverage_before: leverage.unwrap_or(0.0),
            leverage_after: after.leverage_bps().unwrap_or(0) as f64 / 1e4,
            signature: landed.signature,
        })
    }

    /// The next slot: one new blockhash (see [`crate::bank_thread`]), the slot counted, the Clock
    /// sysvar at that slot and the wall clock's time, the oracle kept fresh; the slot and its time.
    pub async fn next_slot(&self, ticker: &crate::bank_thread::Ticker, oracle_refresh_secs: i64) -> Result<(u64, i64)> {
        let (slot, now) = {
            let _w = self.rpc.write_lock().await;
            ticker.register_blockhash().await?;
            let slot = self.rpc.advance_slot().await.map_err(|e| anyhow!("{e}"))?;
            let mut bank = self.bank.lock().await;
            let mut clock = bank.clock().await;
            let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
            clock.slot = slot;
            clock.unix_timestamp = clock.unix_timestamp.max(wall);
            bank.ctx.set_sysvar(&clock);
            (slot, clock.unix_timestamp)
        };
        self.rpc.note_slot_time(slot, now);
        self.rpc.emit(NodeEvent::Slot { slot, parent: slot - 1, root: slot });
        self.refresh_oracle(now, oracle_refresh_secs).await?;
        Ok((slot, now))
    }
}
