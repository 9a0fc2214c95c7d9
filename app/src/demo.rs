//! `levtoken demo`: the seed example end to end in the in-process bank.

use anyhow::{anyhow, Result};
use lev_math::Round;
use leveraged_token::MarketParams;
use levtoken_client::{
    bank::Bank,
    deploy::{deploy_localnet, mint_to_ix, LocalnetConfig},
    oracle::{PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO},
    state::MarketState,
    user::WalletAccounts,
    Pubkey, SPL_TOKEN_ID,
};
use serde::Serialize;

use crate::commands;

#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub step: String,
    pub eth_usd: f64,
    pub collateral_usdc: f64,
    pub debt_usdc: f64,
    pub nav_usdc: f64,
    pub leverage: Option<f64>,
    pub note: String,
}

/// The demo's market: the product's parameters without protocol fees, on a $10M pool with a 5 bps
/// fee (so the seed's round numbers show through).
pub fn demo_params() -> MarketParams {
    MarketParams { mint_fee_bps: 0, redeem_fee_bps: 0, streaming_fee_bps_per_year: 0, expected_swap_cost_bps: 5, ..MarketParams::default_3x() }
}

pub struct DemoWorld {
    pub bank: Bank,
    pub keys: levtoken_client::market::MarketKeys,
    pub oracle: Pubkey,
    pub obs: PriceObservation,
    pub usdc: Pubkey,
    pub lp_usdc: Pubkey,
    pub lp_eth: Pubkey,
    pub eth: Pubkey,
}

impl DemoWorld {
    pub async fn start(params: MarketParams) -> Result<Self> {
        Self::start_on(Bank::start().await, params).await
    }

    /// [`DemoWorld::start`] on a bank already running (e.g. one keeping a journal).
    pub async fn start_on(mut bank: Bank, params: MarketParams) -> Result<Self> {
        let now = bank.now().await;
        let oracle = Pubkey::new_unique();
        let obs = PriceObservation { feed_id: ETH_USD_FEED_ID, price: 3_000 * 100_000_000, conf: 3_000 * 100_000, expo: PYTH_EXPO, publish_time: now };
        bank.set_price(&oracle, &obs);
        let dep = deploy_localnet(&mut bank, &LocalnetConfig::demo(params), oracle).await.map_err(|e| anyhow!("{e}"))?;
        Ok(DemoWorld { bank, keys: dep.keys, oracle, obs, usdc: dep.usdc, lp_usdc: dep.lp_usdc, lp_eth: dep.lp_eth, eth: dep.eth })
    }

    /// Give the payer `usdc` base units.
    pub async fn fund_payer(&mut self, usdc: u64) -> Result<()> {
        let me = self.bank.payer_key();
        let w = WalletAccounts::of(me, &self.keys);
        let mut ixs = w.ensure_ixs(&me, &self.keys);
        ixs.push(mint_to_ix(&SPL_TOKEN_ID, &self.usdc, &w.usdc, &me, usdc));
        self.bank.send(&ixs, &[]).await.map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }

    /// Publish `usd` at the oracle and arbitrage the AMM to it.
    pub async fn move_price(&mut self, usd: u64) -> Result<()> {
        self.obs.price = usd as i64 * 100_000_000;
        self.obs.conf = usd * 100_000;
        self.obs.publish_time = self.bank.now().await;
        let obs = self.obs;
        self.bank.set_price(&self.oracle, &obs);
        let pool: amm::Pool = self.bank.anchor_account(&self.keys.amm.pool).await;
        let price = lev_math::Price::from_oracle(self.obs.price, PYTH_EXPO, 8, 6).ok_or_else(|| anyhow!("price"))?;
        let (re, ru) = levtoken_client::amm::reserves_of(&pool, &self.eth);
        if let Some((eth_in, amount)) = lev_math::arbitrage_to_price(re, ru, price.wad, pool.fee_bps as u64) {
            let me = self.bank.payer_key();
            let eth_is_a = self.keys.amm.is_a(&self.eth);
            let ixs = if eth_in {
                vec![
                    mint_to_ix(&levtoken_client::TOKEN_2022_ID, &self.eth, &self.lp_eth, &me, amount),
                    self.keys.amm.swap(me, self.lp_eth, self.lp_usdc, eth_is_a, amount, 0),
                ]
            } else {
                vec![mint_to_ix(&SPL_TOKEN_ID, &self.usdc, &self.lp_usdc, &me, amount), self.keys.amm.swap(me, self.lp_usdc, self.lp_eth, !eth_is_a, amount, 0)]
            };
            self.bank.send(&ixs, &[]).await.map_err(|e| anyhow!("{e}"))?;
        }
        Ok(())
    }

    async fn step(&mut self, step: &str, note: String) -> Result<Step> {
        let s = MarketState::load(&mut self.bank, &self.keys).await.map_err(|e| anyhow!("{e}"))?;
        let cv = s.collateral_value();
        Ok(Step {
            step: step.into(),
            eth_usd: s.price.value(100_000_000, Round::Down).unwrap_or(0) as f64 / 1e6,
            collateral_usdc: cv as f64 / 1e6,
            debt_usdc: s.debt() as f64 / 1e6,
            nav_usdc: s.nav().unwrap_or(0) as f64 / 1e6,
            leverage: s.leverage_bps().filter(|_| cv >= 10_000).map(|l| l as f64 / 1e4),
            note,
        })
    }
}

/// Deposit $100 at 3x; ETH moves to `moved_usd`; rebalance; redeem everything.
async fn story(moved_usd: u64, label: &str) -> Result<Vec<Step>> {
    let mut w = DemoWorld::start(demo_params()).await?;
    w.fund_payer(100_000_000).await?;
    let mut steps = Vec::new();
    let m = commands::mint(&mut w.bank, &w.keys, 100_000_000, 100).await?;
    steps.push(w.step("deposit $100", format!("borrowed ${:.2}, minted {:.4} ETHBULL3X", m.borrowed_usdc, m.tokens)).await?);
    w.move_price(moved_usd).await?;
    steps.push(w.step(label, "oracle moved, AMM arbitraged to it".into()).await?);
    let r = commands::rebalance(&mut w.bank, &w.keys).await?;
    let note = if r.relever { "borrowed USDC and bought ETH".to_string() } else { "sold ETH and repaid debt".to_string() };
    steps.push(w.step("rebalance", format!("{note} ({}, reward ${:.4})", r.trigger, r.reward_usdc)).await?);
    let me = w.bank.payer_key();
    let tokens = w.bank.token_balance(&WalletAccounts::of(me, &w.keys).lev).await;
    let out = commands::redeem(&mut w.bank, &w.keys, tokens, 100).await?;
    steps.push(w.step("redeem all", format!("paid out ${:.2}", out.usdc_out)).await?);
    Ok(steps)
}

pub async fn run() -> Result<Vec<Step>> {
    let mut steps = story(3_600, "ETH +20%").await?;
    steps.extend(story(2_400, "ETH -20%").await?);
    Ok(steps)
}

pub fn table(steps: &[Step]) -> String {
    let mut out = String::from("ETHBULL3X — the seed example through the real programs in the in-process Solana runtime\n");
    out += "(venue: $10M constant-product pool with a 5 bps fee, arbitraged to the oracle after each move)\n\n";
    out += &format!("{:<14} {:>7} {:>11} {:>9} {:>9} {:>9}  {}\n", "step", "ETH", "collateral", "debt", "NAV", "leverage", "what happened");
    for (i, s) in steps.iter().enumerate() {
        if i == 4 {
            out += "\n";
        }
        let lev = s.leverage.map(|l| format!("{l:.2}x")).unwrap_or_else(|| "-".into());
        out += &format!(
            "{:<14} {:>7} {:>11.2} {:>9.2} {:>9.2} {:>9}  {}\n",
            s.step,
            format!("${:.0}", s.eth_usd),
            s.collateral_usdc,
            s.debt_usdc,
            s.nav_usdc,
            lev,
            s.note
        );
    }
    out
}
