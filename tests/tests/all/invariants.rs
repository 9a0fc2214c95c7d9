//! Model-based random sequences through the real programs: mints, redeems, rebalances, price moves
//! (including −30% hours, walked in 2% steps with the keeper acting at each), time warps (interest,
//! fees), lender deposits and withdrawals, across several users. Invariants are checked after every
//! step. Deterministic: a failure prints the batch seed and the step that broke.
//!
//! Batches of sequences share one freshly deployed world (deploying one costs more than a
//! sequence); every sequence starts with new holders.

use anchor_lang::prelude::Pubkey;
use leveraged_token::MarketParams;
use levtoken_tests::*;
use solana_signer::Signer;

use levtoken_client::rng::SplitMix64 as Rng;

/// The pool's liquidation point (the test pool config's 5x).
const LIQUIDATION_BPS: u64 = 50_000;

struct Checker {
    seed: u64,
    step: String,
}

impl Checker {
    fn fail(&self, what: String) -> ! {
        panic!("invariant broken (batch seed {:#x}, step {}): {what}", self.seed, self.step)
    }
}

/// Collateral, debt and NAV agree between the program's view, its accounting and its token accounts;
/// the quote vault holds exactly the unclaimed fees and the transit accounts are empty; the pool's
/// books match its vault.
async fn check_books(m: &mut MarketWorld, c: &Checker) {
    let v = m.nav().await;
    let market = m.market().await;
    let vault_eth = m.w.bank.token_balance(&m.keys.collateral_vault).await;
    if vault_eth != market.collateral {
        c.fail(format!("collateral vault holds {vault_eth}, market accounts {}", market.collateral));
    }
    let quote = m.w.bank.token_balance(&m.keys.quote_vault).await;
    if quote != market.fees_quote {
        c.fail(format!("quote vault holds {quote}, unclaimed fees are {}", market.fees_quote));
    }
    for (k, name) in [(m.keys.transit_quote, "USDC"), (m.keys.transit_collateral, "ETH")] {
        let left = m.w.bank.token_balance(&k).await;
        if left != 0 {
            c.fail(format!("{left} {name} left in transit"));
        }
    }
    let value = m.oracle_price().value(v.collateral, lev_math::Round::Down).unwrap() as i128;
    if !v.insolvent && v.nav as i128 != value - v.debt as i128 {
        c.fail(format!("NAV {} ≠ collateral value {value} − debt {}", v.nav, v.debt));
    }
    let pool: lending_pool::LendingPool = m.w.bank.anchor_account(&m.keys.lending.pool).await;
    if m.w.bank.token_balance(&m.keys.lending.liquidity_vault).await != pool.cash {
        c.fail("lending vault balance ≠ pool cash".into());
    }
    let borrower: lending_pool::Borrower = m.w.bank.anchor_account(&m.keys.lending_borrower()).await;
    if borrower.scaled_debt != pool.total_scaled_debt {
        c.fail("pool's scaled debt ≠ the only borrower's".into());
    }
}

/// Every USDC and ETH base unit is in an account we know: nothing created, nothing lost.
/// `settled` holds the (USDC, ETH) of wallets no longer used, whose balances cannot change.
async fn check_conservation(m: &mut MarketWorld, active: &[Pubkey], settled: (u64, u64), c: &Checker) {
    let mut accounts = active.to_vec();
    if let Some(arb) = &m.w.arb {
        accounts.push(arb.usdc);
        accounts.push(arb.eth);
    }
    let (mut usdc, mut eth) = settled;
    for a in &accounts {
        if let Some(acc) = m.w.bank.account(a).await {
            if acc.data.len() >= 72 {
                let amount = u64::from_le_bytes(acc.data[64..72].try_into().unwrap());
                if acc.data[..32] == m.w.usdc.to_bytes() {
                    usdc += amount;
                } else if acc.data[..32] == m.w.eth.to_bytes() {
                    eth += amount;
                }
            }
        }
    }
    for (mint, held, name) in [(m.w.usdc, usdc, "USDC"), (m.w.eth, eth, "ETH")] {
        let supply = m.w.bank.mint_supply(&mint).await;
        if held != supply {
            c.fail(format!("{name}: accounts hold {held}, supply is {supply}"));
        }
    }
}

/// 10,000 sequences in all: four tests of 25 batches × 100 sequences, run in parallel by the
/// harness. `INVARIANT_BATCHES` overrides the batches per test.
/// Parts 1–2 run the seed's rule (every band exit back to 3x), parts 3–4 the partial-recentre
/// parameter set the backtest runs (band 2.65–3.15x, exits trade 5% of the way back).
fn part_params(part: u64) -> (MarketParams, &'static str) {
    if part <= 2 {
        (seed_params(), "full recentre")
    } else {
        let p = MarketParams::partial_recentre_3x();
        let partial = MarketParams {
            band_low_bps: p.band_low_bps,
            band_high_bps: p.band_high_bps,
            recentre_share_bps: p.recentre_share_bps,
            min_rebalance_interval_secs: p.min_rebalance_interval_secs,
            recentre_tolerance_bps: p.recentre_tolerance_bps,
            ..seed_params()
        };
        (partial, "partial recentre")
    }
}

async fn run_part(part: u64) {
    let (params, rule) = part_params(part);
    let batches: u64 = std::env::var("INVARIANT_BATCHES").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    let per_batch: u64 = 100;
    let mut sequences = 0u64;
    let mut steps = 0u64;
    let mut max_lev_seen = 0u64;
    for batch in 0..batches {
        let seed = 0x5EED_0000 + part * 1_000 + batch;
        let (s, st, lev) = run_batch(seed, per_batch, params).await;
        sequences += s;
        steps += st;
        max_lev_seen = max_lev_seen.max(lev);
    }
    println!(
        "invariant part {part} ({rule}): {sequences} sequences, {steps} steps, max leverage before a keeper step {:.2}x (liquidation point {:.1}x)",
        max_lev_seen as f64 / 1e4,
        LIQUIDATION_BPS as f64 / 1e4
    );
    assert!(sequences >= batches * per_batch);
    assert!(max_lev_seen < LIQUIDATION_BPS);
}

#[tokio::test]
async fn invariant_random_sequences_part_1() {
    run_part(1).await;
}

#[tokio::test]
async fn invariant_random_sequences_part_2() {
    run_part(2).await;
}

#[tokio::test]
async fn invariant_random_sequences_part_3() {
    run_part(3).await;
}

#[tokio::test]
async fn invariant_random_sequences_part_4() {
    run_part(4).await;
}

async fn run_batch(seed: u64, sequences: u64, params: MarketParams) -> (u64, u64, u64) {
    let mut rng = Rng(seed);
    let mut m =
        MarketWorld::new(WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }, params).await;
    let mut c = Checker { seed, step: "setup".into() };
    // Accounts that can hold USDC or ETH (besides the arbitrageur and the current holders).
    let system: Vec<Pubkey> = vec![
        m.keys.collateral_vault,
        m.keys.quote_vault,
        m.keys.transit_collateral,
        m.keys.transit_quote,
        m.keys.lending.liquidity_vault,
        m.keys.amm.vault_a,
        m.keys.amm.vault_b,
        m.w.lp.usdc,
        m.w.lp.eth,
        m.w.lender.usdc,
        m.keeper.usdc,
    ];
    let mut settled = (0u64, 0u64);
    let mut steps = 0u64;
    let mut max_lev = 0u64;
    let mut mantissa: i64 = 3_000 * 100_000_000;
    for seq in 0..sequences {
        // Two or three new holders per sequence.
        let mut holders = Vec::new();
        for _ in 0..(2 + rng.below(2)) {
            holders.push(m.holder((100 + rng.below(20_000)) * USD).await);
        }
        let n_ops = 2 + rng.below(4);
        for op in 0..n_ops {
            steps += 1;
            let kind = rng.below(100);
            c.step = format!("sequence {seq} op {op} kind {kind}");
            let h = &holders[rng.below(holders.len() as u64) as usize];
            match kind {
                // Mint: nobody already in is diluted.
                0..=29 => {
                    let bal = m.w.bank.token_balance(&h.user.usdc).await;
                    let amount = 1 + rng.below(bal.max(1));
                    let before = m.nav().await.nav_per_token;
                    if m.mint(h, amount, 0).await.is_ok() {
                        let after = m.nav().await.nav_per_token;
                        if after + 1 < before {
                            c.fail(format!("a mint lowered NAV/token {before} → {after}"));
                        }
                    }
                }
                // Redeem: those who stay are not diluted.
                30..=54 => {
                    let bal = m.lev_balance(h).await;
                    if bal > 0 {
                        let tokens = 1 + rng.below(bal);
                        let before = m.nav().await.nav_per_token;
                        let v = m.nav().await;
                        let (re, ru) = m.w.amm_reserves().await;
                        if let Err(e) = m.redeem(h, tokens, 0).await {
                            // The only acceptable refusal: a sale too large for the venue's depth,
                            // which would fill worse than the oracle less the slippage bound (the
                            // holder's protection). Then the holder still leaves in slices worth
                            // 0.2% of the venue's USDC side, as in the liveness check below.
                            if e.custom_code() != Some(amm::AmmError::SlippageExceeded.into()) {
                                c.fail(format!("redeem of {tokens} refused: {e}"));
                            }
                            let pos = lev_math::Position { collateral: v.collateral, debt: v.debt };
                            let share = lev_math::redeem_share(&pos, tokens, v.supply).unwrap();
                            let fill = lev_math::swap_out_down(share.collateral_out, re, ru, 5).unwrap();
                            let min = lev_math::min_out_quote_for_base(m.oracle_price(), share.collateral_out, params.max_slippage_bps).unwrap();
                            if fill >= min {
                                c.fail(format!("redeem of {tokens} refused for slippage, but the venue fills {fill} ≥ the minimum {min}"));
                            }
                            let slice = ((ru as u128 / 500) * v.supply as u128 / v.collateral_value.max(1) as u128).clamp(1, tokens as u128) as u64;
                            m.redeem(h, slice, 0).await.unwrap_or_else(|e| c.fail(format!("redeem of a {slice}-token slice of {tokens} refused: {e}")));
                        }
                        let after = m.nav().await.nav_per_token;
                        if after + 1 < before {
                            c.fail(format!("a redeem lowered NAV/token {before} → {after}"));
                        }
                    }
                }
                // Price move, sometimes a −30% hour; the keeper acts at every 2% step.
                55..=79 => {
                    let pct: i64 = if rng.below(10) == 0 { -30 } else { rng.below(21) as i64 - 10 };
                    let target = mantissa * (100 + pct) / 100;
                    let steps_n = ((pct.unsigned_abs() as f64) / 2.0).ceil().max(1.0) as i64;
                    for j in 1..=steps_n {
                        let px = mantissa + (target - mantissa) * j / steps_n;
                        m.set_price_mantissa(px).await;
                        let v = m.nav().await;
                        if v.supply > 0 && !v.insolvent {
                            max_lev = max_lev.max(v.leverage_bps);
                            if v.leverage_bps >= LIQUIDATION_BPS {
                                c.fail(format!("leverage {} reached the pool's liquidation point", v.leverage_bps));
                            }
                        }
                        while m.nav().await.rebalance_trigger != 255 {
                            if m.rebalance().await.is_err() {
                                break;
                            }
                            // Arbitrageurs bring the venue back to the oracle after each of the
                            // keeper's trades (the next one needs it within 0.5% / 1%).
                            let p = m.oracle_price();
                            m.w.arbitrage_amm_to(p).await;
                        }
                    }
                    mantissa = target;
                }
                // Time passes: interest and the streaming fee accrue.
                80..=89 => {
                    m.warp(3_600 * (1 + rng.below(72) as i64)).await;
                }
                // Lender deposits or withdraws some of their shares.
                _ => {
                    let lender_shares = m.w.lender_shares;
                    let lender = m.w.lender.kp.insecure_clone();
                    let ix = if rng.below(2) == 0 {
                        let shares = m.w.bank.token_balance(&lender_shares).await;
                        m.w.lending.withdraw(lender.pubkey(), m.w.lender.usdc, lender_shares, 1 + rng.below(shares / 10 + 1), 0)
                    } else {
                        let amount = (1 + rng.below(100_000)) * USD;
                        let (usdc, dest) = (m.w.usdc, m.w.lender.usdc);
                        m.w.bank.mint_to(&usdc, &dest, amount, &levtoken_client::SPL_TOKEN_ID).await;
                        m.w.lending.deposit(lender.pubkey(), dest, lender_shares, amount, 0)
                    };
                    // A withdrawal beyond idle cash is refused and changes nothing.
                    let _ = m.w.bank.send(&[ix], &[&lender]).await;
                }
            }
            // Arbitrageurs bring the venue back to the oracle after every trade.
            let p = m.oracle_price();
            m.w.arbitrage_amm_to(p).await;
            check_books(&mut m, &c).await;
            let mut active = system.clone();
            active.extend(holders.iter().flat_map(|h| [h.user.usdc, h.user.eth]));
            check_conservation(&mut m, &active, settled, &c).await;
            // Any holder can always redeem (simulated, not committed): everything at once, or —
            // when that single sale would move the venue past the slippage bound — a slice worth
            // 0.2% of the venue's depth (the rest follows in further slices).
            let v = m.nav().await;
            let (_, depth) = m.w.amm_reserves().await;
            for h in &holders {
                let bal = m.lev_balance(h).await;
                if bal == 0 || v.insolvent {
                    continue;
                }
                let ix = m.keys.redeem(h.user.key(), h.user.usdc, h.lev, bal, 0);
                if let Err(e) = m.w.bank.simulate_signed(&[ix], &[&h.user.kp]).await {
                    if e.custom_code() != Some(amm::AmmError::SlippageExceeded.into()) {
                        c.fail(format!("a holder could not redeem {bal}: {e}"));
                    }
                    // Tokens whose collateral is worth 0.2% of the venue's USDC side.
                    let slice_value = depth as u128 / 500;
                    let slice = (slice_value * v.supply as u128 / v.collateral_value.max(1) as u128).clamp(1, bal as u128) as u64;
                    let ix = m.keys.redeem(h.user.key(), h.user.usdc, h.lev, slice, 0);
                    if let Err(e) = m.w.bank.simulate_signed(&[ix], &[&h.user.kp]).await {
                        c.fail(format!("a holder could not redeem a {slice}-token slice of {bal}: {e}"));
                    }
                }
            }
        }
        for h in &holders {
            settled.0 += m.w.bank.token_balance(&h.user.usdc).await;
            settled.1 += m.w.bank.token_balance(&h.user.eth).await;
        }
    }
    (sequences, steps, max_lev)
}
