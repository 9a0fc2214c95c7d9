//! Shared fixtures for the integration tests: a bank with USDC (SPL Token) and wrapped ETH
//! (Token-2022) mints, a funded lending pool and an AMM pool at a chosen price, users with token
//! accounts, and assertions on errors and unchanged state.

pub mod hostile;
pub mod hostile_venue;

use anchor_lang::prelude::Pubkey;
use lending_pool::PoolConfig;
use lev_math::{Price, WAD};
use levtoken_client::{
    amm::AmmPool,
    anchor_ix,
    bank::{Bank, TxFailure, TxOutcome},
    lending::LendingPoolKeys,
    ETH_DECIMALS, SPL_TOKEN_ID, TOKEN_2022_ID, USDC_DECIMALS,
};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub use levtoken_client;

/// One dollar in USDC base units.
pub const USD: u64 = 1_000_000;
/// One ETH in base units.
pub const ETH: u64 = 100_000_000;

/// The default interest model of the tests: 0% base, 4% at 80% utilisation, 79% at 100%; a
/// borrower is unsafe at 5x.
pub fn default_pool_config() -> PoolConfig {
    PoolConfig { base_rate_bps: 0, slope1_bps: 400, slope2_bps: 7_500, optimal_utilization_bps: 8_000, liquidation_leverage_bps: 50_000 }
}

/// Price of one ETH base unit in USDC base units (times WAD) for a dollar price.
pub fn price_from_usd(usd_per_eth: u64) -> Price {
    Price::from_oracle(usd_per_eth as i64 * 100_000_000, -8, ETH_DECIMALS, USDC_DECIMALS).expect("price")
}

/// A wallet with a USDC and an ETH token account.
pub struct User {
    pub kp: Keypair,
    pub usdc: Pubkey,
    pub eth: Pubkey,
}

impl User {
    pub fn key(&self) -> Pubkey {
        self.kp.pubkey()
    }
}

/// The markets every test starts from.
pub struct World {
    pub bank: Bank,
    pub usdc: Pubkey,
    pub eth: Pubkey,
    pub lending: LendingPoolKeys,
    pub amm: AmmPool,
    /// The LP who seeded the AMM and the lender who seeded the pool.
    pub lp: User,
    pub lp_token: Pubkey,
    pub lender: User,
    pub lender_shares: Pubkey,
    /// The arbitrageur that keeps the AMM at the oracle (created on first use).
    pub arb: Option<User>,
}

/// How to set up a world.
#[derive(Clone, Copy, Debug)]
pub struct WorldConfig {
    pub amm_fee_bps: u16,
    /// AMM USDC-side depth in dollars; ETH side at `eth_price_usd`.
    pub amm_depth_usd: u64,
    pub eth_price_usd: u64,
    /// Lent into the pool at start, dollars.
    pub lend_usd: u64,
    /// The lending pool's and the market's admin timelock. 0 in most tests (changes are still
    /// queued and executed, without waiting); the timelock tests use a day.
    pub timelock_secs: i64,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig { amm_fee_bps: 30, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }
    }
}

impl World {
    /// `from` sends `amount` USDC straight to the token account `to`, bypassing every program (a
    /// donation, as an inflation attacker would make).
    pub async fn donate_usdc(&mut self, from: &User, to: &Pubkey, amount: u64) {
        let ix = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
            &SPL_TOKEN_ID,
            &from.usdc,
            &self.usdc,
            to,
            &from.key(),
            &[],
            amount,
            USDC_DECIMALS,
        )
        .expect("transfer ix");
        self.bank.send(&[ix], &[&from.kp]).await.expect("USDC donation");
    }

    /// Like [`World::donate_usdc`] for wrapped ETH.
    pub async fn donate_eth(&mut self, from: &User, to: &Pubkey, amount: u64) {
        let ix = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
            &TOKEN_2022_ID,
            &from.eth,
            &self.eth,
            to,
            &from.key(),
            &[],
            amount,
            ETH_DECIMALS,
        )
        .expect("transfer ix");
        self.bank.send(&[ix], &[&from.kp]).await.expect("ETH donation");
    }

    pub async fn new(cfg: WorldConfig) -> World {
        Self::new_with(cfg, levtoken_client::bank::program_test()).await
    }

    /// Like [`World::new`] on a runtime with extra programs registered (a hostile venue).
    #[allow(deprecated)]
    pub async fn new_with(cfg: WorldConfig, pt: solana_program_test::ProgramTest) -> World {
        let mut bank = Bank::start_with(pt).await;
        let usdc = bank.create_mint(&SPL_TOKEN_ID, USDC_DECIMALS).await;
        let eth = bank.create_mint(&TOKEN_2022_ID, ETH_DECIMALS).await;
        let lending = LendingPoolKeys::derive(usdc, SPL_TOKEN_ID);
        let amm = AmmPool::derive(eth, TOKEN_2022_ID, usdc, SPL_TOKEN_ID, SPL_TOKEN_ID);
        let admin = bank.payer_key();
        bank.send(&[lending.init_pool(admin, default_pool_config(), cfg.timelock_secs), amm.initialize(admin, cfg.amm_fee_bps)], &[])
            .await
            .expect("init markets");

        let mut world = World {
            bank,
            usdc,
            eth,
            lending,
            amm,
            lp: User { kp: Keypair::new(), usdc: Pubkey::default(), eth: Pubkey::default() },
            lp_token: Pubkey::default(),
            lender: User { kp: Keypair::new(), usdc: Pubkey::default(), eth: Pubkey::default() },
            lender_shares: Pubkey::default(),
            arb: None,
        };
        let price = price_from_usd(cfg.eth_price_usd);
        let depth = cfg.amm_depth_usd * USD;
        let eth_side = price.base_for_quote(depth as u128, lev_math::Round::Down).unwrap() as u64;
        world.lp = world.user(depth, eth_side).await;
        world.lp_token = world.bank.create_token_account(&amm.lp_mint, &world.lp.key(), &SPL_TOKEN_ID).await;
        let (owner_a, owner_b) = amm.in_ab_order(&eth, world.lp.eth, world.lp.usdc);
        let (max_a, max_b) = amm.in_ab_order(&eth, eth_side, depth);
        let ix = amm.add_liquidity(world.lp.key(), owner_a, owner_b, world.lp_token, max_a, max_b, 1);
        world.bank.send(&[ix], &[&world.lp.kp]).await.expect("seed AMM");

        if cfg.lend_usd > 0 {
            world.lender = world.user(cfg.lend_usd * USD, 0).await;
            world.lender_shares = world.bank.create_token_account(&lending.share_mint, &world.lender.key(), &SPL_TOKEN_ID).await;
            let ix = lending.deposit(world.lender.key(), world.lender.usdc, world.lender_shares, cfg.lend_usd * USD, 1);
            world.bank.send(&[ix], &[&world.lender.kp]).await.expect("seed lending pool");
        }
        world
    }

    /// A new funded wallet with `usdc` and `eth` base units.
    pub async fn user(&mut self, usdc: u64, eth: u64) -> User {
        let kp = self.bank.funded_keypair(1_000_000_000).await;
        let usdc_acct = self.bank.create_token_account(&self.usdc, &kp.pubkey(), &SPL_TOKEN_ID).await;
        let eth_acct = self.bank.create_token_account(&self.eth, &kp.pubkey(), &TOKEN_2022_ID).await;
        if usdc > 0 {
            self.bank.mint_to(&self.usdc, &usdc_acct, usdc, &SPL_TOKEN_ID).await;
        }
        if eth > 0 {
            self.bank.mint_to(&self.eth, &eth_acct, eth, &TOKEN_2022_ID).await;
        }
        User { kp, usdc: usdc_acct, eth: eth_acct }
    }

    /// AMM reserves as (eth, usdc).
    pub async fn amm_reserves(&mut self) -> (u64, u64) {
        let pool: amm::Pool = self.bank.anchor_account(&self.amm.pool).await;
        levtoken_client::amm::reserves_of(&pool, &self.eth)
    }

    /// The AMM's marginal price.
    pub async fn amm_price(&mut self) -> Price {
        let (e, u) = self.amm_reserves().await;
        Price { wad: u as u128 * WAD / e as u128 }
    }

    /// Trade the AMM to `price` with a deep-pocketed arbitrageur (as arbitrage would). The same
    /// arbitrageur wallet is reused; it is topped up with freshly minted tokens as needed.
    pub async fn arbitrage_amm_to(&mut self, price: Price) {
        let (re, ru) = self.amm_reserves().await;
        let pool: amm::Pool = self.bank.anchor_account(&self.amm.pool).await;
        let Some((eth_in, amount)) = lev_math::arbitrage_to_price(re, ru, price.wad, pool.fee_bps as u64) else { return };
        if self.arb.is_none() {
            self.arb = Some(self.user(0, 0).await);
        }
        let arb = self.arb.as_ref().expect("arbitrageur");
        let (arb_kp, arb_usdc, arb_eth) = (arb.kp.insecure_clone(), arb.usdc, arb.eth);
        let ix = if eth_in {
            if self.bank.token_balance(&arb_eth).await < amount {
                self.bank.mint_to(&self.eth, &arb_eth, amount, &TOKEN_2022_ID).await;
            }
            self.amm.swap(arb_kp.pubkey(), arb_eth, arb_usdc, self.amm.is_a(&self.eth), amount, 0)
        } else {
            if self.bank.token_balance(&arb_usdc).await < amount {
                self.bank.mint_to(&self.usdc, &arb_usdc, amount, &SPL_TOKEN_ID).await;
            }
            self.amm.swap(arb_kp.pubkey(), arb_usdc, arb_eth, self.amm.is_a(&self.usdc), amount, 0)
        };
        // A trade the curve rounds to nothing is refused and changes nothing.
        let _ = self.bank.send(&[ix], &[&arb_kp]).await;
    }
}

/// Assert that `res` failed with the custom error `code` (an Anchor error enum value).
#[track_caller]
pub fn assert_error(res: Result<TxOutcome, TxFailure>, code: impl Into<u32>) {
    let code = code.into();
    match res {
        Ok(_) => panic!("expected error {code}, but the transaction succeeded"),
        Err(f) => assert_eq!(f.custom_code(), Some(code), "expected error {code}, got {:?}\n{}", f.error, f.logs.join("\n")),
    }
}

/// Assert that `res` failed (any error); returns the failure for further checks.
#[track_caller]
pub fn assert_failed(res: Result<TxOutcome, TxFailure>) -> TxFailure {
    match res {
        Ok(o) => panic!("expected failure, but the transaction succeeded:\n{}", o.logs.join("\n")),
        Err(f) => f,
    }
}

/// Assert two snapshots of the same keys are identical.
#[track_caller]
pub fn assert_unchanged(keys: &[Pubkey], before: &[Option<Account>], after: &[Option<Account>]) {
    for ((k, b), a) in keys.iter().zip(before).zip(after) {
        assert_eq!(b, a, "account {k} changed");
    }
}

/// `ERROR_CODE_OFFSET + n` for Anchor's framework errors (constraint failures and the like).
pub fn anchor_code(e: anchor_lang::error::ErrorCode) -> u32 {
    e.into()
}

// ---------------------------------------------------------------------------------------------
// The leveraged-token market on top of the world.

use leveraged_token::{InitMarketArgs, MarketParams, NavView};
use levtoken_client::{
    market::MarketKeys,
    oracle::{PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO},
};

/// The credit line the test markets ask for: $100M, well inside `lending_pool::MAX_CREDIT_LIMIT`.
pub const MARKET_CREDIT_LIMIT: u64 = 100_000_000 * USD;

/// Parameters for tests that replay the seed's numbers: no protocol fees, a 5 bps venue.
pub fn seed_params() -> MarketParams {
    MarketParams { mint_fee_bps: 0, redeem_fee_bps: 0, streaming_fee_bps_per_year: 0, expected_swap_cost_bps: 5, ..MarketParams::default_3x() }
}

/// A wallet that can hold the leveraged token.
pub struct Holder {
    pub user: User,
    pub lev: Pubkey,
}

/// Holder `h`'s mint of `usdc` (no minimum) with `f` applied to its accounts: how the attack tests
/// build one substituted account at a time.
pub fn mint_ix(keys: &MarketKeys, h: &Holder, usdc: u64, f: impl FnOnce(&mut leveraged_token::accounts::MintLev)) -> Instruction {
    let mut a = keys.mint_accounts(h.user.key(), h.user.usdc, h.lev);
    f(&mut a);
    anchor_ix(leveraged_token::ID, a, leveraged_token::instruction::Mint { usdc_in: usdc, min_tokens_out: 0 })
}

/// Like [`mint_ix`] for a redemption of `tokens`.
pub fn redeem_ix(keys: &MarketKeys, h: &Holder, tokens: u64, f: impl FnOnce(&mut leveraged_token::accounts::Redeem)) -> Instruction {
    let mut a = keys.redeem_accounts(h.user.key(), h.user.usdc, h.lev);
    f(&mut a);
    anchor_ix(leveraged_token::ID, a, leveraged_token::instruction::Redeem { tokens_in: tokens, min_usdc_out: 0 })
}

/// Like [`mint_ix`] for `keeper`'s rebalance.
pub fn rebalance_ix(keys: &MarketKeys, keeper: &User, f: impl FnOnce(&mut leveraged_token::accounts::Rebalance)) -> Instruction {
    let mut a = keys.rebalance_accounts(keeper.key(), keeper.usdc);
    f(&mut a);
    anchor_ix(leveraged_token::ID, a, leveraged_token::instruction::Rebalance {})
}

/// A world plus one market.
pub struct MarketWorld {
    pub w: World,
    pub keys: MarketKeys,
    /// May claim the fees.
    pub treasury: Keypair,
    pub guardian: Keypair,
    pub keeper: User,
    /// The oracle's current observation (re-published with a fresh timestamp on demand).
    pub obs: PriceObservation,
}

impl MarketWorld {
    pub async fn new(cfg: WorldConfig, params: MarketParams) -> MarketWorld {
        Self::new_on(World::new(cfg).await, cfg, params, [Pubkey::default(); 2]).await
    }

    /// A market on `w`, with `extra_venue` (program, pool) allowlisted beside the AMM when it is
    /// not the default key.
    pub async fn new_on(mut w: World, cfg: WorldConfig, params: MarketParams, extra_venue: [Pubkey; 2]) -> MarketWorld {
        let treasury = Keypair::new();
        let guardian = Keypair::new();
        let oracle = Pubkey::new_unique();
        let now = w.bank.now().await;
        let obs = PriceObservation {
            feed_id: ETH_USD_FEED_ID,
            price: cfg.eth_price_usd as i64 * 100_000_000,
            conf: cfg.eth_price_usd * 100_000, // 0.1%
            expo: PYTH_EXPO,
            publish_time: now,
        };
        w.bank.set_price(&oracle, &obs);
        let keys = MarketKeys::derive(1, w.eth, TOKEN_2022_ID, w.lending, w.amm, oracle, treasury.pubkey());
        let admin = w.bank.payer_key();
        let args = InitMarketArgs {
            params,
            feed_id: ETH_USD_FEED_ID,
            swap_programs: vec![amm::ID, extra_venue[0]],
            swap_pools: vec![w.amm.pool, extra_venue[1]],
            guardian: guardian.pubkey(),
            treasury: treasury.pubkey(),
            timelock_secs: cfg.timelock_secs,
            credit_limit: MARKET_CREDIT_LIMIT,
            name: "ETH 3x Long".into(),
            symbol: "ETHBULL3X".into(),
            uri: "https://example.invalid/ethbull3x.json".into(),
        };
        w.bank.send(&[keys.init_market(admin, admin, args)], &[]).await.expect("init market");
        let keeper = w.user(0, 0).await;
        MarketWorld { w, keys, treasury, guardian, keeper, obs }
    }

    /// Re-publish the current oracle price with `publish_time = now`.
    pub async fn refresh_oracle(&mut self) {
        self.obs.publish_time = self.w.bank.now().await;
        let obs = self.obs;
        self.w.bank.set_price(&self.keys.oracle, &obs);
    }

    /// Publish a new oracle price (whole dollars) without touching the AMM.
    pub async fn set_oracle_usd(&mut self, usd: u64) {
        self.obs.price = usd as i64 * 100_000_000;
        self.obs.conf = usd * 100_000;
        self.refresh_oracle().await;
    }

    /// Move the market: the oracle to `usd` and the AMM arbitraged to it.
    pub async fn set_price_usd(&mut self, usd: u64) {
        self.set_oracle_usd(usd).await;
        self.w.arbitrage_amm_to(price_from_usd(usd)).await;
    }

    /// Move the market to a Pyth mantissa (expo −8): oracle and AMM.
    pub async fn set_price_mantissa(&mut self, mantissa: i64) {
        self.obs.price = mantissa;
        self.obs.conf = mantissa as u64 / 1_000;
        self.refresh_oracle().await;
        let p = self.oracle_price();
        self.w.arbitrage_amm_to(p).await;
    }

    pub fn oracle_price(&self) -> Price {
        Price::from_oracle(self.obs.price, self.obs.expo, ETH_DECIMALS, USDC_DECIMALS).unwrap()
    }

    /// Wait `secs` and re-publish the oracle.
    pub async fn warp(&mut self, secs: i64) {
        self.w.bank.warp_seconds(secs).await;
        self.refresh_oracle().await;
    }

    /// A wallet with `usdc` base units and a leveraged-token account.
    pub async fn holder(&mut self, usdc: u64) -> Holder {
        let user = self.w.user(usdc, 0).await;
        let lev = self.w.bank.create_token_account(&self.keys.lev_mint, &user.key(), &TOKEN_2022_ID).await;
        Holder { user, lev }
    }

    pub async fn mint(&mut self, h: &Holder, usdc: u64, min_tokens: u64) -> Result<TxOutcome, TxFailure> {
        let ix = self.keys.mint(h.user.key(), h.user.usdc, h.lev, usdc, min_tokens);
        self.w.bank.send(&[ix], &[&h.user.kp]).await
    }

    pub async fn redeem(&mut self, h: &Holder, tokens: u64, min_usdc: u64) -> Result<TxOutcome, TxFailure> {
        let ix = self.keys.redeem(h.user.key(), h.user.usdc, h.lev, tokens, min_usdc);
        self.w.bank.send(&[ix], &[&h.user.kp]).await
    }

    pub async fn rebalance(&mut self) -> Result<TxOutcome, TxFailure> {
        let ix = self.keys.rebalance(self.keeper.key(), self.keeper.usdc);
        let kp = self.keeper.kp.insecure_clone();
        self.w.bank.send(&[ix], &[&kp]).await
    }

    /// The program's own `nav` view.
    pub async fn nav(&mut self) -> NavView {
        let out = self.w.bank.send(&[self.keys.nav()], &[]).await.expect("nav view");
        let data = out.return_data.expect("nav returns data");
        <NavView as anchor_lang::AnchorDeserialize>::deserialize(&mut data.as_slice()).expect("decode NavView")
    }

    /// Every account a market instruction could move (market, mint, vaults, transit accounts, the
    /// lending pool and credit line, the AMM, the keeper's USDC), plus `extra`.
    pub fn guarded_accounts(&self, extra: &[Pubkey]) -> Vec<Pubkey> {
        let k = &self.keys;
        let mut v = vec![
            k.market,
            k.lev_mint,
            k.collateral_vault,
            k.quote_vault,
            k.transit_collateral,
            k.transit_quote,
            k.lending.pool,
            k.lending.liquidity_vault,
            k.lending_borrower(),
            k.amm.pool,
            k.amm.vault_a,
            k.amm.vault_b,
            self.keeper.usdc,
        ];
        v.extend_from_slice(extra);
        v
    }

    /// Queue `change` as the admin, wait out the timelock and execute it: how an admin change
    /// lands. Returns the execution's outcome (the queue must succeed).
    pub async fn admin_change(&mut self, change: leveraged_token::AdminChange) -> Result<TxOutcome, TxFailure> {
        let admin = self.w.bank.payer_key();
        self.w.bank.send(&[self.keys.queue_change(admin, change)], &[]).await?;
        let timelock = self.market().await.timelock_secs;
        if timelock > 0 {
            self.warp(timelock).await;
        }
        self.w.bank.send(&[self.keys.execute_change(admin)], &[]).await
    }

    /// The treasury claims every accrued fee into fresh accounts; returns (USDC, tokens) received.
    pub async fn claim_fees(&mut self) -> (u64, u64) {
        let t = self.treasury.insecure_clone();
        let usdc = self.w.bank.create_token_account(&self.w.usdc, &t.pubkey(), &SPL_TOKEN_ID).await;
        let lev = self.w.bank.create_token_account(&self.keys.lev_mint, &t.pubkey(), &TOKEN_2022_ID).await;
        self.w.bank.send(&[self.keys.claim_fees(t.pubkey(), usdc, lev)], &[&t]).await.expect("claim fees");
        (self.w.bank.token_balance(&usdc).await, self.w.bank.token_balance(&lev).await)
    }

    pub async fn market(&mut self) -> leveraged_token::Market {
        self.w.bank.anchor_account(&self.keys.market).await
    }

    pub async fn lev_balance(&mut self, h: &Holder) -> u64 {
        self.w.bank.token_balance(&h.lev).await
    }
}

/// `x` base units of USDC as dollars, for messages.
pub fn usd(x: u64) -> f64 {
    x as f64 / USD as f64
}

/// Leverage in bps as a multiple, for messages.
pub fn lev_x(bps: u64) -> f64 {
    bps as f64 / 10_000.0
}
