//! A market's on-chain state, read in one place and evaluated with `lev-math` exactly as the
//! program evaluates it: the CLI's `status`, the keeper's decisions and the backtest's samples all
//! come from here.

use anchor_lang::prelude::Pubkey;
use lending_pool::{Borrower, LendingPool};
use lev_math::{
    accrue_index_up, debt_from_scaled_up, nav_per_token, plan_rebalance, rebalance_trigger, streaming_fee_tokens_down, Plan, Position, Price, Round, Trigger,
};
use leveraged_token::{Market, LEV_DECIMALS};

use crate::{
    amm::AmmPool,
    chain::{anchor_account, mint_supply, Chain, ChainError},
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::decode_price_update,
};

/// Everything that decides a market's numbers at one moment.
#[derive(Clone, Debug)]
pub struct MarketState {
    pub market: Market,
    pub pool: LendingPool,
    pub borrower: Borrower,
    /// Leveraged-token supply as the program counts it: minted plus the streaming-fee tokens owed
    /// to the treasury (without the fee pending since the last accrual).
    pub supply: u64,
    /// Oracle price as published (not checked for staleness here; the program checks it).
    pub price: Price,
    pub price_publish_time: i64,
    pub price_conf_bps: u64,
    /// The cluster's time.
    pub now: i64,
}

impl MarketState {
    /// Read the market, its pool, its credit line, its mint and its oracle.
    pub async fn load<C: Chain>(chain: &mut C, keys: &MarketKeys) -> Result<Self, ChainError> {
        let market: Market = anchor_account(chain, &keys.market).await?;
        let pool: LendingPool = anchor_account(chain, &market.lending_pool).await?;
        let borrower: Borrower = anchor_account(chain, &market.lending_borrower).await?;
        let supply = market.supply(mint_supply(chain, &market.lev_mint).await?).ok_or_else(|| ChainError::Transport("supply overflows".into()))?;
        let oracle = chain.account(&market.oracle).await?.ok_or_else(|| ChainError::Transport("oracle account missing".into()))?;
        let update = decode_price_update(&oracle.data).ok_or_else(|| ChainError::Transport("oracle account is not a PriceUpdateV2".into()))?;
        let m = &update.price_message;
        let price = Price::from_oracle(m.price, m.exponent, market.collateral_decimals, market.quote_decimals)
            .ok_or_else(|| ChainError::Transport("oracle price not positive".into()))?;
        let now = chain.unix_time().await?;
        Ok(MarketState {
            market,
            pool,
            borrower,
            supply,
            price,
            price_publish_time: m.publish_time,
            price_conf_bps: Price::confidence_bps(m.price, m.conf).unwrap_or(u64::MAX),
            now,
        })
    }

    /// The borrow index after the accrual the next instruction will perform.
    pub fn projected_index(&self) -> u128 {
        let elapsed = self.now.saturating_sub(self.pool.last_accrual_ts) as u64;
        let rate = self.pool.borrow_rate_bps().unwrap_or(0);
        accrue_index_up(self.pool.borrow_index, rate, elapsed).unwrap_or(self.pool.borrow_index)
    }

    pub fn debt(&self) -> u64 {
        debt_from_scaled_up(self.borrower.scaled_debt, self.projected_index()).unwrap_or(u64::MAX)
    }

    pub fn position(&self) -> Position {
        self.market.position(self.debt())
    }

    pub fn collateral_value(&self) -> u128 {
        self.position().collateral_value(self.price, Round::Down).unwrap_or(0)
    }

    /// NAV, `None` when not positive.
    pub fn nav(&self) -> Option<u128> {
        self.position().nav(self.price, Round::Down)
    }

    /// Leverage rounded up as the program computes it; `None` when NAV ≤ 0, `Some(0)` when empty.
    pub fn leverage_bps(&self) -> Option<u64> {
        self.position().leverage_bps(self.price, Round::Up)
    }

    pub fn pending_fee_tokens(&self) -> u64 {
        let elapsed = self.now.saturating_sub(self.market.last_fee_accrual_ts) as u64;
        streaming_fee_tokens_down(self.supply, self.market.params.streaming_fee_bps_per_year, elapsed).unwrap_or(0)
    }

    /// NAV per whole token in USDC base units, after the pending streaming fee.
    pub fn nav_per_token(&self) -> u64 {
        let supply = self.supply.saturating_add(self.pending_fee_tokens());
        nav_per_token(self.nav().unwrap_or(0), supply, LEV_DECIMALS, Round::Down).unwrap_or(0)
    }

    /// NAV per whole token in USD as a float, unrounded: for reports that compound returns over
    /// years (the backtest's metrics), where [`Self::nav_per_token`]'s 6 decimals become noise
    /// once a token is worth fractions of a cent. Never an amount to trade on.
    pub fn nav_per_token_f64(&self) -> f64 {
        let supply = self.supply.saturating_add(self.pending_fee_tokens());
        if supply == 0 {
            return 0.0;
        }
        self.nav().unwrap_or(0) as f64 / supply as f64 * 10f64.powi(LEV_DECIMALS as i32) / 1e6
    }

    /// Why a rebalance would be allowed now, if it would.
    pub fn trigger(&self) -> Option<Trigger> {
        rebalance_trigger(&self.market.params.band(), self.leverage_bps(), self.now, self.market.last_rebalance_ts)
    }

    /// What a rebalance would trade now at the oracle price, if allowed.
    pub fn plan(&self) -> Option<(Trigger, Plan)> {
        let trigger = self.trigger()?;
        let limits = self.market.params.trade_limits(trigger == Trigger::Emergency);
        let aim = self.market.params.band().aim_bps(trigger, self.leverage_bps());
        Some((trigger, plan_rebalance(&self.position(), self.price, aim, &limits)?))
    }

    /// Seconds since the oracle published.
    pub fn oracle_age(&self) -> i64 {
        self.now - self.price_publish_time
    }
}

/// A human name for a trigger.
pub fn trigger_name(t: Option<Trigger>) -> &'static str {
    match t {
        Some(Trigger::Emergency) => "emergency: leverage at or above the emergency threshold",
        Some(Trigger::OutsideBand) => "leverage outside the band",
        Some(Trigger::Scheduled) => "scheduled recentre due",
        None => "not allowed: leverage inside the band and no recentre due",
    }
}

impl MarketKeys {
    /// Every address of market `market_id`, read from the chain (the venue is the allowlisted AMM's
    /// pool for the market's two mints).
    pub async fn load<C: Chain>(chain: &mut C, market_id: u64) -> Result<MarketKeys, ChainError> {
        let market_pda = Pubkey::find_program_address(&[leveraged_token::MARKET_SEED, &market_id.to_le_bytes()], &leveraged_token::ID).0;
        let market: Market = anchor_account(chain, &market_pda).await?;
        let lending = LendingPoolKeys::derive(market.quote_mint, market.quote_token_program);
        // The pair's one pool (`derive` puts the mints in the program's canonical order).
        let (a, ta, b, tb) = (market.collateral_mint, market.collateral_token_program, market.quote_mint, market.quote_token_program);
        let probe = AmmPool::derive(a, ta, b, tb, Pubkey::default());
        let acc = chain.account(&probe.pool).await?.ok_or_else(|| ChainError::Transport("no AMM pool for the market's mints".into()))?;
        let pool: amm::Pool =
            anchor_lang::AccountDeserialize::try_deserialize(&mut acc.data.as_slice()).map_err(|e| ChainError::Transport(format!("AMM pool: {e}")))?;
        let lp_owner = chain.account(&pool.lp_mint).await?.map(|a| a.owner).unwrap_or(crate::SPL_TOKEN_ID);
        let amm = AmmPool::derive(a, ta, b, tb, lp_owner);
        let keys = MarketKeys::derive(market_id, market.collateral_mint, market.collateral_token_program, lending, amm, market.oracle, market.treasury);
        Ok(keys)
    }
}
