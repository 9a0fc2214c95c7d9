//! The leveraged-token market beyond the seed example: many holders, fees, interest, pause, caps,
//! oracle checks, the rebalance rules and the emergency path.

use amm::AmmError;
use lev_math::{streaming_fee_tokens_down, SECONDS_PER_YEAR};
use leveraged_token::{AdminChange, FeesAccrued, LevError, MarketParams, Rebalanced, Redeemed};
use levtoken_client::events::parse_events;
use levtoken_tests::*;
use solana_signer::Signer;

fn world() -> WorldConfig {
    WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }
}

/// NAV per token as an exact fraction (nav, supply), from the program's view.
async fn nav_per_token(m: &mut MarketWorld) -> u64 {
    m.nav().await.nav_per_token
}

#[tokio::test]
async fn holders_are_never_diluted_by_other_mints_and_redeems() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(1_000 * USD).await;
    let bob = m.holder(20_000 * USD).await;
    let carol = m.holder(7 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let mut last = nav_per_token(&mut m).await;
    // Bob mints a lot (his swap moves the pool), Carol a little, then both redeem in parts.
    let steps: Vec<(&Holder, bool, u64)> = vec![(&bob, true, 20_000 * USD), (&carol, true, 7 * USD)];
    for (h, is_mint, amount) in steps {
        if is_mint {
            m.mint(h, amount, 0).await.unwrap();
        }
        // Arbitrageurs bring the pool back to the oracle after a large trade.
        m.w.arbitrage_amm_to(price_from_usd(3_000)).await;
        let now = nav_per_token(&mut m).await;
        assert!(now + 1 >= last, "NAV/token fell from {last} to {now}");
        last = now;
    }
    for h in [&bob, &carol, &bob] {
        let bal = m.lev_balance(h).await;
        m.redeem(h, bal / 2 + 1, 0).await.unwrap();
        m.w.arbitrage_amm_to(price_from_usd(3_000)).await;
        let now = nav_per_token(&mut m).await;
        assert!(now + 1 >= last, "NAV/token fell from {last} to {now}");
        last = now;
    }
    // Alice redeems everything she holds and gets her NAV less the swap cost she bears.
    let tokens = m.lev_balance(&alice).await;
    let v = m.nav().await;
    let her_nav = (v.nav as u128 * tokens as u128 / v.supply as u128) as u64;
    let out = m.redeem(&alice, tokens, 0).await.unwrap();
    let ev: Vec<Redeemed> = parse_events(&out.logs);
    let got = m.w.bank.token_balance(&alice.user.usdc).await;
    assert_eq!(ev[0].usdc_out, got);
    // She sells 3× her NAV of ETH ($3k) through a $10M, 5 bps pool: 3 × (0.05% fee + 0.03% impact)
    // ≈ 0.24% of her NAV; allow 0.3%.
    assert!(got <= her_nav && got + her_nav * 3 / 1_000 >= her_nav, "got ${} for NAV ${}", usd(got), usd(her_nav));
}

#[tokio::test]
async fn fees_go_to_the_treasury() {
    let params = MarketParams { mint_fee_bps: 10, redeem_fee_bps: 20, streaming_fee_bps_per_year: 200, ..seed_params() };
    let mut m = MarketWorld::new(world(), params).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 10_000 * USD, 0).await.unwrap();
    // Mint fee: 0.1% of the deposit, in USDC, held in the quote vault for the treasury.
    assert_eq!(m.market().await.fees_quote, 10 * USD);
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 10 * USD);

    // Streaming fee: a year later the treasury is minted 2% of the supply (as dilution).
    let supply = m.nav().await.supply;
    m.warp(SECONDS_PER_YEAR as i64).await;
    let v = m.nav().await;
    let expected = streaming_fee_tokens_down(supply, 200, SECONDS_PER_YEAR).unwrap();
    assert_eq!(v.supply, supply + expected, "nav view includes the pending fee");
    let tokens = m.lev_balance(&alice).await;
    let out = m.redeem(&alice, tokens / 2, 0).await.unwrap();
    let fees: Vec<FeesAccrued> = parse_events(&out.logs);
    assert_eq!(fees[0].tokens_accrued, expected);
    // The streaming fee is owed to the treasury (counted in the supply), not yet minted.
    let market = m.market().await;
    assert_eq!(market.fees_lev, expected);
    let minted = m.w.bank.mint_supply(&m.keys.lev_mint).await;
    assert_eq!(m.nav().await.supply, minted + expected, "the owed fee counts in the supply");
    // The treasury now owns 2% of the tokens (1.96% after the redemption's own share).
    let r: Vec<Redeemed> = parse_events(&out.logs);
    let gross = r[0].usdc_out + r[0].fee;
    assert_eq!(r[0].fee, (gross as u128 * 20).div_ceil(10_000) as u64, "redeem fee 0.2%, rounded up");
    assert_eq!(market.fees_quote, 10 * USD + r[0].fee);
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 10 * USD + r[0].fee);
    // The treasury claims exactly those amounts; NAV per token does not move, nothing is left owed.
    let npt = m.nav().await.nav_per_token;
    assert_eq!(m.claim_fees().await, (10 * USD + r[0].fee, expected));
    let market = m.market().await;
    assert_eq!((market.fees_quote, market.fees_lev), (0, 0));
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0);
    assert_eq!(m.w.bank.mint_supply(&m.keys.lev_mint).await, minted + expected);
    assert_eq!(m.nav().await.nav_per_token, npt);
}

#[tokio::test]
async fn lending_interest_lowers_nav_by_exactly_the_interest() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 10_000 * USD, 0).await.unwrap();
    let before = m.nav().await;
    m.warp(30 * 86_400).await;
    let after = m.nav().await;
    assert_eq!(after.collateral_value, before.collateral_value, "same price, same collateral");
    let interest = after.debt - before.debt;
    assert!(interest > 0);
    assert_eq!(before.nav - after.nav, interest, "NAV falls by the interest the vault owes");
    // The lenders' pool grew by the same interest once accrued.
    m.w.bank.send(&[m.keys.lending.accrue_interest()], &[]).await.unwrap();
    let pool: lending_pool::LendingPool = m.w.bank.anchor_account(&m.keys.lending.pool).await;
    let assets = pool.total_assets().unwrap() as u64;
    assert!(assets.abs_diff(1_000_000 * USD + interest) <= 1, "pool assets {}", assets);
}

#[tokio::test]
async fn pause_blocks_minting_but_never_redemption() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(2_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let stranger = m.w.bank.funded_keypair(1_000_000_000).await;
    let ix = m.keys.set_pause(stranger.pubkey(), true);
    assert_error(m.w.bank.send(&[ix], &[&stranger]).await, LevError::NotGuardian);

    let guardian = m.guardian.insecure_clone();
    m.w.bank.send(&[m.keys.set_pause(guardian.pubkey(), true)], &[&guardian]).await.unwrap();
    assert_error(m.mint(&alice, 1_000 * USD, 0).await, LevError::MintPaused);
    let tokens = m.lev_balance(&alice).await;
    m.redeem(&alice, tokens / 2, 0).await.expect("redeem while paused");
    m.set_price_usd(3_700).await;
    m.rebalance().await.expect("rebalance while paused");
    m.w.bank.send(&[m.keys.set_pause(guardian.pubkey(), false)], &[&guardian]).await.unwrap();
    m.mint(&alice, 500 * USD, 0).await.expect("mint after unpause");
}

#[tokio::test]
async fn supply_cap_is_enforced() {
    let params = MarketParams { supply_cap: 150 * USD, ..seed_params() };
    let mut m = MarketWorld::new(world(), params).await;
    let alice = m.holder(1_000 * USD).await;
    m.mint(&alice, 100 * USD, 0).await.unwrap();
    let keys = [m.keys.market, m.keys.collateral_vault, alice.user.usdc, alice.lev];
    let before = m.w.bank.snapshot(&keys).await;
    assert_error(m.mint(&alice, 60 * USD, 0).await, LevError::SupplyCapExceeded);
    assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
    m.mint(&alice, 40 * USD, 0).await.expect("within the cap");
}

#[tokio::test]
async fn oracle_stale_wide_or_wrong_feed_is_rejected() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(1_000 * USD).await;
    m.mint(&alice, 100 * USD, 0).await.unwrap();
    let keys = [m.keys.market, m.keys.collateral_vault, alice.user.usdc, alice.lev];
    let before = m.w.bank.snapshot(&keys).await;

    // Stale: 61 s old with a 60 s limit.
    m.w.bank.warp_seconds(61).await;
    assert_error(m.mint(&alice, 100 * USD, 0).await, LevError::OracleStale);
    assert_error(m.redeem(&alice, USD, 0).await, LevError::OracleStale);
    // Wide confidence: 3% > 2%.
    m.obs.conf = (m.obs.price as u64) * 3 / 100;
    m.refresh_oracle().await;
    assert_error(m.mint(&alice, 100 * USD, 0).await, LevError::OracleConfidenceTooWide);
    // Wrong feed id.
    m.obs.conf = (m.obs.price as u64) / 1_000;
    m.obs.feed_id = [9u8; 32];
    m.refresh_oracle().await;
    assert_error(m.mint(&alice, 100 * USD, 0).await, LevError::OracleWrongFeed);
    // Published in the future.
    m.obs.feed_id = levtoken_client::oracle::ETH_USD_FEED_ID;
    m.refresh_oracle().await;
    m.obs.publish_time += 30;
    let obs = m.obs;
    m.w.bank.set_price(&m.keys.oracle, &obs);
    assert_error(m.mint(&alice, 100 * USD, 0).await, LevError::OracleInvalid);
    assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
    // A fresh, tight price works again.
    m.refresh_oracle().await;
    m.mint(&alice, 100 * USD, 0).await.expect("fresh oracle");
}

#[tokio::test]
async fn rebalance_is_refused_inside_the_band_until_a_recentre_is_due() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(1_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    // +3%: leverage ≈ 2.91x, inside 2.8–3.2x.
    m.set_price_usd(3_090).await;
    let v = m.nav().await;
    assert!(v.leverage_bps > 28_000 && v.leverage_bps < 30_000);
    let keeper_before = m.w.bank.token_balance(&m.keeper.usdc).await;
    assert_error(m.rebalance().await, LevError::RebalanceNotNeeded);
    // A day later the scheduled recentre is allowed (off target by more than 0.05x).
    m.warp(86_400).await;
    assert_eq!(m.nav().await.rebalance_trigger, 2);
    let out = m.rebalance().await.expect("scheduled recentre");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    assert_eq!(ev[0].trigger, 2);
    assert!(ev[0].relever);
    assert!(m.nav().await.leverage_bps.abs_diff(30_000) <= 20);
    // The keeper was paid, within the cap; a second call is refused (no reward drain).
    let reward = m.w.bank.token_balance(&m.keeper.usdc).await - keeper_before;
    assert_eq!(reward, ev[0].reward);
    assert!(reward > 0 && reward <= seed_params().keeper_reward_cap_quote);
    assert_error(m.rebalance().await, LevError::RebalanceNotNeeded);
}

#[tokio::test]
async fn partial_recentre_trades_only_part_of_the_way_back_from_the_band_edge() {
    // Band 2.8–3.2x, a band exit trades a quarter of the way back: to 3.15x from above, 2.85x
    // from below; an emergency (an exit past 3.6x) aims the same way, 3.15x.
    let params = MarketParams { recentre_share_bps: 2_500, ..seed_params() };
    let mut m = MarketWorld::new(world(), params).await;
    let alice = m.holder(1_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();

    // −3%: ≈3.2x+ (above the band): de-lever to 3.15x, not 3x.
    m.set_price_usd(2_900).await;
    let v = m.nav().await;
    assert!(v.leverage_bps > 32_000 && v.leverage_bps < 36_000, "{}", lev_x(v.leverage_bps));
    let out = m.rebalance().await.expect("band exit above");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    assert_eq!((ev[0].trigger, ev[0].relever, ev[0].aim_bps), (1, false, 31_500));
    let after = m.nav().await.leverage_bps;
    assert!(after.abs_diff(31_500) <= 20, "landed at {} instead of 3.15x", lev_x(after));
    assert_eq!(ev[0].leverage_after_bps, after);
    // Inside the band now: nothing more to do until the scheduled recentre.
    assert_error(m.rebalance().await, LevError::RebalanceNotNeeded);

    // +15%: below 2.8x: re-lever to 2.85x.
    m.set_price_usd(3_335).await;
    let v = m.nav().await;
    assert!(v.leverage_bps < 28_000, "{}", lev_x(v.leverage_bps));
    let ev: Vec<Rebalanced> = parse_events(&m.rebalance().await.expect("band exit below").logs);
    assert_eq!((ev[0].trigger, ev[0].relever, ev[0].aim_bps), (1, true, 28_500));
    assert!(m.nav().await.leverage_bps.abs_diff(28_500) <= 20);

    // A day later the scheduled recentre goes to the target itself.
    m.warp(86_400).await;
    let ev: Vec<Rebalanced> = parse_events(&m.rebalance().await.expect("scheduled").logs);
    assert_eq!((ev[0].trigger, ev[0].aim_bps), (2, 30_000));
    assert!(m.nav().await.leverage_bps.abs_diff(30_000) <= 20);

    // −25%: past the emergency threshold: back a quarter of the way in from the upper edge, with
    // the emergency path's limits (one call may not be enough).
    m.set_price_usd(2_500).await;
    assert_eq!(m.nav().await.rebalance_trigger, 0);
    let ev: Vec<Rebalanced> = parse_events(&m.rebalance().await.expect("emergency").logs);
    assert_eq!((ev[0].trigger, ev[0].aim_bps), (0, 31_500));
    let mut after = m.nav().await.leverage_bps;
    while after > 32_000 {
        let ev: Vec<Rebalanced> = parse_events(&m.rebalance().await.expect("band exit after the emergency").logs);
        assert_eq!(ev[0].aim_bps, 31_500);
        after = m.nav().await.leverage_bps;
    }
    // The emergency swap's looser cost estimate lands it within the overshoot tolerance (0.01x).
    assert!(after.abs_diff(31_500) <= seed_params().overshoot_tolerance_bps, "{}", lev_x(after));
}

#[tokio::test]
async fn minting_closes_while_the_pool_no_longer_covers_the_emergency_threshold() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let admin = m.w.bank.payer_key();
    // The pool's admin moves its liquidation point from 5x to 4x: 80% of it is 3.2x, below the
    // market's 3.6x emergency threshold, so the market would no longer de-lever in time.
    let risky = lending_pool::PoolConfig { liquidation_leverage_bps: 40_000, ..default_pool_config() };
    m.w.bank.send(&[m.keys.lending.queue_config(admin, risky), m.keys.lending.execute_config()], &[]).await.unwrap();
    let keys = [m.keys.market, m.keys.collateral_vault, m.keys.lev_mint, alice.user.usdc, alice.lev];
    let before = m.w.bank.snapshot(&keys).await;
    assert_error(m.mint(&alice, 100 * USD, 0).await, LevError::PoolRiskChanged);
    assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
    // Holders can still leave.
    let t = m.lev_balance(&alice).await;
    m.redeem(&alice, t / 2, 0).await.expect("redemption stays open");
    // Parameters the pool supports (emergency at 3.2x, band 2.8–3.1x) reopen minting.
    let p = MarketParams { band_high_bps: 31_000, emergency_leverage_bps: 32_000, ..seed_params() };
    m.admin_change(AdminChange::Params(p)).await.expect("re-validated parameters");
    m.mint(&alice, 100 * USD, 0).await.expect("minting reopens");
}

#[tokio::test]
async fn slippage_bound_against_the_oracle_is_enforced() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let keys = [m.keys.market, m.keys.collateral_vault, m.keys.quote_vault, alice.user.usdc, alice.lev, m.keys.amm.pool];
    // Someone pushes the pool 2% above the oracle: the mint is refused before any swap (the venue
    // is more than 0.5% off the oracle).
    m.w.arbitrage_amm_to(price_from_usd(3_060)).await;
    let before = m.w.bank.snapshot(&keys).await;
    assert_error(m.mint(&alice, 1_000 * USD, 0).await, LevError::VenuePriceOffOracle);
    assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
    // At the oracle, a mint whose own swap ($120,000 through a $10M pool: ≈1.2% impact + 0.05% fee)
    // fills more than 1% worse than the oracle is refused by the market's minimum.
    m.w.arbitrage_amm_to(price_from_usd(3_000)).await;
    let whale = m.holder(40_000 * USD).await;
    let keys_w = [m.keys.market, m.keys.collateral_vault, m.keys.quote_vault, whale.user.usdc, whale.lev, m.keys.amm.pool];
    let before = m.w.bank.snapshot(&keys_w).await;
    assert_error(m.mint(&whale, 40_000 * USD, 0).await, AmmError::SlippageExceeded);
    assert_unchanged(&keys_w, &before, &m.w.bank.snapshot(&keys_w).await);
    // And 2% below: redemptions do not check the venue's distance, but selling there is > 1% worse.
    m.w.arbitrage_amm_to(price_from_usd(2_940)).await;
    let before2 = m.w.bank.snapshot(&keys).await;
    let tokens = m.lev_balance(&alice).await;
    assert_error(m.redeem(&alice, tokens, 0).await, AmmError::SlippageExceeded);
    assert_unchanged(&keys, &before2, &m.w.bank.snapshot(&keys).await);
    // The user's own bound is enforced too.
    m.w.arbitrage_amm_to(price_from_usd(3_000)).await;
    assert_error(m.mint(&alice, 1_000 * USD, 1_000 * USD).await, LevError::TokensBelowMinimum);
    assert_error(m.redeem(&alice, tokens, tokens * 2).await, LevError::UsdcBelowMinimum);
}

#[tokio::test]
async fn emergency_path_restores_leverage_after_a_30_percent_hour() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 10_000 * USD, 0).await.unwrap();
    m.set_price_usd(2_100).await;
    let v = m.nav().await;
    assert!(v.leverage_bps > 150_000, "≈21x after −30%: {}", lev_x(v.leverage_bps));
    assert_eq!(v.rebalance_trigger, 0, "emergency");
    // Minting is closed in an emergency; redemption stays open.
    let bob = m.holder(1_000 * USD).await;
    assert_error(m.mint(&bob, 1_000 * USD, 0).await, LevError::MintBlockedInEmergency);

    let out = m.rebalance().await.expect("emergency rebalance");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    assert_eq!(ev[0].trigger, 0);
    assert!(!ev[0].relever);
    // Emergency reward: 5 bps of the trade.
    let traded = m.oracle_price().value(ev[0].swap_in, lev_math::Round::Down).unwrap() as u64;
    assert_eq!(ev[0].reward, (traded as u128 * 5 / 10_000) as u64);
    // One call sells ≈$18,000 of a $21,000 position: the price impact in a $10M pool (≈0.2%, beyond
    // the 5 bps fee the plan corrects for) costs ≈4% of the $1,000 NAV, so it lands just above 3x.
    let after = m.nav().await;
    assert!(after.leverage_bps >= 30_000 && after.leverage_bps < 32_000, "back in the band: {}", lev_x(after.leverage_bps));
    assert!(after.nav > 0 && !after.insolvent);
    m.mint(&bob, 1_000 * USD, 0).await.expect("minting reopens at 3x");
}

#[tokio::test]
async fn admin_actions_and_parameter_bounds() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let admin = m.w.bank.payer_key();
    let stranger = m.w.bank.funded_keypair(1_000_000_000).await;
    // Non-admin.
    let ix = m.keys.queue_change(stranger.pubkey(), AdminChange::Params(seed_params()));
    assert_error(m.w.bank.send(&[ix], &[&stranger]).await, LevError::NotAdmin);
    // Out of bounds: each of these is refused.
    let bad = [
        MarketParams { target_leverage_bps: 60_000, band_high_bps: 62_000, emergency_leverage_bps: 64_000, ..seed_params() },
        MarketParams { band_low_bps: 31_000, ..seed_params() },
        MarketParams { emergency_leverage_bps: 45_000, ..seed_params() }, // above 80% of the pool's 5x
        MarketParams { max_slippage_bps: 301, ..seed_params() },
        MarketParams { mint_fee_bps: 101, ..seed_params() },
        MarketParams { streaming_fee_bps_per_year: 501, ..seed_params() },
        MarketParams { oracle_max_staleness_secs: 0, ..seed_params() },
        MarketParams { oracle_max_conf_bps: 501, ..seed_params() },
        MarketParams { keeper_reward_bps: 51, ..seed_params() },
        MarketParams { max_trade_quote: 0, ..seed_params() },
        MarketParams { max_venue_deviation_bps: 101, emergency_max_venue_deviation_bps: 101, ..seed_params() }, // above the 1% slippage
    ];
    let before = m.w.bank.snapshot(&[m.keys.market]).await;
    for p in bad {
        // Refused when queued: nothing waits in the queue.
        assert_error(m.w.bank.send(&[m.keys.queue_change(admin, AdminChange::Params(p))], &[]).await, LevError::InvalidParams);
    }
    assert_unchanged(&[m.keys.market], &before, &m.w.bank.snapshot(&[m.keys.market]).await);
    // A smaller trade size with the reward caps and emergency size scaled to it (their bounds are
    // relative to it).
    let good = MarketParams {
        max_trade_quote: 1_000 * USD,
        emergency_max_trade_quote: 5_000 * USD,
        keeper_reward_cap_quote: 5 * USD,
        emergency_keeper_reward_cap_quote: 25 * USD,
        ..seed_params()
    };
    m.admin_change(AdminChange::Params(good)).await.unwrap();
    assert_eq!(m.market().await.params, good);

    // Venues: a keeper cannot route through a pool of its choosing; the admin can re-point.
    let other_quote = m.w.bank.create_mint(&levtoken_client::SPL_TOKEN_ID, 6).await;
    let other = levtoken_client::amm::AmmPool::derive(
        m.w.eth,
        levtoken_client::TOKEN_2022_ID,
        other_quote,
        levtoken_client::SPL_TOKEN_ID,
        levtoken_client::SPL_TOKEN_ID,
    );
    let payer = m.w.bank.payer_key();
    m.w.bank.send(&[other.initialize(payer, 30)], &[]).await.unwrap();
    let mut rerouted = m.keys;
    rerouted.amm = other;
    let ix = rerouted.rebalance(m.keeper.key(), m.keeper.usdc);
    let keeper = m.keeper.kp.insecure_clone();
    assert_error(m.w.bank.send(&[ix], &[&keeper]).await, LevError::SwapProgramNotAllowed);
    let bad = AdminChange::SwapVenues { programs: [amm::ID, amm::ID], pools: [m.keys.amm.pool, anchor_lang::prelude::Pubkey::default()] };
    assert_error(m.w.bank.send(&[m.keys.queue_change(admin, bad)], &[]).await, LevError::SwapProgramNotAllowed);
    let venues = AdminChange::SwapVenues { programs: [amm::ID, amm::ID], pools: [m.keys.amm.pool, other.pool] };
    let ix = m.keys.queue_change(stranger.pubkey(), venues);
    assert_error(m.w.bank.send(&[ix], &[&stranger]).await, LevError::NotAdmin);
    m.admin_change(venues).await.unwrap();
    assert_eq!(m.market().await.swap_pools, [m.keys.amm.pool, other.pool]);

    // Two-step admin handover.
    let next = m.w.bank.funded_keypair(1_000_000_000).await;
    let ix = m.keys.accept_admin(next.pubkey());
    assert_error(m.w.bank.send(&[ix], &[&next]).await, LevError::NotPendingAdmin);
    m.w.bank.send(&[m.keys.propose_admin(admin, next.pubkey())], &[]).await.unwrap();
    assert_error(m.w.bank.send(&[m.keys.accept_admin(stranger.pubkey())], &[&stranger]).await, LevError::NotPendingAdmin);
    m.w.bank.send(&[m.keys.accept_admin(next.pubkey())], &[&next]).await.unwrap();
    assert_eq!(m.market().await.admin, next.pubkey());
    assert_error(m.w.bank.send(&[m.keys.queue_change(admin, AdminChange::Params(good))], &[]).await, LevError::NotAdmin);
}

/// Clients size the compute-unit limit from a simulation (used × 1.1 + 5,000, rounded up to a
/// thousand, plus under 1,000 of jitter that keeps repeated transactions distinct) instead of asking for the 1.4M maximum, and a
/// priority fee (`--with-compute-unit-price`) is paid on that limit.
#[tokio::test]
async fn transactions_ask_for_their_simulated_compute_and_pay_the_priority_fee() {
    use levtoken_client::budget::{limit_from_simulation, MAX_COMPUTE_UNITS, PACKET_BYTES};
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(1_000 * USD).await;
    let first = m.mint(&alice, 100 * USD, 0).await.unwrap();
    let sized = limit_from_simulation(first.compute_units);
    assert!(first.compute_units > 0 && first.cu_limit >= sized && first.cu_limit < sized + 2_000, "used {} limit {}", first.compute_units, first.cu_limit);
    assert!(first.cu_limit < MAX_COMPUTE_UNITS / 4, "limit {}", first.cu_limit);
    assert!(first.tx_bytes > 0 && first.tx_bytes <= PACKET_BYTES, "{} bytes", first.tx_bytes);

    let payer = m.w.bank.payer_key();
    let lamports = |a: Option<solana_account::Account>| a.expect("payer").lamports;
    let before = lamports(m.w.bank.account(&payer).await);
    m.mint(&alice, 100 * USD, 0).await.unwrap();
    let mid = lamports(m.w.bank.account(&payer).await);
    let base_fee = before - mid;
    // One lamport per unit: the priority fee is exactly the limit asked for.
    m.w.bank.compute_unit_price = Some(1_000_000);
    let priced = m.mint(&alice, 100 * USD, 0).await.unwrap();
    let after = lamports(m.w.bank.account(&payer).await);
    assert_eq!(mid - after, base_fee + priced.cu_limit as u64);
    assert!(priced.cu_limit >= limit_from_simulation(priced.compute_units));
}

/// The token's metadata URI changes only through the timelock, only through Token-2022, and only
/// to a well-formed URI; the mint's supply and the holders' NAV are untouched.
#[tokio::test]
async fn admin_sets_the_metadata_uri_through_the_timelock() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(1_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let admin = m.w.bank.payer_key();
    m.admin_change(AdminChange::Timelock(3_600)).await.expect("an hour's timelock");
    let old_uri = levtoken_client::deploy::DEMO_METADATA_URI;
    let uri = "https://metadata.example.org/tokens/ethbull3x/v2/ethbull3x-token-metadata.json";
    assert!(uri.len() > old_uri.len());
    // Malformed: bytes after the stated length, or not UTF-8; too long does not even encode.
    assert!(AdminChange::new_metadata_uri(&"x".repeat(leveraged_token::MAX_METADATA_URI_LEN + 1)).is_none());
    let mut padded = [0u8; leveraged_token::MAX_METADATA_URI_LEN];
    padded[..5].copy_from_slice(b"abcde");
    for bad in [AdminChange::MetadataUri { len: 3, uri: padded }, AdminChange::MetadataUri { len: 201, uri: padded }, {
        let mut b = [0u8; leveraged_token::MAX_METADATA_URI_LEN];
        b[..2].copy_from_slice(&[0xff, 0xfe]);
        AdminChange::MetadataUri { len: 2, uri: b }
    }] {
        assert_error(m.w.bank.send(&[m.keys.queue_change(admin, bad)], &[]).await, LevError::MetadataTooLong);
    }
    let change = AdminChange::new_metadata_uri(uri).unwrap();
    m.w.bank.send(&[m.keys.queue_change(admin, change)], &[]).await.unwrap();
    let top_up = |mint: &solana_account::Account| levtoken_client::market::metadata_top_up(mint.data.len(), mint.lamports, uri.len());
    // Not before the timelock.
    assert_error(m.w.bank.send(&[m.keys.execute_metadata_uri_change(admin)], &[]).await, LevError::TimelockNotElapsed);
    m.warp(3_600).await;
    let nav_before = m.nav().await;
    let mint = m.w.bank.account(&m.keys.lev_mint).await.unwrap();
    let fund = anchor_lang::solana_program::system_instruction::transfer(&admin, &m.keys.lev_mint, top_up(&mint));
    // Without Token-2022, or with another program in its place, the market signs nothing.
    assert_error(m.w.bank.send(&[fund.clone(), m.keys.execute_change(admin)], &[]).await, LevError::MetadataProgramMismatch);
    let mut wrong = m.keys.execute_metadata_uri_change(admin);
    wrong.accounts.last_mut().unwrap().pubkey = levtoken_client::SPL_TOKEN_ID;
    assert_error(m.w.bank.send(&[fund.clone(), wrong], &[]).await, LevError::MetadataProgramMismatch);
    // Unfunded, the runtime refuses to leave the grown mint below rent.
    assert!(m.w.bank.send(&[m.keys.execute_metadata_uri_change(admin)], &[]).await.is_err());
    let out = m.w.bank.send(&[fund, m.keys.execute_metadata_uri_change(admin)], &[]).await.expect("metadata URI change");
    let ev: Vec<leveraged_token::MetadataUriSet> = parse_events(&out.logs);
    assert_eq!((ev.len(), ev[0].uri.as_str()), (1, uri));
    let mint = m.w.bank.account(&m.keys.lev_mint).await.unwrap();
    let text = String::from_utf8_lossy(&mint.data);
    assert!(text.contains(uri) && !text.contains(old_uri) && text.contains("ETHBULL3X"));
    assert!(m.market().await.queued.is_none());
    let nav_after = m.nav().await;
    assert_eq!((nav_after.supply, nav_after.nav), (nav_before.supply, nav_before.nav));
    // Alice's tokens still redeem.
    let t = m.lev_balance(&alice).await;
    m.redeem(&alice, t, 0).await.expect("redeem after the metadata change");
}
