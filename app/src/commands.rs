//! The user and admin commands, generic over the chain so each is tested in the in-process bank.

use anyhow::{anyhow, bail, Context, Result};
use lev_math::Round;
use leveraged_token::{InitMarketArgs, MarketParams, Minted, Rebalanced, Redeemed};
use levtoken_client::{
    chain::{anchor_account, token_balance, Chain},
    events::parse_events,
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::ETH_USD_FEED_ID,
    state::{trigger_name, MarketState},
    user::{create_ata_idempotent_ix, min_out, quote_mint, quote_redeem, WalletAccounts},
    Pubkey, SPL_TOKEN_ID, TOKEN_2022_ID,
};
use serde::Serialize;

/// Whole-unit amount (e.g. "12.5" USDC) to base units.
pub fn parse_amount(s: &str, decimals: u8) -> Result<u64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        bail!("not an amount: {s:?}");
    }
    if frac.len() > decimals as usize {
        bail!("{s:?} has more than {decimals} decimals");
    }
    let scale = 10u64.pow(decimals as u32);
    let int: u64 = if int.is_empty() { 0 } else { int.parse().context("amount too large")? };
    let frac_v: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<width$}", width = decimals as usize).parse()? };
    int.checked_mul(scale).and_then(|v| v.checked_add(frac_v)).ok_or_else(|| anyhow!("amount too large"))
}

fn chain_err(e: levtoken_client::chain::ChainError) -> anyhow::Error {
    anyhow!("{e}")
}

async fn venue_pool<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<amm::Pool> {
    anchor_account(chain, &keys.amm.pool).await.map_err(chain_err)
}

/// A parameter set of the program: the backtest runs one as "ours", `init-market` creates a market
/// with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    /// `MarketParams::edge_3x`: band 2.55–3.30x, every exit back to the crossed edge only, no
    /// scheduled recentre (chosen by `backtest-sweep` on ETH before 2019-07-14).
    Edge,
    /// `MarketParams::partial_recentre_3x`: band 2.65–3.15x, band exits trade 5% of the way back.
    Partial,
    /// `MarketParams::default_3x`: band 2.8–3.2x, every band exit goes back to 3x (the seed's rule).
    Full,
}

impl Rule {
    pub fn params(self) -> MarketParams {
        match self {
            Rule::Edge => MarketParams::edge_3x(),
            Rule::Partial => MarketParams::partial_recentre_3x(),
            Rule::Full => MarketParams::default_3x(),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// status

/// The rebalancing parameters as a person reads them (leverage in x), shown by `status` and by the
/// admin commands.
#[derive(Clone, Debug, Serialize)]
pub struct RuleView {
    pub target_leverage: f64,
    pub band: [f64; 2],
    /// Share of the edge-to-target distance a band exit trades back (1 = all the way to target).
    pub recentre_share: f64,
    pub emergency_leverage: f64,
}

impl RuleView {
    pub fn of(p: &MarketParams) -> Self {
        RuleView {
            target_leverage: p.target_leverage_bps as f64 / 1e4,
            band: [p.band_low_bps as f64 / 1e4, p.band_high_bps as f64 / 1e4],
            recentre_share: p.recentre_share_bps as f64 / 1e4,
            emergency_leverage: p.emergency_leverage_bps as f64 / 1e4,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub market: String,
    pub eth_price_usd: f64,
    pub oracle_age_secs: i64,
    pub oracle_conf_bps: u64,
    pub collateral_eth: f64,
    pub collateral_value_usdc: f64,
    pub debt_usdc: f64,
    pub nav_usdc: f64,
    pub nav_per_token_usdc: f64,
    pub supply_tokens: f64,
    pub leverage: Option<f64>,
    #[serde(flatten)]
    pub rule: RuleView,
    pub mint_paused: bool,
    pub rebalance_allowed: bool,
    pub rebalance_reason: String,
    /// The leverage a rebalance now would aim at.
    pub rebalance_aim: Option<f64>,
    pub lending_utilization_pct: f64,
    pub lending_borrow_rate_pct: f64,
}

pub async fn status<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<Status> {
    let s = MarketState::load(chain, keys).await.map_err(chain_err)?;
    let p = s.market.params;
    let lev = s.leverage_bps();
    let trigger = s.trigger();
    Ok(Status {
        market: keys.market.to_string(),
        eth_price_usd: s.price.value(100_000_000, Round::Down).unwrap_or(0) as f64 / 1e6,
        oracle_age_secs: s.oracle_age(),
        oracle_conf_bps: s.price_conf_bps,
        collateral_eth: s.market.collateral as f64 / 1e8,
        collateral_value_usdc: s.collateral_value() as f64 / 1e6,
        debt_usdc: s.debt() as f64 / 1e6,
        nav_usdc: s.nav().unwrap_or(0) as f64 / 1e6,
        nav_per_token_usdc: s.nav_per_token() as f64 / 1e6,
        supply_tokens: s.supply as f64 / 1e6,
        leverage: match lev {
            Some(0) | None => None,
            Some(l) => Some(l as f64 / 1e4),
        },
        rule: RuleView::of(&p),
        mint_paused: s.market.mint_paused,
        rebalance_allowed: s.plan().is_some(),
        rebalance_reason: if trigger.is_some() && s.plan().is_none() { "allowed, but nothing worth trading".into() } else { trigger_name(trigger).into() },
        rebalance_aim: trigger.map(|t| p.band().aim_bps(t, lev) as f64 / 1e4),
        lending_utilization_pct: s.pool.utilization_bps().unwrap_or(0) as f64 / 100.0,
        lending_borrow_rate_pct: s.pool.borrow_rate_bps().unwrap_or(0) as f64 / 100.0,
    })
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lev = self.leverage.map(|l| format!("{l:.3}x")).unwrap_or_else(|| "-".into());
        writeln!(f, "market              {}", self.market)?;
        writeln!(f, "ETH price           ${:.2} (oracle {}s old, ±{} bps)", self.eth_price_usd, self.oracle_age_secs, self.oracle_conf_bps)?;
        writeln!(f, "collateral          {:.8} ETH = ${:.2}", self.collateral_eth, self.collateral_value_usdc)?;
        writeln!(f, "debt                ${:.2}", self.debt_usdc)?;
        writeln!(f, "NAV                 ${:.2}", self.nav_usdc)?;
        writeln!(f, "NAV per token       ${:.6}  ({:.6} tokens)", self.nav_per_token_usdc, self.supply_tokens)?;
        writeln!(
            f,
            "leverage            {lev}  (target {:.2}x, band {:.2}–{:.2}x, exits trade {:.0}% back, emergency {:.2}x)",
            self.rule.target_leverage,
            self.rule.band[0],
            self.rule.band[1],
            self.rule.recentre_share * 100.0,
            self.rule.emergency_leverage
        )?;
        let aim = self.rebalance_aim.map(|a| format!(" (aims at {a:.2}x)")).unwrap_or_default();
        writeln!(f, "rebalance           {} — {}{aim}", if self.rebalance_allowed { "allowed" } else { "not allowed" }, self.rebalance_reason)?;
        writeln!(f, "minting             {}", if self.mint_paused { "paused" } else { "open" })?;
        write!(f, "lending pool        {:.2}% utilised, borrow rate {:.2}%/yr", self.lending_utilization_pct, self.lending_borrow_rate_pct)
    }
}

// ------------------------------------------------------------------------------------------------
// mint / redeem

#[derive(Clone, Debug, Serialize)]
pub struct MintResult {
    pub usdc_in: f64,
    pub quoted_tokens: f64,
    pub min_tokens_out: f64,
    pub tokens: f64,
    pub fee_usdc: f64,
    pub borrowed_usdc: f64,
    pub leverage: f64,
    pub signature: Option<String>,
}

pub async fn mint<C: Chain>(chain: &mut C, keys: &MarketKeys, usdc_in: u64, max_slippage_bps: u64) -> Result<MintResult> {
    let state = MarketState::load(chain, keys).await.map_err(chain_err)?;
    let pool = venue_pool(chain, keys).await?;
    let quote = quote_mint(&state, &pool, usdc_in).ok_or_else(|| anyhow!("the market would refuse this mint now (paused, emergency, or too small)"))?;
    let min = min_out(quote, max_slippage_bps);
    let me = chain.payer();
    let w = WalletAccounts::of(me, keys);
    let mut ixs = w.ensure_ixs(&me, keys);
    ixs.push(keys.mint(me, w.usdc, w.lev, usdc_in, min));
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<Minted> = parse_events(&landed.logs);
    let (tokens, fee, borrowed, lev) = match ev.first() {
        Some(e) => (e.tokens, e.fee, e.borrowed, e.leverage_bps),
        None => (quote, 0, 0, 0),
    };
    Ok(MintResult {
        usdc_in: usdc_in as f64 / 1e6,
        quoted_tokens: quote as f64 / 1e6,
        min_tokens_out: min as f64 / 1e6,
        tokens: tokens as f64 / 1e6,
        fee_usdc: fee as f64 / 1e6,
        borrowed_usdc: borrowed as f64 / 1e6,
        leverage: lev as f64 / 1e4,
        signature: landed.signature,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct RedeemResult {
    pub tokens: f64,
    pub quoted_usdc: f64,
    pub min_usdc_out: f64,
    pub usdc_out: f64,
    pub fee_usdc: f64,
    pub debt_repaid_usdc: f64,
    pub signature: Option<String>,
}

pub async fn redeem<C: Chain>(chain: &mut C, keys: &MarketKeys, tokens: u64, max_slippage_bps: u64) -> Result<RedeemResult> {
    let state = MarketState::load(chain, keys).await.map_err(chain_err)?;
    let pool = venue_pool(chain, keys).await?;
    let quote = quote_redeem(&state, &pool, tokens).ok_or_else(|| anyhow!("the market would refuse this redemption now"))?;
    let min = min_out(quote, max_slippage_bps);
    let me = chain.payer();
    let w = WalletAccounts::of(me, keys);
    let mut ixs = w.ensure_ixs(&me, keys);
    ixs.push(keys.redeem(me, w.usdc, w.lev, tokens, min));
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<Redeemed> = parse_events(&landed.logs);
    let (out, fee, debt) = ev.first().map(|e| (e.usdc_out, e.fee, e.debt_repaid)).unwrap_or((quote, 0, 0));
    Ok(RedeemResult {
        tokens: tokens as f64 / 1e6,
        quoted_usdc: quote as f64 / 1e6,
        min_usdc_out: min as f64 / 1e6,
        usdc_out: out as f64 / 1e6,
        fee_usdc: fee as f64 / 1e6,
        debt_repaid_usdc: debt as f64 / 1e6,
        signature: landed.signature,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct RedeemInKindResult {
    pub tokens: f64,
    pub collateral_eth: f64,
    pub fee_eth: f64,
    pub debt_repaid_usdc: f64,
    /// A settled market pays its residual USDC instead (no collateral is left).
    pub usdc_out: f64,
    pub signature: Option<String>,
}

/// Redeem in kind: receive the tokens' collateral into your wETH account (created if missing) and
/// repay their share of the debt from your USDC — no swap venue and no oracle involved, so this
/// exit stays open whatever they do. The minimum is the exact share less `max_slippage_bps` (the
/// share only moves with the streaming fee in the meantime).
pub async fn redeem_in_kind<C: Chain>(chain: &mut C, keys: &MarketKeys, tokens: u64, max_slippage_bps: u64) -> Result<RedeemInKindResult> {
    let state = MarketState::load(chain, keys).await.map_err(chain_err)?;
    let share = lev_math::redeem_share(&state.position(), tokens, state.supply).ok_or_else(|| anyhow!("more tokens than the supply"))?;
    let fee = lev_math::fee_up(share.collateral_out, state.market.params.redeem_fee_bps).unwrap_or(share.collateral_out);
    let min = min_out(share.collateral_out.saturating_sub(fee), max_slippage_bps);
    let me = chain.payer();
    let w = WalletAccounts::of(me, keys);
    let eth = levtoken_client::market::associated_token_address(&me, &keys.collateral_mint, &keys.collateral_token_program);
    let mut ixs = w.ensure_ixs(&me, keys);
    ixs.push(create_ata_idempotent_ix(&me, &me, &keys.collateral_mint, &keys.collateral_token_program));
    ixs.push(keys.redeem_in_kind(me, w.lev, eth, w.usdc, tokens, min));
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<leveraged_token::RedeemedInKind> = parse_events(&landed.logs);
    let settled: Vec<leveraged_token::Redeemed> = parse_events(&landed.logs);
    match (ev.first(), settled.first()) {
        (Some(e), _) => Ok(RedeemInKindResult {
            tokens: tokens as f64 / 1e6,
            collateral_eth: e.collateral_out as f64 / 1e8,
            fee_eth: e.fee_collateral as f64 / 1e8,
            debt_repaid_usdc: e.debt_repaid as f64 / 1e6,
            usdc_out: 0.0,
            signature: landed.signature,
        }),
        // A settled market redeems for its residual USDC (the program's `Redeemed` event).
        (None, Some(r)) => Ok(RedeemInKindResult {
            tokens: tokens as f64 / 1e6,
            collateral_eth: 0.0,
            fee_eth: 0.0,
            debt_repaid_usdc: 0.0,
            usdc_out: r.usdc_out as f64 / 1e6,
            signature: landed.signature,
        }),
        (None, None) => Err(anyhow!("no RedeemedInKind or Redeemed event in the transaction")),
    }
}

// ------------------------------------------------------------------------------------------------
// rebalance

#[derive(Clone, Debug, Serialize)]
pub struct RebalanceResult {
    pub trigger: String,
    pub relever: bool,
    pub leverage_before: f64,
    pub leverage_after: f64,
    pub reward_usdc: f64,
    pub signature: Option<String>,
}

pub fn rebalance_result(ev: &Rebalanced, signature: Option<String>) -> RebalanceResult {
    RebalanceResult {
        trigger: match ev.trigger {
            0 => "emergency",
            1 => "outside band",
            _ => "scheduled",
        }
        .into(),
        relever: ev.relever,
        leverage_before: ev.leverage_before_bps as f64 / 1e4,
        leverage_after: ev.leverage_after_bps as f64 / 1e4,
        reward_usdc: ev.reward as f64 / 1e6,
        signature,
    }
}

pub async fn rebalance<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<RebalanceResult> {
    let me = chain.payer();
    let usdc = WalletAccounts::of(me, keys).usdc;
    let ixs = [create_ata_idempotent_ix(&me, &me, &keys.quote_mint, &keys.quote_token_program), keys.rebalance(me, usdc)];
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<Rebalanced> = parse_events(&landed.logs);
    match ev.first() {
        Some(e) => Ok(rebalance_result(e, landed.signature)),
        None => Ok(RebalanceResult {
            trigger: "unknown (the node returned no logs)".into(),
            relever: false,
            leverage_before: 0.0,
            leverage_after: 0.0,
            reward_usdc: 0.0,
            signature: landed.signature,
        }),
    }
}

// ------------------------------------------------------------------------------------------------
// lend / withdraw

#[derive(Clone, Debug, Serialize)]
pub struct LendResult {
    pub usdc: f64,
    pub shares: f64,
    pub share_balance: f64,
    pub signature: Option<String>,
}

pub async fn lend<C: Chain>(chain: &mut C, lending: &LendingPoolKeys, usdc: u64) -> Result<LendResult> {
    let me = chain.payer();
    let src = levtoken_client::market::associated_token_address(&me, &lending.mint, &lending.token_program);
    let shares = levtoken_client::market::associated_token_address(&me, &lending.share_mint, &lending.token_program);
    let pool: lending_pool::LendingPool = anchor_account(chain, &lending.pool).await.map_err(chain_err)?;
    let expected = lev_math::shares_for_assets_down(usdc as u128, pool.total_assets().unwrap_or(0), pool.total_shares as u128).unwrap_or(0);
    let ixs = [create_ata_idempotent_ix(&me, &me, &lending.share_mint, &lending.token_program), lending.deposit(me, src, shares, usdc, min_out(expected, 10))];
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<lending_pool::Deposited> = parse_events(&landed.logs);
    let bal = token_balance(chain, &shares).await.map_err(chain_err)?;
    Ok(LendResult {
        usdc: usdc as f64 / 1e6,
        shares: ev.first().map(|e| e.shares).unwrap_or(expected) as f64 / 1e6,
        share_balance: bal as f64 / 1e6,
        signature: landed.signature,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct WithdrawResult {
    pub shares: f64,
    pub usdc: f64,
    pub signature: Option<String>,
}

pub async fn withdraw<C: Chain>(chain: &mut C, lending: &LendingPoolKeys, shares: u64) -> Result<WithdrawResult> {
    let me = chain.payer();
    let dst = levtoken_client::market::associated_token_address(&me, &lending.mint, &lending.token_program);
    let share_acct = levtoken_client::market::associated_token_address(&me, &lending.share_mint, &lending.token_program);
    let pool: lending_pool::LendingPool = anchor_account(chain, &lending.pool).await.map_err(chain_err)?;
    let expected = lev_math::assets_for_shares_down(shares as u128, pool.total_assets().unwrap_or(0), pool.total_shares as u128).unwrap_or(0);
    let ixs = [create_ata_idempotent_ix(&me, &me, &lending.mint, &lending.token_program), lending.withdraw(me, dst, share_acct, shares, min_out(expected, 10))];
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    let ev: Vec<lending_pool::Withdrawn> = parse_events(&landed.logs);
    Ok(WithdrawResult { shares: shares as f64 / 1e6, usdc: ev.first().map(|e| e.amount).unwrap_or(expected) as f64 / 1e6, signature: landed.signature })
}

// ------------------------------------------------------------------------------------------------
// init-market

#[derive(Clone, Debug, Serialize)]
pub struct InitMarketResult {
    pub market: String,
    pub lev_mint: String,
    pub treasury: String,
    pub timelock_secs: i64,
    pub signature: Option<String>,
}

/// Create market `market_id` on an existing lending pool and AMM, reading `oracle`. The signer must
/// be the lending pool's admin (it grants the credit line) and becomes the market admin.
#[allow(clippy::too_many_arguments)]
pub async fn init_market<C: Chain>(
    chain: &mut C,
    market_id: u64,
    collateral_mint: Pubkey,
    collateral_token_program: Pubkey,
    quote_mint: Pubkey,
    oracle: Pubkey,
    treasury: Pubkey,
    params: MarketParams,
    credit_limit: u64,
    timelock_secs: i64,
) -> Result<InitMarketResult> {
    let me = chain.payer();
    let lending = LendingPoolKeys::derive(quote_mint, SPL_TOKEN_ID);
    let amm = levtoken_client::amm::AmmPool::derive(collateral_mint, collateral_token_program, quote_mint, SPL_TOKEN_ID, SPL_TOKEN_ID);
    let keys = MarketKeys::derive(market_id, collateral_mint, collateral_token_program, lending, amm, oracle, treasury);
    let args = InitMarketArgs {
        params,
        feed_id: ETH_USD_FEED_ID,
        swap_programs: vec![amm::ID],
        swap_pools: vec![keys.amm.pool],
        guardian: me,
        treasury,
        timelock_secs,
        credit_limit,
        name: "ETH 3x Long".into(),
        symbol: "ETHBULL3X".into(),
        uri: "https://example.invalid/ethbull3x.json".into(),
    };
    // Reclaim any lamports a griefer parked on the market's future PDAs (they would block `init`).
    let landed = levtoken_client::prefund::send_guarded(chain, me, &keys.init_pdas(), &[keys.init_market(me, me, args)], &[]).await.map_err(chain_err)?;
    Ok(InitMarketResult {
        market: keys.market.to_string(),
        lev_mint: keys.lev_mint.to_string(),
        treasury: treasury.to_string(),
        timelock_secs,
        signature: landed.signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("100", 6).unwrap(), 100_000_000);
        assert_eq!(parse_amount("0.5", 6).unwrap(), 500_000);
        assert_eq!(parse_amount("12.345678", 6).unwrap(), 12_345_678);
        assert!(parse_amount("1.2345678", 6).is_err());
        assert!(parse_amount("-1", 6).is_err());
        assert!(parse_amount("abc", 6).is_err());
        assert!(parse_amount("", 6).is_err());
    }
}

// ------------------------------------------------------------------------------------------------
// admin: pause / unpause, parameters

#[derive(Clone, Debug, Serialize)]
pub struct AdminResult {
    pub market: String,
    pub mint_paused: bool,
    #[serde(flatten)]
    pub rule: RuleView,
    pub timelock_secs: i64,
    /// The change waiting for its timelock, if any (`{kind, eta}`), after this command.
    pub queued: Option<QueuedView>,
    pub signature: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QueuedView {
    /// params | swap_venues | oracle | treasury | guardian | timelock
    pub kind: String,
    /// Earliest unix time anyone may execute it.
    pub eta: i64,
}

impl QueuedView {
    pub fn of(q: &leveraged_token::QueuedChange) -> Self {
        use leveraged_token::AdminChange::*;
        let kind = match q.change {
            Params(_) => "params",
            SwapVenues { .. } => "swap_venues",
            Oracle { .. } => "oracle",
            Treasury(_) => "treasury",
            Guardian(_) => "guardian",
            Timelock(_) => "timelock",
            MetadataUri { .. } => "metadata_uri",
        };
        QueuedView { kind: kind.into(), eta: q.eta }
    }
}

async fn admin_result<C: Chain>(chain: &mut C, keys: &MarketKeys, signature: Option<String>) -> Result<AdminResult> {
    let m: leveraged_token::Market = anchor_account(chain, &keys.market).await.map_err(chain_err)?;
    Ok(AdminResult {
        market: keys.market.to_string(),
        mint_paused: m.mint_paused,
        rule: RuleView::of(&m.params),
        timelock_secs: m.timelock_secs,
        queued: m.queued.as_ref().map(QueuedView::of),
        signature,
    })
}

/// Pause or resume minting (signer: the guardian or the admin). Redemptions are never paused.
/// The only lever that acts at once.
pub async fn set_pause<C: Chain>(chain: &mut C, keys: &MarketKeys, paused: bool) -> Result<AdminResult> {
    let me = chain.payer();
    let landed = chain.send(&[keys.set_pause(me, paused)], &[]).await.map_err(chain_err)?;
    admin_result(chain, keys, landed.signature).await
}

/// Queue new parameters behind the market's timelock (signer: the admin); the program checks
/// every bound now and again when the change is executed.
pub async fn queue_params<C: Chain>(chain: &mut C, keys: &MarketKeys, params: MarketParams) -> Result<AdminResult> {
    let me = chain.payer();
    let landed = chain.send(&[keys.queue_change(me, leveraged_token::AdminChange::Params(params))], &[]).await.map_err(chain_err)?;
    admin_result(chain, keys, landed.signature).await
}

/// Queue a new metadata URI for the token behind the market's timelock (signer: the admin).
pub async fn queue_metadata_uri<C: Chain>(chain: &mut C, keys: &MarketKeys, uri: &str) -> Result<AdminResult> {
    let change = leveraged_token::AdminChange::new_metadata_uri(uri)
        .ok_or_else(|| anyhow!("the URI is {} bytes; at most {}", uri.len(), leveraged_token::MAX_METADATA_URI_LEN))?;
    let me = chain.payer();
    let landed = chain.send(&[keys.queue_change(me, change)], &[]).await.map_err(chain_err)?;
    admin_result(chain, keys, landed.signature).await
}

/// Execute the queued change once its timelock has elapsed (anyone). A metadata-URI change also
/// funds the mint for its new size (paid by the signer) and hands the program Token-2022.
pub async fn execute_change<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<AdminResult> {
    let me = chain.payer();
    let m: leveraged_token::Market = anchor_account(chain, &keys.market).await.map_err(chain_err)?;
    let ixs = match m.queued.as_ref().and_then(|q| q.change.metadata_uri().map(str::len)) {
        Some(uri_len) => {
            let mint = chain.account(&keys.lev_mint).await.map_err(chain_err)?.ok_or_else(|| anyhow!("the token mint is missing"))?;
            let top_up = levtoken_client::market::metadata_top_up(mint.data.len(), mint.lamports, uri_len);
            let mut ixs = Vec::new();
            if top_up > 0 {
                ixs.push(solana_system_interface::instruction::transfer(&me, &keys.lev_mint, top_up));
            }
            ixs.push(keys.execute_metadata_uri_change(me));
            ixs
        }
        None => vec![keys.execute_change(me)],
    };
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    admin_result(chain, keys, landed.signature).await
}

/// Cancel the queued change (signer: the guardian or the admin).
pub async fn cancel_change<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<AdminResult> {
    let me = chain.payer();
    let landed = chain.send(&[keys.cancel_change(me)], &[]).await.map_err(chain_err)?;
    admin_result(chain, keys, landed.signature).await
}

#[derive(Clone, Debug, Serialize)]
pub struct SettleResult {
    pub market: String,
    pub collateral_sold_eth: f64,
    pub debt_repaid_usdc: f64,
    pub settled: bool,
    pub debt_written_off_usdc: f64,
    pub signature: Option<String>,
}

/// One settlement step of an insolvent vault (anyone): sell collateral, repay, and once it is all
/// sold write the remaining debt off at the pool.
pub async fn settle<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<SettleResult> {
    let me = chain.payer();
    let landed = chain.send(&[keys.settle(me)], &[]).await.map_err(chain_err)?;
    let step = parse_events::<leveraged_token::SettleStep>(&landed.logs);
    let done = parse_events::<leveraged_token::MarketSettled>(&landed.logs);
    Ok(SettleResult {
        market: keys.market.to_string(),
        collateral_sold_eth: step.first().map_or(0.0, |s| s.collateral_sold as f64 / 1e8),
        debt_repaid_usdc: step.first().map_or(0.0, |s| s.debt_repaid as f64 / 1e6),
        settled: !done.is_empty(),
        debt_written_off_usdc: done.first().map_or(0.0, |d| d.debt_written_off as f64 / 1e6),
        signature: landed.signature,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct ClaimResult {
    pub market: String,
    pub usdc: f64,
    pub tokens: f64,
    pub usdc_account: String,
    pub token_account: String,
    pub signature: Option<String>,
}

/// Claim the accrued fees into the signer's associated token accounts (created if missing;
/// signer: the treasury).
pub async fn claim_fees<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<ClaimResult> {
    let me = chain.payer();
    let m: leveraged_token::Market = anchor_account(chain, &keys.market).await.map_err(chain_err)?;
    let usdc_ata = levtoken_client::market::associated_token_address(&me, &keys.quote_mint, &keys.quote_token_program);
    let lev_ata = levtoken_client::market::associated_token_address(&me, &keys.lev_mint, &TOKEN_2022_ID);
    let ixs = [
        create_ata_idempotent_ix(&me, &me, &keys.quote_mint, &keys.quote_token_program),
        create_ata_idempotent_ix(&me, &me, &keys.lev_mint, &TOKEN_2022_ID),
        keys.claim_fees(me, usdc_ata, lev_ata),
    ];
    let landed = chain.send(&ixs, &[]).await.map_err(chain_err)?;
    Ok(ClaimResult {
        market: keys.market.to_string(),
        usdc: m.fees_quote as f64 / 1e6,
        tokens: m.fees_lev as f64 / 1e6,
        usdc_account: usdc_ata.to_string(),
        token_account: lev_ata.to_string(),
        signature: landed.signature,
    })
}
