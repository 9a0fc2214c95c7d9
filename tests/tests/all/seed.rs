//! The seed's worked example, through the real programs: deposit $100 at 3x, ETH ±20%, rebalance.
//!
//! Venue: a constant-product pool $10M deep per side with a 5 bps fee, arbitraged to the oracle after
//! every price move. Tolerances below come from that fee (paid on every swap: 0.05% of $300 at mint,
//! of ~$120 at rebalance) and from integer rounding (a few base units).

use lev_math::Round;
use leveraged_token::{Minted, Rebalanced};
use levtoken_client::events::parse_events;
use levtoken_tests::*;

fn seed_world() -> WorldConfig {
    WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }
}

/// $100 minted at $3,000: the vault holds ≈$300 of ETH against ≈$200 of debt.
async fn minted_100() -> (MarketWorld, Holder) {
    let mut m = MarketWorld::new(seed_world(), seed_params()).await;
    let alice = m.holder(100 * USD).await;
    let out = m.mint(&alice, 100 * USD, 99 * USD).await.expect("mint");
    let ev: Vec<Minted> = parse_events(&out.logs);
    assert_eq!(ev.len(), 1, "one Minted event");
    assert_eq!(ev[0].borrowed, 200 * USD, "the vault borrows 2× the deposit at 3x");
    (m, alice)
}

#[tokio::test]
async fn seed_example_mint() {
    let (mut m, alice) = minted_100().await;
    let v = m.nav().await;
    // Swap fee: 0.05% of $300 = $0.15, plus $0.003 price impact in a $10M pool.
    assert!(v.collateral_value.abs_diff(300 * USD) <= 200_000, "collateral ${}", usd(v.collateral_value));
    assert_eq!(v.debt, 200 * USD);
    assert!(v.nav.abs_diff(100 * USD) <= 200_000, "NAV ${}", usd(v.nav));
    // The fee comes out of NAV, not collateral: 299.85 / 99.85 = 3.003x.
    assert!(v.leverage_bps.abs_diff(30_000) <= 50, "leverage {}", lev_x(v.leverage_bps));
    // Alice's tokens are worth the NAV she added: 1 token = $1 at launch.
    let tokens = m.lev_balance(&alice).await;
    assert_eq!(tokens, v.supply, "Alice holds the whole supply");
    assert!(tokens.abs_diff(v.nav) <= 1, "tokens {} vs NAV {}", tokens, v.nav);
    assert_eq!(m.w.bank.token_balance(&alice.user.usdc).await, 0);
    // The vault's accounting matches its token accounts, and nothing is left in transit.
    let market = m.market().await;
    assert_eq!(m.w.bank.token_balance(&m.keys.collateral_vault).await, market.collateral);
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0);
    assert_eq!((market.fees_quote, market.fees_lev), (0, 0), "no protocol fees in the seed's numbers");
    assert_eq!(m.w.bank.token_balance(&m.keys.transit_quote).await, 0);
    assert_eq!(m.w.bank.token_balance(&m.keys.transit_collateral).await, 0);
    // The mint carries the token's name and symbol (Token-2022 metadata extension).
    let mint = m.w.bank.account(&m.keys.lev_mint).await.unwrap();
    let text = String::from_utf8_lossy(&mint.data);
    assert!(text.contains("ETH 3x Long") && text.contains("ETHBULL3X"));
    assert_eq!(mint.owner, levtoken_client::TOKEN_2022_ID);
}

#[tokio::test]
async fn seed_example_relever() {
    let (mut m, _alice) = minted_100().await;
    m.set_price_usd(3_600).await;
    let v = m.nav().await;
    // ETH +20%: $300 → $360 of ETH, $200 debt: NAV $160, leverage 2.25 (less the mint's swap fee).
    assert!(v.nav.abs_diff(160 * USD) <= 250_000, "NAV ${}", usd(v.nav));
    assert!(v.leverage_bps.abs_diff(22_500) <= 20, "leverage {}", lev_x(v.leverage_bps));
    assert_eq!(v.rebalance_trigger, 1, "outside the band");

    let out = m.rebalance().await.expect("rebalance");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    assert!(ev[0].relever);
    // Borrow ≈$120 and buy ETH with it.
    assert!(ev[0].debt_change.abs_diff(120 * USD) <= 1_000_000, "borrowed ${}", usd(ev[0].debt_change));
    let v = m.nav().await;
    assert!(v.debt.abs_diff(320 * USD) <= 1_000_000, "debt ${}", usd(v.debt));
    assert!(v.leverage_bps.abs_diff(30_000) <= 100, "leverage {} after rebalance", lev_x(v.leverage_bps));
    assert!(v.collateral_value.abs_diff(480 * USD) <= 2_000_000, "collateral ${}", usd(v.collateral_value));
    assert_eq!(v.rebalance_trigger, 255, "no further rebalance allowed");
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0);
}

#[tokio::test]
async fn seed_example_delever() {
    let (mut m, _alice) = minted_100().await;
    m.set_price_usd(2_400).await;
    let v = m.nav().await;
    // ETH −20%: $240 of ETH, $200 debt: NAV $40, leverage 6.
    assert!(v.nav.abs_diff(40 * USD) <= 250_000, "NAV ${}", usd(v.nav));
    assert!(v.leverage_bps.abs_diff(60_000) <= 400, "leverage {}", lev_x(v.leverage_bps));

    let out = m.rebalance().await.expect("rebalance");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    assert!(!ev[0].relever);
    assert_eq!(ev[0].trigger, 0, "6x is past the emergency threshold");
    // Sell ≈$120 of ETH and repay: debt ≈$80.
    let sold_value = m.oracle_price().value(ev[0].swap_in, Round::Down).unwrap() as u64;
    assert!(sold_value.abs_diff(120 * USD) <= 1_000_000, "sold ${}", usd(sold_value));
    let v = m.nav().await;
    assert!(v.debt.abs_diff(80 * USD) <= 1_000_000, "debt ${}", usd(v.debt));
    assert!(v.leverage_bps.abs_diff(30_000) <= 100, "leverage {} after rebalance", lev_x(v.leverage_bps));
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0);
}

#[tokio::test]
async fn seed_example_delever_in_capped_steps_converges() {
    // Reward caps scaled to the $50 trades (the bounds: ≤ 0.5% / 1% of the largest trade); the
    // rewards themselves (2 / 5 bps of ≤ $50) stay far below them.
    let params = leveraged_token::MarketParams {
        max_trade_quote: 50 * USD,
        emergency_max_trade_quote: 50 * USD,
        keeper_reward_cap_quote: 50 * USD * 50 / 10_000,
        emergency_keeper_reward_cap_quote: 50 * USD * 100 / 10_000,
        ..seed_params()
    };
    let mut m = MarketWorld::new(seed_world(), params).await;
    let alice = m.holder(100 * USD).await;
    m.mint(&alice, 100 * USD, 0).await.expect("mint");
    m.set_price_usd(2_400).await;
    let mut calls = 0;
    let mut last = m.nav().await.leverage_bps;
    while m.nav().await.rebalance_trigger != 255 {
        let out = m.rebalance().await.expect("rebalance step");
        let ev: Vec<Rebalanced> = parse_events(&out.logs);
        let traded = m.oracle_price().value(ev[0].swap_in, Round::Down).unwrap() as u64;
        assert!(traded <= 50 * USD, "each call trades at most the cap, got ${}", usd(traded));
        let now = m.nav().await.leverage_bps;
        assert!(now < last, "leverage falls every call");
        last = now;
        calls += 1;
        assert!(calls <= 5, "converges in a few calls");
    }
    assert_eq!(calls, 3, "$120 in steps of $50: 50 + 50 + 20");
    let v = m.nav().await;
    assert!(v.leverage_bps.abs_diff(30_000) <= 100, "leverage {}", lev_x(v.leverage_bps));
    assert!(v.debt.abs_diff(80 * USD) <= 1_000_000, "debt ${}", usd(v.debt));
    // A further call is refused: leverage is in the band and no recentre is due.
    assert_error(m.rebalance().await, leveraged_token::LevError::RebalanceNotNeeded);
}
