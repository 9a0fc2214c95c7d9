//! The real programs in the in-process Solana runtime, driven hour by hour.

use anyhow::{anyhow, Context, Result};
use lev_math::{arbitrage_to_price, Round};
use leveraged_token::{MarketParams, Rebalanced};
use levtoken_client::{
    bank::Bank,
    chain::anchor_account,
    deploy::{deploy_localnet, deploy_market, mint_to_ix, new_token_account, Deployment, LocalnetConfig},
    events::parse_events,
    market::MarketKeys,
    oracle::{PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO},
    state::MarketState,
    SPL_TOKEN_ID, TOKEN_2022_ID,
};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::venue::{Fill, Venue};

/// Balances the arbitrageur tops up to before each trade.
const ARB_FLOAT: u64 = 1 << 60;

pub struct BankVenue {
    pub bank: Bank,
    pub dep: Deployment,
    pub keys: MarketKeys,
    cfg: LocalnetConfig,
    oracle: anchor_lang::prelude::Pubkey,
    obs: PriceObservation,
    keeper_usdc: anchor_lang::prelude::Pubkey,
    user: Keypair,
    user_usdc: anchor_lang::prelude::Pubkey,
    user_lev: anchor_lang::prelude::Pubkey,
}

impl BankVenue {
    /// Start a bank at `now`, deploy pools and the market with `params`, price `mantissa`.
    pub async fn new(params: MarketParams, cfg: LocalnetConfig, now: i64) -> Result<Self> {
        let mut bank = Bank::start().await;
        // Tens of thousands of transactions whose compute limit does not matter: run each once.
        bank.simulate_first = false;
        bank.set_time(now).await;
        let oracle = anchor_lang::prelude::Pubkey::new_unique();
        let obs = PriceObservation { feed_id: ETH_USD_FEED_ID, price: cfg.eth_price_mantissa, conf: 0, expo: PYTH_EXPO, publish_time: now };
        bank.set_price(&oracle, &obs);
        let cfg = LocalnetConfig { params, ..cfg };
        let dep = deploy_localnet(&mut bank, &cfg, oracle).await.map_err(|e| anyhow!("deploy: {e}"))?;
        let keys = dep.keys;
        let payer = bank.payer_key();
        let keeper_usdc = new_token_account(&mut bank, &dep.usdc, &payer, &SPL_TOKEN_ID).await?;
        let user = Keypair::new();
        let fund = solana_system_interface::instruction::transfer(&payer, &user.pubkey(), 1_000_000_000);
        bank.send(&[fund], &[]).await.map_err(|e| anyhow!("fund user: {e}"))?;
        let user_usdc = new_token_account(&mut bank, &dep.usdc, &user.pubkey(), &SPL_TOKEN_ID).await?;
        let user_lev = new_token_account(&mut bank, &keys.lev_mint, &user.pubkey(), &TOKEN_2022_ID).await?;
        Ok(BankVenue { bank, dep, keys, cfg, oracle, obs, keeper_usdc, user, user_usdc, user_lev })
    }

    async fn send(&mut self, ixs: &[solana_instruction::Instruction], signers: &[&Keypair]) -> Result<Option<Vec<String>>> {
        match self.bank.send(ixs, signers).await {
            Ok(out) => Ok(Some(out.logs)),
            Err(f) if f.custom_code().is_some() => {
                if std::env::var_os("LEVTOKEN_DEBUG_REFUSALS").is_some() {
                    eprintln!("refused: code {:?} ixs {:?}", f.custom_code(), ixs.iter().map(|i| i.program_id.to_string()).collect::<Vec<_>>());
                }
                Ok(None)
            }
            Err(f) => Err(anyhow!("transaction failed outside the programs' checks: {f}")),
        }
    }
}

impl Venue for BankVenue {
    async fn set_price(&mut self, ts: i64, mantissa: i64) -> Result<()> {
        self.bank.set_time(ts).await;
        self.obs.price = mantissa;
        self.obs.publish_time = ts;
        let obs = self.obs;
        self.bank.set_price(&self.oracle, &obs);
        Ok(())
    }

    async fn arbitrage(&mut self, fraction: f64) -> Result<()> {
        let pool: amm::Pool = self.bank.anchor_account(&self.keys.amm.pool).await;
        let price = lev_math::Price::from_oracle(self.obs.price, PYTH_EXPO, levtoken_client::ETH_DECIMALS, levtoken_client::USDC_DECIMALS).context("price")?;
        let (re, ru) = levtoken_client::amm::reserves_of(&pool, &self.dep.eth);
        let target = super::venue::arbitrage_target_wad(re, ru, price.wad, fraction);
        let Some((eth_in, amount)) = arbitrage_to_price(re, ru, target, pool.fee_bps as u64) else { return Ok(()) };
        // Nothing to gain when the curve rounds the output to zero.
        let (r_in, r_out) = if eth_in { (re, ru) } else { (ru, re) };
        let eth_is_a = self.keys.amm.is_a(&self.dep.eth);
        if lev_math::swap_out_down(amount, r_in, r_out, pool.fee_bps as u64).unwrap_or(0) == 0 {
            return Ok(());
        }
        let payer = self.bank.payer_key();
        let (lp_eth, lp_usdc) = (self.dep.lp_eth, self.dep.lp_usdc);
        let mut ixs = Vec::with_capacity(2);
        if eth_in {
            let have = self.bank.token_balance(&lp_eth).await;
            if have < amount {
                ixs.push(mint_to_ix(&TOKEN_2022_ID, &self.dep.eth, &lp_eth, &payer, ARB_FLOAT));
            }
            ixs.push(self.keys.amm.swap(payer, lp_eth, lp_usdc, eth_is_a, amount, 0));
        } else {
            let have = self.bank.token_balance(&lp_usdc).await;
            if have < amount {
                ixs.push(mint_to_ix(&SPL_TOKEN_ID, &self.dep.usdc, &lp_usdc, &payer, ARB_FLOAT));
            }
            ixs.push(self.keys.amm.swap(payer, lp_usdc, lp_eth, !eth_is_a, amount, 0));
        }
        // A refused arbitrage (the curve rounds the output to zero) changes nothing.
        self.send(&ixs, &[]).await?;
        Ok(())
    }

    async fn state(&mut self) -> Result<MarketState> {
        MarketState::load(&mut self.bank, &self.keys).await.map_err(|e| anyhow!("{e}"))
    }

    async fn rebalance(&mut self) -> Result<Option<Fill>> {
        let ix = self.keys.rebalance(self.bank.payer_key(), self.keeper_usdc);
        let Some(logs) = self.send(&[ix], &[]).await? else { return Ok(None) };
        let ev: Vec<Rebalanced> = parse_events(&logs);
        let e = ev.first().ok_or_else(|| anyhow!("rebalance emitted no event"))?;
        let price = lev_math::Price { wad: e.price_wad };
        let value = |x: u64| price.value(x, Round::Down).unwrap_or(0) as i64;
        let cost = if e.relever { e.swap_in as i64 - value(e.swap_out) } else { value(e.swap_in) - e.swap_out as i64 };
        Ok(Some(Fill { cost: cost + e.reward as i64, reward: e.reward }))
    }

    async fn mint(&mut self, usdc: u64) -> Result<bool> {
        let payer = self.bank.payer_key();
        let user = self.user.insecure_clone();
        let ixs =
            [mint_to_ix(&SPL_TOKEN_ID, &self.dep.usdc, &self.user_usdc, &payer, usdc), self.keys.mint(user.pubkey(), self.user_usdc, self.user_lev, usdc, 0)];
        Ok(self.send(&ixs, &[&user]).await?.is_some())
    }

    async fn redeem(&mut self, tokens: u64) -> Result<bool> {
        let user = self.user.insecure_clone();
        let ix = self.keys.redeem(user.pubkey(), self.user_usdc, self.user_lev, tokens, 0);
        Ok(self.send(&[ix], &[&user]).await?.is_some())
    }

    async fn user_tokens(&mut self) -> Result<u64> {
        Ok(self.bank.token_balance(&self.user_lev).await)
    }

    async fn treasury(&mut self) -> Result<(u64, u64)> {
        // Fees accrue inside the market until the treasury claims them.
        let m: leveraged_token::Market = anchor_account(&mut self.bank, &self.keys.market).await?;
        Ok((m.fees_quote, m.fees_lev))
    }

    async fn relaunch(&mut self, initial_usdc: u64) -> Result<()> {
        let cfg = LocalnetConfig { market_id: self.keys.market_id + 1, ..self.cfg.clone() };
        let keys = deploy_market(&mut self.bank, &cfg, self.dep.eth, self.keys.lending, self.keys.amm, self.oracle).await?;
        self.keys = keys;
        let user = self.user.pubkey();
        self.user_lev = new_token_account(&mut self.bank, &keys.lev_mint, &user, &TOKEN_2022_ID).await?;
        if !self.mint(initial_usdc).await? {
            return Err(anyhow!("relaunch mint refused"));
        }
        Ok(())
    }
}
