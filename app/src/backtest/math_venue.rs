//! The market's handlers replayed on the economics crate alone: the same account structs the
//! programs keep, mutated with the same `lev-math` calls in the same order. `--engine math` and the
//! peer strategies run here; a test checks it agrees with the real programs.

use anyhow::{anyhow, Result};
use lending_pool::{Borrower, LendingPool, PoolConfig};
use lev_math::{
    arbitrage_to_price, depth_capped, fee_up, min_out_base_for_quote, min_out_quote_for_base, mint_borrow_amount, moved_toward_target, nav_added_down,
    plan_rebalance, rebalance_trigger, redeem_share, scaled_for_borrow_up, scaled_for_repay_down, streaming_fee_tokens_down, swap_out_down,
    tokens_for_nav_down, venue_acceptable, venue_offset_bps, Plan, Price, Round, Trigger,
};
use leveraged_token::{Market, MarketParams};
use levtoken_client::{state::MarketState, ETH_DECIMALS, USDC_DECIMALS};

use super::venue::{Fill, Venue};

/// What a peer's rebalance piece did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PeerStep {
    Filled(Fill),
    /// Nothing left to trade toward the target (reached, or below the smallest trade).
    Done,
    /// The program would refuse this piece now (e.g. the venue is off the oracle): try again later.
    Refused,
}

/// Why a handler refused (the program would return an error and change nothing).
#[derive(Debug)]
pub struct Refused(pub &'static str);

type R<T> = std::result::Result<T, Refused>;

fn need(cond: bool, why: &'static str) -> R<()> {
    if cond {
        Ok(())
    } else {
        Err(Refused(why))
    }
}

fn some<T>(x: Option<T>, why: &'static str) -> R<T> {
    x.ok_or(Refused(why))
}

/// The whole simulated world: market, lending pool, the market's credit line, the AMM.
#[derive(Clone, Debug)]
pub struct MathVenue {
    pub market: Market,
    pub pool: LendingPool,
    pub borrower: Borrower,
    pub supply: u64,
    /// AMM reserves (ETH, USDC) and fee.
    pub amm_eth: u64,
    pub amm_usdc: u64,
    pub amm_fee_bps: u64,
    pub now: i64,
    pub price_mantissa: i64,
    pub treasury_usdc: u64,
    pub treasury_tokens: u64,
    /// Tokens held by the simulated users (what they can redeem).
    pub user_tokens: u64,
    /// The vault trades at the oracle less this many bps instead of on the pool's curve.
    pub flat_bps: Option<u64>,
}

impl MathVenue {
    /// A market like `deploy_localnet` creates: AMM seeded with `amm_depth` USDC at the start price,
    /// `lend` USDC in the pool, everything initialised at `now`.
    pub fn new(params: MarketParams, pool_config: PoolConfig, amm_fee_bps: u16, amm_depth: u64, lend: u64, now: i64, mantissa: i64) -> Result<Self> {
        let price = Price::from_oracle(mantissa, -8, ETH_DECIMALS, USDC_DECIMALS).ok_or_else(|| anyhow!("bad price"))?;
        let amm_eth = price.base_for_quote(amm_depth as u128, Round::Down).unwrap_or(0) as u64;
        let mut pool = LendingPool {
            admin: Default::default(),
            mint: Default::default(),
            liquidity_vault: Default::default(),
            share_mint: Default::default(),
            config: pool_config,
            borrower_program: leveraged_token::ID,
            timelock_secs: 0,
            queued_config: None,
            cash: lend,
            total_shares: lend,
            total_scaled_debt: 0,
            borrow_index: 0,
            last_accrual_ts: now,
            bump: 0,
        };
        pool.initialize_index(now);
        let market = Market {
            market_id: 1,
            admin: Default::default(),
            pending_admin: Default::default(),
            guardian: Default::default(),
            collateral_mint: Default::default(),
            quote_mint: Default::default(),
            lev_mint: Default::default(),
            collateral_vault: Default::default(),
            quote_vault: Default::default(),
            collateral_decimals: ETH_DECIMALS,
            quote_decimals: USDC_DECIMALS,
            collateral_token_program: Default::default(),
            quote_token_program: Default::default(),
            treasury: Default::default(),
            transit_authority: Default::default(),
            transit_collateral: Default::default(),
            transit_quote: Default::default(),
            lending_pool: Default::default(),
            lending_borrower: Default::default(),
            oracle: Default::default(),
            feed_id: [0; 32],
            swap_programs: Default::default(),
            swap_pools: Default::default(),
            params,
            collateral: 0,
            fees_quote: 0,
            fees_lev: 0,
            settling: false,
            settled: false,
            residual_quote: 0,
            timelock_secs: 0,
            queued: None,
            last_rebalance_ts: now,
            last_fee_accrual_ts: now,
            mint_paused: false,
            bump: 0,
            lev_mint_bump: 0,
            transit_authority_bump: 0,
        };
        let borrower = Borrower {
            pool: Default::default(),
            authority: Default::default(),
            credit_limit: u64::MAX,
            pending_limit: 0,
            limit_eta: 0,
            scaled_debt: 0,
            bump: 0,
        };
        Ok(MathVenue {
            market,
            pool,
            borrower,
            supply: 0,
            amm_eth,
            amm_usdc: amm_depth,
            amm_fee_bps: amm_fee_bps as u64,
            now,
            price_mantissa: mantissa,
            treasury_usdc: 0,
            treasury_tokens: 0,
            user_tokens: 0,
            flat_bps: None,
        })
    }

    pub fn price(&self) -> Price {
        Price::from_oracle(self.price_mantissa, -8, ETH_DECIMALS, USDC_DECIMALS).expect("positive price")
    }

    pub fn market_state(&self) -> MarketState {
        MarketState {
            market: self.market.clone(),
            pool: self.pool.clone(),
            borrower: self.borrower.clone(),
            supply: self.supply,
            price: self.price(),
            price_publish_time: self.now,
            price_conf_bps: 0,
            now: self.now,
        }
    }

    // --- the lending pool's handlers -------------------------------------------------------

    fn accrue(&mut self) -> R<()> {
        self.pool.accrue(self.now).map_err(|_| Refused("clock"))?;
        let elapsed = self.now - self.market.last_fee_accrual_ts;
        need(elapsed >= 0, "clock")?;
        if elapsed == 0 {
            return Ok(());
        }
        let fee = some(streaming_fee_tokens_down(self.supply, self.market.params.streaming_fee_bps_per_year, elapsed as u64), "math")?;
        self.supply += fee;
        self.treasury_tokens += fee;
        self.market.last_fee_accrual_ts = self.now;
        Ok(())
    }

    fn debt(&self) -> R<u64> {
        self.borrower.debt(self.pool.borrow_index).map_err(|_| Refused("math"))
    }

    fn borrow(&mut self, amount: u64) -> R<()> {
        if amount == 0 {
            return Ok(());
        }
        let index = self.pool.borrow_index;
        need(amount <= self.pool.cash, "InsufficientLiquidity")?;
        let added = some(scaled_for_borrow_up(amount, index), "math")?;
        self.borrower.scaled_debt += added;
        need(self.debt()? <= self.borrower.credit_limit, "CreditLimitExceeded")?;
        self.pool.cash -= amount;
        self.pool.total_scaled_debt += added;
        Ok(())
    }

    fn repay(&mut self, amount: u64) -> R<()> {
        if amount == 0 {
            return Ok(());
        }
        let index = self.pool.borrow_index;
        let owed = self.debt()?;
        need(owed > 0, "NothingToRepay")?;
        let pay = amount.min(owed);
        let removed = if pay == owed { self.borrower.scaled_debt } else { some(scaled_for_repay_down(pay, index), "math")?.min(self.borrower.scaled_debt) };
        self.borrower.scaled_debt -= removed;
        self.pool.cash += pay;
        self.pool.total_scaled_debt -= removed;
        Ok(())
    }

    // --- the AMM's swap ----------------------------------------------------------------------

    /// The vault's exact-in swap on the venue model: the pool's curve, or with `flat_bps` set, any
    /// size at the oracle price less that many bps (the pool's reserves untouched).
    fn swap(&mut self, buy: bool, amount_in: u64, min_out: u64) -> R<u64> {
        let Some(bps) = self.flat_bps else { return self.curve_swap(buy, amount_in, min_out) };
        need(amount_in > 0, "ZeroAmount")?;
        let price = self.price();
        let keep = |x: u128| x * (lev_math::BPS - bps) as u128 / lev_math::BPS as u128;
        let out = if buy { price.base_for_quote(keep(amount_in as u128), Round::Down) } else { price.value(amount_in, Round::Down).map(keep) };
        let out = some(out.and_then(|o| u64::try_from(o).ok()), "math")?;
        need(out > 0 && out >= min_out, "SlippageExceeded")?;
        Ok(out)
    }

    /// Exact-in swap on the constant-product pool; `buy` = USDC in, ETH out.
    fn curve_swap(&mut self, buy: bool, amount_in: u64, min_out: u64) -> R<u64> {
        need(amount_in > 0, "ZeroAmount")?;
        let (r_in, r_out) = if buy { (self.amm_usdc, self.amm_eth) } else { (self.amm_eth, self.amm_usdc) };
        let out = some(swap_out_down(amount_in, r_in, r_out, self.amm_fee_bps), "math")?;
        need(out > 0 && out >= min_out, "SlippageExceeded")?;
        need(out < r_out, "EmptyPool")?;
        if buy {
            self.amm_usdc += amount_in;
            self.amm_eth -= out;
        } else {
            self.amm_eth += amount_in;
            self.amm_usdc -= out;
        }
        Ok(out)
    }

    // --- the market's handlers ---------------------------------------------------------------

    /// The program's check before a mint's (`side` None) or a rebalance's swap.
    fn require_venue_near_oracle(&self, price: Price, max_bps: u64, side: Option<bool>) -> R<()> {
        let offset = some(venue_offset_bps(price, self.amm_eth, self.amm_usdc), "VenuePriceOffOracle")?;
        need(venue_acceptable(offset, max_bps, side), "VenuePriceOffOracle")
    }

    fn do_mint(&mut self, usdc_in: u64) -> R<u64> {
        need(usdc_in > 0, "ZeroAmount")?;
        need(!self.market.mint_paused, "MintPaused")?;
        self.accrue()?;
        let price = self.price();
        let pos = self.market.position(self.debt()?);
        let params = self.market.params;
        need(params.emergency_within_pool(self.pool.config.liquidation_leverage_bps), "PoolRiskChanged")?;
        let supply = self.supply;
        let empty = pos.collateral == 0 && pos.debt == 0;
        let nav_before = if empty { 0 } else { some(pos.nav(price, Round::Up), "VaultInsolvent")? };
        if let Some(lev) = pos.leverage_bps(price, Round::Up) {
            need(lev < params.emergency_leverage_bps, "MintBlockedInEmergency")?;
        }
        let fee = some(fee_up(usdc_in, params.mint_fee_bps), "math")?;
        let net = usdc_in - fee;
        need(net > 0, "DepositTooSmall")?;
        self.require_venue_near_oracle(price, params.max_venue_deviation_bps, None)?;
        let borrowed = some(mint_borrow_amount(&pos, price, net, params.target_leverage_bps), "math")?;
        self.borrow(borrowed)?;
        let swap_in = net + borrowed;
        let min_out = some(min_out_base_for_quote(price, swap_in, params.max_slippage_bps), "math")?;
        let bought = self.swap(true, swap_in, min_out)?;
        let nav_added = some(nav_added_down(price, bought, borrowed), "DepositTooSmall")?;
        let tokens = some(tokens_for_nav_down(nav_added, nav_before, supply), "math")?;
        need(tokens > 0, "DepositTooSmall")?;
        need(supply.checked_add(tokens).is_some_and(|s| s <= params.supply_cap), "SupplyCapExceeded")?;
        self.supply += tokens;
        self.user_tokens += tokens;
        self.market.collateral += bought;
        self.treasury_usdc += fee;
        Ok(tokens)
    }

    fn do_redeem(&mut self, tokens: u64) -> R<u64> {
        need(tokens > 0, "ZeroAmount")?;
        self.accrue()?;
        let price = self.price();
        let pos = self.market.position(self.debt()?);
        some(pos.nav(price, Round::Down), "VaultInsolvent")?;
        let params = self.market.params;
        let share = some(redeem_share(&pos, tokens, self.supply), "RedeemTooSmall")?;
        need(share.collateral_out > 0, "RedeemTooSmall")?;
        need(tokens <= self.user_tokens, "InsufficientFunds")?;
        self.supply -= tokens;
        self.user_tokens -= tokens;
        let min_out = some(min_out_quote_for_base(price, share.collateral_out, params.max_slippage_bps), "math")?;
        let proceeds = self.swap(false, share.collateral_out, min_out)?;
        self.market.collateral -= share.collateral_out;
        need(proceeds >= share.debt_repaid, "RedeemTooSmall")?;
        self.repay(share.debt_repaid)?;
        let payout = proceeds - share.debt_repaid;
        let fee = some(fee_up(payout, params.redeem_fee_bps), "math")?;
        self.treasury_usdc += fee;
        Ok(payout - fee)
    }

    /// Execute `plan` like the program's `rebalance` body does; returns the holders' cost.
    fn execute(&mut self, plan: Plan, price: Price) -> R<Fill> {
        match plan {
            Plan::Relever { borrow, swap_in, min_out, reward } => {
                self.borrow(borrow)?;
                let bought = self.swap(true, swap_in, min_out)?;
                self.market.collateral += bought;
                let got = price.value(bought, Round::Down).unwrap_or(0) as u64;
                Ok(Fill { cost: swap_in as i64 - got as i64 + reward as i64, reward })
            }
            Plan::Delever { swap_in, min_out, reward } => {
                let proceeds = self.swap(false, swap_in, min_out)?;
                self.market.collateral -= swap_in;
                let reward = reward.min(proceeds);
                let repay = proceeds - reward;
                need(repay <= self.debt()?, "RebalanceOvershoot")?;
                self.repay(repay)?;
                let sold = price.value(swap_in, Round::Down).unwrap_or(0) as u64;
                Ok(Fill { cost: sold as i64 - proceeds as i64 + reward as i64, reward })
            }
        }
    }

    fn do_rebalance(&mut self) -> R<Fill> {
        self.accrue()?;
        let price = self.price();
        let pos = self.market.position(self.debt()?);
        let params = self.market.params;
        let lev_before = pos.leverage_bps(price, Round::Up);
        let band = params.band();
        let trigger = some(rebalance_trigger(&band, lev_before, self.now, self.market.last_rebalance_ts), "RebalanceNotNeeded")?;
        let aim = band.aim_bps(trigger, lev_before);
        let emergency = trigger == Trigger::Emergency;
        let limits = some(depth_capped(params.trade_limits(emergency), self.amm_usdc, params.venue_deviation_bps(emergency)), "math")?;
        let plan = some(plan_rebalance(&pos, price, aim, &limits), "NothingToTrade")?;
        self.require_venue_near_oracle(price, params.venue_deviation_bps(emergency), Some(matches!(plan, Plan::Relever { .. })))?;
        let fill = self.execute(plan, price)?;
        let after = self.market.position(self.debt()?);
        need(
            moved_toward_target(lev_before, after.leverage_bps(price, Round::Up), params.target_leverage_bps, params.overshoot_tolerance_bps),
            "RebalanceOvershoot",
        )?;
        self.market.last_rebalance_ts = self.now;
        Ok(fill)
    }

    /// A peer rule's rebalance toward `target_bps` through the same executor as ours: the
    /// program's trade limits (emergency limits at or above its emergency threshold), sized to
    /// the venue's depth, refused while the venue is off the oracle, and the same keeper reward —
    /// only the trigger and the target are the peer's. `None` when there is nothing to trade or
    /// the program would refuse the trade.
    pub fn rebalance_to(&mut self, target_bps: u64) -> PeerStep {
        let mut nothing = false;
        let fill = self.atomically(|v| {
            v.accrue()?;
            let price = v.price();
            let pos = v.market.position(v.debt()?);
            let params = v.market.params;
            let emergency = pos.leverage_bps(price, Round::Up).is_none_or(|l| l >= params.emergency_leverage_bps);
            let limits = some(depth_capped(params.trade_limits(emergency), v.amm_usdc, params.venue_deviation_bps(emergency)), "math")?;
            let Some(plan) = plan_rebalance(&pos, price, target_bps, &limits) else {
                nothing = true;
                return Err(Refused("NothingToTrade"));
            };
            v.require_venue_near_oracle(price, params.venue_deviation_bps(emergency), Some(matches!(plan, Plan::Relever { .. })))?;
            let fill = v.execute(plan, price)?;
            v.market.last_rebalance_ts = v.now;
            Ok(fill)
        });
        match fill {
            Some(f) => PeerStep::Filled(f),
            None if nothing => PeerStep::Done,
            None => PeerStep::Refused,
        }
    }
    /// Run a handler on a copy and keep the result only if it succeeded (a failed transaction
    /// changes nothing).
    fn atomically<T>(&mut self, f: impl FnOnce(&mut MathVenue) -> R<T>) -> Option<T> {
        let mut next = self.clone();
        match f(&mut next) {
            Ok(v) => {
                *self = next;
                Some(v)
            }
            Err(Refused(why)) => {
                if std::env::var_os("LEVTOKEN_DEBUG_REFUSALS").is_some() {
                    eprintln!("refused: {why}");
                }
                None
            }
        }
    }
}

impl Venue for MathVenue {
    async fn set_price(&mut self, ts: i64, mantissa: i64) -> Result<()> {
        self.now = ts;
        self.price_mantissa = mantissa;
        Ok(())
    }

    async fn arbitrage(&mut self, fraction: f64) -> Result<()> {
        let target = super::venue::arbitrage_target_wad(self.amm_eth, self.amm_usdc, self.price().wad, fraction);
        if let Some((eth_in, amount)) = arbitrage_to_price(self.amm_eth, self.amm_usdc, target, self.amm_fee_bps) {
            // The arbitrageur takes whatever the curve gives.
            let _ = self.atomically(|v| v.curve_swap(!eth_in, amount, 0));
        }
        Ok(())
    }

    async fn state(&mut self) -> Result<MarketState> {
        Ok(self.market_state())
    }

    async fn rebalance(&mut self) -> Result<Option<Fill>> {
        Ok(self.atomically(|v| v.do_rebalance()))
    }

    async fn mint(&mut self, usdc: u64) -> Result<bool> {
        Ok(self.atomically(|v| v.do_mint(usdc)).is_some())
    }

    async fn redeem(&mut self, tokens: u64) -> Result<bool> {
        Ok(self.atomically(|v| v.do_redeem(tokens)).is_some())
    }

    async fn user_tokens(&mut self) -> Result<u64> {
        Ok(self.user_tokens)
    }

    async fn treasury(&mut self) -> Result<(u64, u64)> {
        Ok((self.treasury_usdc, self.treasury_tokens))
    }

    async fn relaunch(&mut self, initial_usdc: u64) -> Result<()> {
        // A new market with a new credit line; the old line's unpaid debt stays on the pool's books
        // (as it would on chain).
        self.borrower.scaled_debt = 0;
        self.market.collateral = 0;
        self.supply = 0;
        // The old product's tokens are worthless.
        self.user_tokens = 0;
        self.treasury_tokens = 0;
        self.market.last_rebalance_ts = self.now;
        self.market.last_fee_accrual_ts = self.now;
        if !self.mint(initial_usdc).await? {
            return Err(anyhow!("relaunch mint refused"));
        }
        Ok(())
    }
}
