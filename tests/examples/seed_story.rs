//! The seed's story, played through the real programs in the in-process Solana runtime:
//! deposit $100 at 3x, ETH +20% → rebalance, ETH −20% → rebalance, redeem. Prints each step.
//!
//! Run: `cargo run -p levtoken-tests --example seed_story`

use leveraged_token::{Minted, NavView, Rebalanced, Redeemed};
use levtoken_client::events::parse_events;
use levtoken_tests::*;

fn row(step: &str, eth: u64, v: &NavView, note: &str) {
    // An emptied vault keeps only the dust owned by the virtual shares: no meaningful leverage.
    let lev = if v.collateral_value < 10_000 { "-".to_string() } else { format!("{:.2}x", lev_x(v.leverage_bps)) };
    println!(
        "{:<28} {:>7} {:>11.2} {:>10.2} {:>10.2} {:>9}  {}",
        step,
        format!("${eth}"),
        usd(v.collateral_value),
        usd(v.debt),
        usd(v.nav),
        lev,
        note
    );
}

async fn story(start_eth: u64, moved_eth: u64, label: &str) {
    let cfg = WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: start_eth, lend_usd: 1_000_000 };
    let mut m = MarketWorld::new(cfg, seed_params()).await;
    let alice = m.holder(100 * USD).await;
    let out = m.mint(&alice, 100 * USD, 0).await.expect("mint");
    let ev: Vec<Minted> = parse_events(&out.logs);
    let v = m.nav().await;
    row("deposit $100", start_eth, &v, &format!("borrowed ${:.2}, minted {:.4} ETHBULL3X", usd(ev[0].borrowed), usd(ev[0].tokens)));

    m.set_price_usd(moved_eth).await;
    let v = m.nav().await;
    row(label, moved_eth, &v, "oracle moved, AMM arbitraged to it");

    let out = m.rebalance().await.expect("rebalance");
    let ev: Vec<Rebalanced> = parse_events(&out.logs);
    let e = &ev[0];
    let note = if e.relever {
        format!("borrowed ${:.2}, bought ETH", usd(e.debt_change))
    } else {
        format!("sold ${:.2} of ETH, repaid ${:.2}", usd(m.oracle_price().value(e.swap_in, lev_math::Round::Down).unwrap() as u64), usd(e.debt_change))
    };
    let v = m.nav().await;
    row("rebalance", moved_eth, &v, &note);

    let tokens = m.lev_balance(&alice).await;
    let out = m.redeem(&alice, tokens, 0).await.expect("redeem");
    let ev: Vec<Redeemed> = parse_events(&out.logs);
    let v = m.nav().await;
    row("redeem all", moved_eth, &v, &format!("paid out ${:.2}", usd(ev[0].usdc_out)));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("ETHBULL3X: the seed example through the real programs (venue: $10M constant-product pool, 5 bps fee)\n");
    println!("{:<28} {:>7} {:>11} {:>10} {:>10} {:>9}  {}", "step", "ETH", "collateral", "debt", "NAV", "leverage", "what happened");
    story(3_000, 3_600, "ETH +20%").await;
    println!();
    story(3_000, 2_400, "ETH -20%").await;
}
