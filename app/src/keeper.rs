//! `levtoken keeper`: polls the market, decides with the economics crate whether `rebalance` (or
//! its emergency path) is allowed and worth it, simulates, sends, retries with backoff.

use std::time::Duration;

use anyhow::Result;
use lev_math::Trigger;
use levtoken_client::{chain::Chain, market::MarketKeys, state::MarketState, user::WalletAccounts};
use serde::Serialize;

use crate::commands::{rebalance_result, RebalanceResult};

#[derive(Clone, Debug)]
pub struct KeeperConfig {
    pub interval: Duration,
    /// Attempts per rebalance on transient (transport) errors.
    pub max_attempts: u32,
    /// First backoff; doubles each retry.
    pub backoff: Duration,
    /// A normal rebalance is sent only if the reward covers at least this much (USDC base units):
    /// the keeper's transaction fee. Emergencies are always sent.
    pub min_reward: u64,
}

impl Default for KeeperConfig {
    fn default() -> Self {
        KeeperConfig { interval: Duration::from_secs(10), max_attempts: 5, backoff: Duration::from_millis(500), min_reward: 1_000 }
    }
}

/// What one look at the market led to.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Tick {
    Idle {
        leverage: Option<f64>,
        reason: String,
    },
    Skipped {
        reason: String,
    },
    Rebalanced(RebalanceResult),
    /// The vault was insolvent (NAV ≤ 0): one settlement step was sent.
    Settled {
        collateral_sold: u64,
        debt_repaid: u64,
        settled: bool,
        signature: Option<String>,
    },
}

/// One keeper decision.
pub async fn tick<C: Chain>(chain: &mut C, keys: &MarketKeys, cfg: &KeeperConfig) -> Result<Tick> {
    let state = MarketState::load(chain, keys).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let lev = state.leverage_bps().filter(|l| *l > 0).map(|l| l as f64 / 1e4);
    if state.oracle_age() > state.market.params.oracle_max_staleness_secs as i64 {
        return Ok(Tick::Skipped { reason: format!("oracle is {}s old; the market would refuse", state.oracle_age()) });
    }
    if state.market.settled {
        return Ok(Tick::Idle { leverage: None, reason: "settled after insolvency".into() });
    }
    if state.nav().is_none() && (state.market.collateral > 0 || state.debt() > 0) {
        // NAV ≤ 0: no rebalance can help; settling sells the collateral, repays, and writes the
        // rest off so every lender shares the loss at once.
        let me = chain.payer();
        let ixs = [keys.settle(me)];
        if let Err(e) = chain.simulate(&ixs).await {
            return Ok(Tick::Skipped { reason: format!("settle simulation failed: {e}") });
        }
        return match send_with_retry(chain, &ixs, cfg, "settle").await {
            Ok(landed) => {
                let step: Vec<leveraged_token::SettleStep> = levtoken_client::events::parse_events(&landed.logs);
                let done = !levtoken_client::events::parse_events::<leveraged_token::MarketSettled>(&landed.logs).is_empty();
                tracing::warn!(settled = done, "insolvent vault: settlement step sent");
                Ok(Tick::Settled {
                    collateral_sold: step.first().map_or(0, |s| s.collateral_sold),
                    debt_repaid: step.first().map_or(0, |s| s.debt_repaid),
                    settled: done,
                    signature: landed.signature,
                })
            }
            Err(reason) => Ok(Tick::Skipped { reason }),
        };
    }
    let Some((trigger, plan)) = state.plan() else {
        return Ok(Tick::Idle { leverage: lev, reason: levtoken_client::state::trigger_name(state.trigger()).into() });
    };
    if trigger != Trigger::Emergency && plan.reward() < cfg.min_reward {
        return Ok(Tick::Skipped { reason: format!("reward {} below the {} minimum", plan.reward(), cfg.min_reward) });
    }
    let me = chain.payer();
    let keeper_usdc = WalletAccounts::of(me, keys).usdc;
    let ixs = [levtoken_client::user::create_ata_idempotent_ix(&me, &me, &keys.quote_mint, &keys.quote_token_program), keys.rebalance(me, keeper_usdc)];
    if let Err(e) = chain.simulate(&ixs).await {
        return Ok(Tick::Skipped { reason: format!("simulation failed: {e}") });
    }
    let landed = match send_with_retry(chain, &ixs, cfg, "rebalance").await {
        Ok(landed) => landed,
        Err(reason) => return Ok(Tick::Skipped { reason }),
    };
    let ev: Vec<leveraged_token::Rebalanced> = levtoken_client::events::parse_events(&landed.logs);
    let res = match ev.first() {
        Some(e) => rebalance_result(e, landed.signature),
        None => RebalanceResult {
            trigger: format!("{trigger:?}"),
            relever: matches!(plan, lev_math::Plan::Relever { .. }),
            leverage_before: lev.unwrap_or(0.0),
            leverage_after: 0.0,
            reward_usdc: plan.reward() as f64 / 1e6,
            signature: landed.signature,
        },
    };
    tracing::info!(trigger = %res.trigger, before = res.leverage_before, after = res.leverage_after, reward = res.reward_usdc, "rebalanced");
    Ok(Tick::Rebalanced(res))
}

/// Send `ixs`, retrying transport errors with exponential backoff; a refusal is final.
async fn send_with_retry<C: Chain>(
    chain: &mut C,
    ixs: &[solana_instruction::Instruction],
    cfg: &KeeperConfig,
    what: &str,
) -> Result<levtoken_client::chain::Landed, String> {
    let mut delay = cfg.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match chain.send(ixs, &[]).await {
            Ok(landed) => return Ok(landed),
            Err(e) if e.is_transient() && attempt < cfg.max_attempts => {
                tracing::warn!(attempt, error = %e, "{what} failed, retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(e) => return Err(format!("{what} failed: {e}")),
        }
    }
}

/// Poll until `shutdown` resolves (Ctrl-C in the CLI), or `max_ticks` looks when given.
pub async fn run<C: Chain>(
    chain: &mut C,
    keys: &MarketKeys,
    cfg: &KeeperConfig,
    max_ticks: Option<u64>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<Vec<Tick>> {
    tokio::pin!(shutdown);
    let mut log = Vec::new();
    let mut n = 0u64;
    loop {
        let t = match tick(chain, keys, cfg).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the market");
                Tick::Skipped { reason: e.to_string() }
            }
        };
        match &t {
            Tick::Idle { leverage, reason } => tracing::info!(leverage = ?leverage, %reason, "idle"),
            Tick::Skipped { reason } => tracing::warn!(%reason, "skipped"),
            Tick::Rebalanced(_) | Tick::Settled { .. } => {}
        }
        log.push(t);
        n += 1;
        if max_ticks.is_some_and(|m| n >= m) {
            break;
        }
        tokio::select! {
            _ = &mut shutdown => {
                tracing::info!("shutting down");
                break;
            }
            _ = tokio::time::sleep(cfg.interval) => {}
        }
    }
    Ok(log)
}
