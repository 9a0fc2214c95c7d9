//! Model-based random sequences through the real programs: mints, redeems, rebalances, price moves
//! (including −30% hours, walked in 2% steps with the keeper acting at each), time warps (interest,
//! fees), lender deposits and withdrawals, across several users. Invariants are checked after every
//! step. Deterministic: a failure prints the batch seed and the step that broke.
//!
//! Batches of sequences share one freshly deployed world (deploying one costs more than a
//! sequence); every sequence starts with new holders.
//!
//! Parts 5–6 run the same sequences on a market whose allowlist also holds a hostile venue (see
//! `levtoken_tests::hostile_venue`) and whose admin changes wait a timelock, with two more kinds
//! of step among the others: a mint, redeem or rebalance routed through the venue — in an attack
//! mode it must be refused and change nothing, honest it must keep every invariant — and a random
//! parameter change queued, executed too early (refused), cancelled, or executed after its eta.

use anchor_lang::prelude::Pubkey;
use leveraged_token::{AdminChange, LevError, MarketParams, NavView};
use levtoken_tests::{
    hostile::{expected_error, hostile_market, Hostile},
    hostile_venue::Mode,
    *,
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
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

/// Any other panic in a batch (a fixture's `expect`) still names the seed and the step.
impl Drop for Checker {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("(panicked in batch seed {:#x}, step {})", self.seed, self.step);
        }
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
        let (s, st, lev, _) = run_batch(seed, per_batch, params, false).await;
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

/// One batch of `sequences`. `extended`: the market also allowlists a hostile venue and its admin
/// changes wait [`TIMELOCK`]; venue and admin steps join the random ones (parts 5–6).
async fn run_batch(seed: u64, sequences: u64, params: MarketParams, extended: bool) -> (u64, u64, u64, Stats) {
    let mut rng = Rng(seed);
    // The parameters in force (they change only when a queued change is executed).
    let mut params = params;
    let cfg = WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 };
    let (mut m, mut ext) = if extended {
        let (mut m, venue) = hostile_market(WorldConfig { timelock_secs: TIMELOCK, ..cfg }, params).await;
        // The market's credit line is in force once the pool's timelock has passed.
        m.warp(TIMELOCK).await;
        (m, Some(Ext { venue, queued: None, stats: Stats::default() }))
    } else {
        (MarketWorld::new(cfg, params).await, None)
    };
    let mut c = Checker { seed, step: "setup".into() };
    // Accounts that can hold USDC or ETH (besides the arbitrageur and the current holders).
    let mut system: Vec<Pubkey> = vec![
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
    if let Some(x) = &ext {
        system.extend([x.venue.eth, x.venue.usdc]);
    }
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
            let kind = rng.below(if ext.is_some() { 140 } else { 100 });
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
                    // With the hostile venue allowlisted, a third of the keeper's walks trade there.
                    let via_venue = ext.is_some() && rng.below(3) == 0;
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
                            let done = match ext.as_mut().filter(|_| via_venue) {
                                Some(x) => venue_rebalance(&mut m, x, &mut rng, &c).await,
                                None => m.rebalance().await.is_ok(),
                            };
                            if !done {
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
                90..=99 => {
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
                // A mint, redeem or rebalance through the hostile venue, honest or attacking.
                100..=124 => {
                    let x = ext.as_mut().expect("extended batch");
                    venue_step(&mut m, x, h, &holders, &mut rng, &c).await;
                }
                // A timelocked parameter change: queued, executed early, cancelled or executed.
                _ => {
                    let x = ext.as_mut().expect("extended batch");
                    admin_step(&mut m, x, &mut params, h, &mut rng, &c).await;
                }
            }
            // Arbitrageurs bring the venue back to the oracle after every trade.
            let p = m.oracle_price();
            m.w.arbitrage_amm_to(p).await;
            check_books(&mut m, &c).await;
            if let Some(x) = &ext {
                check_params(&mut m, params, x.queued, &c).await;
            }
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
    (sequences, steps, max_lev, ext.map(|x| x.stats).unwrap_or_default())
}

// ------------------------------------------------------------------------------------------------
// Parts 5–6: a hostile venue on the allowlist and timelocked parameter changes.

/// The market's (and pool's) admin timelock in the extended parts.
const TIMELOCK: i64 = 3_600;

/// What the extended steps did, for the summary line (and so that none of them is vacuous).
#[derive(Default, Clone, Copy, Debug)]
struct Stats {
    /// Attacks routed through the venue; those whose honest twin reached the swap.
    attacks: u64,
    attacks_at_swap: u64,
    /// Honest trades through the venue that landed.
    venue_mints: u64,
    venue_redeems: u64,
    venue_rebalances: u64,
    /// Keeper trades the honest venue refused (each time seen: too small to trade, which the AMM
    /// refuses too), then tried through the AMM.
    venue_rebalance_fallbacks: u64,
    queued: u64,
    invalid_refused: u64,
    second_refused: u64,
    early_refused: u64,
    expired_refused: u64,
    cancelled: u64,
    executed: u64,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.attacks += o.attacks;
        self.attacks_at_swap += o.attacks_at_swap;
        self.venue_mints += o.venue_mints;
        self.venue_redeems += o.venue_redeems;
        self.venue_rebalances += o.venue_rebalances;
        self.venue_rebalance_fallbacks += o.venue_rebalance_fallbacks;
        self.queued += o.queued;
        self.invalid_refused += o.invalid_refused;
        self.second_refused += o.second_refused;
        self.early_refused += o.early_refused;
        self.expired_refused += o.expired_refused;
        self.cancelled += o.cancelled;
        self.executed += o.executed;
    }
}

/// The extended batch's venue and its model of the admin queue.
struct Ext {
    venue: Hostile,
    /// The queued parameter change and its eta, as the market must hold it.
    queued: Option<(MarketParams, i64)>,
    stats: Stats,
}

/// 2,500 sequences in each of parts 5 (full recentre) and 6 (partial recentre): 100 batches × 25.
/// Shorter batches than parts 1–4: the random walk's −30% hours drift the price down, and after a
/// hundred sequences NAV per token is near zero and the supply at its cap, where a venue's trades
/// and a fee change move little. `INVARIANT_BATCHES_EXTENDED` overrides the batches per test.
async fn run_part_extended(part: u64) {
    let (params, rule) = part_params(if part == 5 { 1 } else { 3 });
    let batches: u64 = std::env::var("INVARIANT_BATCHES_EXTENDED").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let per_batch: u64 = 25;
    let (mut sequences, mut steps, mut max_lev_seen) = (0u64, 0u64, 0u64);
    let mut stats = Stats::default();
    for batch in 0..batches {
        let seed = 0x5EED_0000 + part * 1_000 + batch;
        let (s, st, lev, x) = run_batch(seed, per_batch, params, true).await;
        sequences += s;
        steps += st;
        max_lev_seen = max_lev_seen.max(lev);
        stats.add(&x);
    }
    println!(
        "invariant part {part} ({rule}, hostile venue, {TIMELOCK} s timelock): {sequences} sequences, {steps} steps, max leverage before a keeper step {:.2}x (liquidation point {:.1}x); {stats:?}",
        max_lev_seen as f64 / 1e4,
        LIQUIDATION_BPS as f64 / 1e4
    );
    assert!(sequences >= batches * per_batch);
    assert!(max_lev_seen < LIQUIDATION_BPS);
    // Every kind of extended step happened.
    let s = stats;
    for (n, what) in [
        (s.attacks_at_swap, "attacks that reached the swap"),
        (s.venue_mints, "honest venue mints"),
        (s.venue_redeems, "honest venue redeems"),
        (s.venue_rebalances, "honest venue rebalances"),
        (s.invalid_refused, "invalid changes refused"),
        (s.second_refused, "second changes refused"),
        (s.early_refused, "early executions refused"),
        (s.cancelled, "cancelled changes"),
        (s.executed, "executed changes"),
    ] {
        assert!(n > 0, "no {what} in part {part}");
    }
}

#[tokio::test]
async fn invariant_random_sequences_part_5() {
    run_part_extended(5).await;
}

#[tokio::test]
async fn invariant_random_sequences_part_6() {
    run_part_extended(6).await;
}

/// The allowlisted hostile venue: its pool account (mode byte) and its two vaults.
/// Send `ix` (signed by `signer`) through the venue in attack `mode`. It must be refused with the
/// error the attack runs into — or, when the same instruction through the honest venue is refused
/// too (before reaching the swap: not in the band, a deposit too small…), with that same error —
/// and change nothing: not one byte of the market's, pool's, venues' or `watched` accounts, nor
/// NAV. Counts whether the honest twin would have gone through (the attack reached the swap).
#[allow(clippy::too_many_arguments)]
async fn attack(m: &mut MarketWorld, x: &mut Ext, mode: Mode, ix: Instruction, signer: &Keypair, watched: &[Pubkey], what: &str, c: &Checker) {
    x.venue.set_mode(m, Mode::Honest);
    let honest = m.w.bank.simulate_signed(std::slice::from_ref(&ix), &[signer]).await;
    x.venue.set_mode(m, mode);
    let mut keys = m.guarded_accounts(&[]);
    keys.extend_from_slice(watched);
    keys.extend([x.venue.pool, x.venue.eth, x.venue.usdc]);
    let nav_before = m.nav().await;
    let before = m.w.bank.snapshot(&keys).await;
    let err = match m.w.bank.send(&[ix], &[signer]).await {
        Ok(o) => c.fail(format!("{what} through the venue in {mode:?} succeeded:\n{}", o.logs.join("\n"))),
        Err(e) => e,
    };
    let code = err.custom_code();
    let same_as_honest = honest.as_ref().is_err_and(|h| h.error == err.error);
    if !code.is_some_and(|k| expected_error(mode).contains(&k)) && !same_as_honest {
        let honest = honest.as_ref().err().map(|h| format!("{:?}", h.error)).unwrap_or_else(|| "success".into());
        c.fail(format!("{what} through the venue in {mode:?} refused with {err}\nexpected one of {:?} (honest twin: {honest})", expected_error(mode)));
    }
    let after = m.w.bank.snapshot(&keys).await;
    for ((k, b), a) in keys.iter().zip(&before).zip(&after) {
        if b != a {
            c.fail(format!("{what} through the venue in {mode:?} was refused but changed account {k}"));
        }
    }
    let nav_after = m.nav().await;
    if nav_after != nav_before {
        c.fail(format!("{what} through the venue in {mode:?} was refused but moved NAV: {nav_before:?} → {nav_after:?}"));
    }
    x.venue.set_mode(m, Mode::Honest);
    x.stats.attacks += 1;
    if honest.is_ok() {
        x.stats.attacks_at_swap += 1;
    }
}

/// One keeper rebalance through the venue (stocked at the oracle), after an attack on the same
/// rebalance half the time. If the honest venue refuses the trade the keeper makes it through the
/// AMM. Returns whether a rebalance landed.
async fn venue_rebalance(m: &mut MarketWorld, x: &mut Ext, rng: &mut Rng, c: &Checker) -> bool {
    x.venue.stock_at_oracle(m).await;
    let keeper = m.keeper.kp.insecure_clone();
    if rng.below(2) == 0 {
        let mode = Mode::ATTACKS[rng.below(Mode::ATTACKS.len() as u64) as usize];
        let ix = rebalance_ix(&m.keys, &m.keeper, |a| x.venue.route(&mut a.core));
        attack(m, x, mode, ix, &keeper, &[], "rebalance", c).await;
    }
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| x.venue.route(&mut a.core));
    if m.w.bank.send(&[ix], &[&keeper]).await.is_ok() {
        x.stats.venue_rebalances += 1;
        return true;
    }
    x.stats.venue_rebalance_fallbacks += 1;
    m.rebalance().await.is_ok()
}

/// A mint by `h`, a redeem by one of `holders` who holds tokens, or a rebalance, through the venue:
/// in an attack mode half the time (refused, nothing changed), otherwise honest (the same
/// invariants as through the AMM: nobody diluted).
async fn venue_step(m: &mut MarketWorld, x: &mut Ext, h: &Holder, holders: &[Holder], rng: &mut Rng, c: &Checker) {
    x.venue.stock_at_oracle(m).await;
    let mode = if rng.below(2) == 0 { Mode::Honest } else { Mode::ATTACKS[rng.below(Mode::ATTACKS.len() as u64) as usize] };
    let action = rng.below(3);
    let mut tokens = 0;
    let mut h = h;
    let (what, ix, signer, watched) = match action {
        0 => {
            let bal = m.w.bank.token_balance(&h.user.usdc).await;
            let amount = 1 + rng.below(bal.max(1));
            ("mint", mint_ix(&m.keys, h, amount, |a| x.venue.route(&mut a.core)), h.user.kp.insecure_clone(), vec![h.user.usdc, h.lev])
        }
        1 => {
            let mut with_tokens = Vec::new();
            for (i, h) in holders.iter().enumerate() {
                let bal = m.lev_balance(h).await;
                if bal > 0 {
                    with_tokens.push((i, bal));
                }
            }
            if with_tokens.is_empty() {
                return;
            }
            let (i, bal) = with_tokens[rng.below(with_tokens.len() as u64) as usize];
            h = &holders[i];
            tokens = 1 + rng.below(bal);
            ("redeem", redeem_ix(&m.keys, h, tokens, |a| x.venue.route(&mut a.core)), h.user.kp.insecure_clone(), vec![h.user.usdc, h.lev])
        }
        _ => ("rebalance", rebalance_ix(&m.keys, &m.keeper, |a| x.venue.route(&mut a.core)), m.keeper.kp.insecure_clone(), vec![]),
    };
    if mode != Mode::Honest {
        attack(m, x, mode, ix, &signer, &watched, what, c).await;
        return;
    }
    let v = m.nav().await;
    let res = m.w.bank.send(&[ix], &[&signer]).await;
    match (action, res) {
        (_, Ok(_)) => {
            let after = m.nav().await.nav_per_token;
            if action < 2 && after + 1 < v.nav_per_token {
                c.fail(format!("a {what} through the honest venue lowered NAV/token {} → {after}", v.nav_per_token));
            }
            match action {
                0 => x.stats.venue_mints += 1,
                1 => x.stats.venue_redeems += 1,
                _ => x.stats.venue_rebalances += 1,
            }
        }
        // The honest venue fills every redemption at the slippage bound, so the one refusal is a
        // redemption too small to sell any collateral or to cover its share of the debt.
        (1, Err(e)) => {
            let max_slippage = m.market().await.params.max_slippage_bps;
            let pos = lev_math::Position { collateral: v.collateral, debt: v.debt };
            let too_small = match lev_math::redeem_share(&pos, tokens, v.supply) {
                None => true,
                Some(s) => {
                    s.collateral_out == 0
                        || lev_math::min_out_quote_for_base(m.oracle_price(), s.collateral_out, max_slippage).is_some_and(|fill| fill < s.debt_repaid)
                }
            };
            if e.custom_code() != Some(LevError::RedeemTooSmall.into()) || !too_small {
                c.fail(format!("a redeem of {tokens} through the honest venue refused: {e}"));
            }
        }
        // Mints and rebalances may be refused as through the AMM (too small, not needed…).
        (_, Err(_)) => {}
    }
}

/// The parameters in force and the queue are the model's: they change only at execution.
async fn check_params(m: &mut MarketWorld, params: MarketParams, queued: Option<(MarketParams, i64)>, c: &Checker) {
    let market = m.market().await;
    if market.params != params {
        c.fail(format!("parameters changed outside an execution: {:?}, expected {params:?}", market.params));
    }
    let held = market.queued.map(|q| (q.change, q.eta));
    let want = queued.map(|(p, eta)| (AdminChange::Params(p), eta));
    if held != want {
        c.fail(format!("queued change {held:?}, expected {want:?}"));
    }
}

/// A random valid parameter set: one of the two presets or the current set, with fees, band and
/// trade limits perturbed within their bounds (and within what keeps the market running: oracle
/// acceptance and the venue bound are left alone).
fn random_params(rng: &mut Rng, current: MarketParams) -> MarketParams {
    let mut p = match rng.below(3) {
        0 => part_params(1).0,
        1 => part_params(3).0,
        _ => current,
    };
    if rng.below(2) == 0 {
        p.mint_fee_bps = rng.below(101);
        p.redeem_fee_bps = rng.below(101);
    }
    if rng.below(2) == 0 {
        p.streaming_fee_bps_per_year = rng.below(501);
    }
    if rng.below(2) == 0 {
        p.band_low_bps = 26_000 + rng.below(3_501);
        // Up to half-way from the target to the (default) 3.6x emergency threshold.
        p.band_high_bps = 30_500 + rng.below(2_501);
        p.recentre_share_bps = 500 + rng.below(9_501);
        p.recentre_tolerance_bps = rng.below(p.band_high_bps - p.target_leverage_bps);
        p.min_rebalance_interval_secs = 3_600 * (1 + rng.below(168)) as i64;
    }
    if rng.below(3) == 0 {
        p.max_slippage_bps = 100 + rng.below(201);
        p.emergency_max_slippage_bps = p.max_slippage_bps.max(300);
        p.keeper_reward_bps = rng.below(51);
        p.emergency_keeper_reward_bps = p.keeper_reward_bps.max(5);
    }
    p
}

/// The fields of the view a parameter change must not move (the rebalance trigger may: the band
/// is a parameter).
fn holders_view(v: &NavView) -> (u64, u64, u64, u64, u64, u64, bool) {
    (v.nav, v.nav_per_token, v.supply, v.debt, v.collateral, v.collateral_value, v.insolvent)
}

/// Execute the queued change as `executor` (anyone). Before its eta: refused with
/// `TimelockNotElapsed`, nothing changed. More than `CHANGE_GRACE_SECS` after it: refused with
/// `ChangeExpired`, nothing changed (it stays queued until cancelled). In between: the parameters
/// are the queued ones, and the change itself moved no holder's NAV.
async fn try_execute(m: &mut MarketWorld, x: &mut Ext, params: &mut MarketParams, executor: &Keypair, c: &Checker) {
    let (new, eta) = x.queued.expect("a queued change");
    let now = m.w.bank.now().await;
    let ix = m.keys.execute_change(executor.pubkey());
    if now < eta {
        let keys = m.guarded_accounts(&[]);
        let before = m.w.bank.snapshot(&keys).await;
        match m.w.bank.send(&[ix], &[executor]).await {
            Ok(_) => c.fail(format!("a change due at {eta} was executed at {now}")),
            Err(e) if e.custom_code() == Some(LevError::TimelockNotElapsed.into()) => {}
            Err(e) => c.fail(format!("an early execution refused with {e}, expected TimelockNotElapsed")),
        }
        if m.w.bank.snapshot(&keys).await != before {
            c.fail("a refused early execution changed an account".into());
        }
        x.stats.early_refused += 1;
    } else if now > eta + leveraged_token::CHANGE_GRACE_SECS {
        let keys = m.guarded_accounts(&[]);
        let before = m.w.bank.snapshot(&keys).await;
        match m.w.bank.send(&[ix], &[executor]).await {
            Ok(_) => c.fail(format!("a change due at {eta} was executed at {now}, after its grace period")),
            Err(e) if e.custom_code() == Some(LevError::ChangeExpired.into()) => {}
            Err(e) => c.fail(format!("a lapsed change's execution refused with {e}, expected ChangeExpired")),
        }
        if m.w.bank.snapshot(&keys).await != before {
            c.fail("a refused lapsed execution changed an account".into());
        }
        x.stats.expired_refused += 1;
    } else {
        let before = m.nav().await;
        // For the diagnosis below: the streaming fee pending since the last accrual.
        let market = m.market().await;
        let counted = market.supply(m.w.bank.mint_supply(&m.keys.lev_mint).await).expect("supply");
        let elapsed = (now - market.last_fee_accrual_ts) as u64;
        let pending = |bps| lev_math::streaming_fee_tokens_down(counted, bps, elapsed).expect("fee");
        let (old_fee, new_fee) = (market.params.streaming_fee_bps_per_year, new.streaming_fee_bps_per_year);
        m.w.bank.send(&[ix], &[executor]).await.unwrap_or_else(|e| c.fail(format!("execution of a change due at {eta}, at {now}, refused: {e}")));
        *params = new;
        x.queued = None;
        x.stats.executed += 1;
        let after = m.nav().await;
        if holders_view(&after) != holders_view(&before) {
            let retroactive = before.supply == counted + pending(old_fee) && after.supply == counted + pending(new_fee);
            let why = if retroactive {
                format!(
                    "\nthe supply moved by exactly the streaming fee pending since the last accrual ({elapsed} s ago) re-priced from {old_fee} to {new_fee} bps/yr ({} → {} tokens): execute_change switches the parameters without accruing the fee first",
                    pending(old_fee),
                    pending(new_fee)
                )
            } else {
                String::new()
            };
            c.fail(format!("executing a parameter change moved the holders' view: {before:?} → {after:?}{why}"));
        }
    }
}

/// A timelocked parameter change: queue one (or see an invalid one refused), or, with one queued,
/// see a second refused, cancel it (guardian or admin), try to execute it now, or wait some or
/// all of the way to its eta and try to execute it.
async fn admin_step(m: &mut MarketWorld, x: &mut Ext, params: &mut MarketParams, h: &Holder, rng: &mut Rng, c: &Checker) {
    let admin = m.w.bank.payer_key();
    let now = m.w.bank.now().await;
    let Some((_, eta)) = x.queued else {
        if rng.below(8) == 0 {
            // Out of bounds: refused when queued, nothing queued.
            let bad = match rng.below(3) {
                0 => MarketParams { mint_fee_bps: 101 + rng.below(1_000), ..*params },
                1 => MarketParams { band_low_bps: params.target_leverage_bps + rng.below(1_000), ..*params },
                _ => MarketParams { emergency_leverage_bps: 40_001 + rng.below(10_000), ..*params },
            };
            let keys = m.guarded_accounts(&[]);
            let before = m.w.bank.snapshot(&keys).await;
            match m.w.bank.send(&[m.keys.queue_change(admin, AdminChange::Params(bad))], &[]).await {
                Err(e) if e.custom_code() == Some(LevError::InvalidParams.into()) => {}
                r => c.fail(format!("queueing invalid parameters {bad:?}: {:?}, expected InvalidParams", r.map(|_| ()).map_err(|e| e.error))),
            }
            if m.w.bank.snapshot(&keys).await != before {
                c.fail("a refused change changed an account".into());
            }
            x.stats.invalid_refused += 1;
            return;
        }
        let new = random_params(rng, *params);
        m.w.bank.send(&[m.keys.queue_change(admin, AdminChange::Params(new))], &[]).await.unwrap_or_else(|e| c.fail(format!("queueing {new:?} refused: {e}")));
        x.queued = Some((new, now + TIMELOCK));
        x.stats.queued += 1;
        let market = m.market().await;
        if market.queued.map(|q| q.queued_at) != Some(now) {
            c.fail(format!("queued at {:?}, expected {now}", market.queued.map(|q| q.queued_at)));
        }
        // Executing at once is refused.
        try_execute(m, x, params, &h.user.kp, c).await;
        return;
    };
    match rng.below(5) {
        0 => {
            let other = random_params(rng, *params);
            let keys = m.guarded_accounts(&[]);
            let before = m.w.bank.snapshot(&keys).await;
            match m.w.bank.send(&[m.keys.queue_change(admin, AdminChange::Params(other))], &[]).await {
                Err(e) if e.custom_code() == Some(LevError::ChangeAlreadyQueued.into()) => {}
                r => c.fail(format!("a second queued change: {:?}, expected ChangeAlreadyQueued", r.map(|_| ()).map_err(|e| e.error))),
            }
            if m.w.bank.snapshot(&keys).await != before {
                c.fail("a refused second change changed an account".into());
            }
            x.stats.second_refused += 1;
        }
        1 => {
            let guardian = m.guardian.insecure_clone();
            let payer = m.w.bank.payer();
            let by = if rng.below(4) == 0 { payer } else { guardian };
            let before = m.nav().await;
            m.w.bank.send(&[m.keys.cancel_change(by.pubkey())], &[&by]).await.unwrap_or_else(|e| c.fail(format!("cancel refused: {e}")));
            x.queued = None;
            x.stats.cancelled += 1;
            if holders_view(&m.nav().await) != holders_view(&before) {
                c.fail("cancelling a change moved the holders' view".into());
            }
        }
        2 => try_execute(m, x, params, &h.user.kp, c).await,
        3 => {
            // Part of the way (possibly to one second short of the eta).
            if eta - 1 > now {
                let secs = if rng.below(2) == 0 { eta - 1 - now } else { 1 + rng.below((eta - 1 - now) as u64) as i64 };
                m.warp(secs).await;
            }
            try_execute(m, x, params, &h.user.kp, c).await;
        }
        _ => {
            // To the eta exactly, or past it.
            let secs = (eta - now).max(0) + if rng.below(2) == 0 { 0 } else { rng.below(2 * TIMELOCK as u64) as i64 };
            if secs > 0 {
                m.warp(secs).await;
            }
            try_execute(m, x, params, &h.user.kp, c).await;
        }
    }
}
