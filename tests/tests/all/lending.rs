use anchor_lang::error::ErrorCode as AnchorError;
use lending_pool::{Borrowed, Deposited, LendingError, LendingPool, PoolConfig, Repaid, Withdrawn, MAX_CREDIT_LIMIT};
use lev_math::{accrue_index_up, debt_from_scaled_up, scaled_for_borrow_up, utilization_bps, SECONDS_PER_YEAR, WAD};
use levtoken_client::{events::parse_events, SPL_TOKEN_ID};
use levtoken_tests::*;
use solana_signer::Signer;

/// A world with 1,000 USDC lent and one borrower: a leveraged-token market (only markets may hold a
/// credit line), its line lowered to `limit` (a lower limit takes effect at once), and a holder
/// with `usdc` to mint with. No protocol fees, so a first mint of $d at 3x borrows exactly $2d.
async fn world_with_market(limit: u64, usdc: u64) -> (MarketWorld, Holder) {
    let mut m = MarketWorld::new(WorldConfig { lend_usd: 1_000, ..Default::default() }, seed_params()).await;
    let admin = m.w.bank.payer_key();
    let market = m.keys.market;
    m.w.bank.send(&[m.w.lending.set_credit_limit(admin, market, limit)], &[]).await.expect("credit limit");
    let b: lending_pool::Borrower = m.w.bank.anchor_account(&m.keys.lending_borrower()).await;
    assert_eq!((b.credit_limit, b.pending_limit, b.limit_eta), (limit, 0, 0));
    let h = m.holder(usdc).await;
    (m, h)
}

#[tokio::test]
async fn lending_deposit_borrow_repay_withdraw_with_interest() {
    let (mut m, alice) = world_with_market(600 * USD, 250 * USD).await;
    let market = m.keys.market;
    let w = &mut m.w;
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.cash, 1_000 * USD);
    assert_eq!(pool.total_shares, 1_000 * USD, "first deposit is 1:1");
    assert_eq!(w.bank.token_balance(&w.lender_shares).await, 1_000 * USD);

    // The market borrows 500 (a $250 mint at 3x): utilisation 50% -> 4% × 50/80 = 2.5% a year.
    let out = m.mint(&alice, 250 * USD, 0).await.expect("mint borrows");
    let w = &mut m.w;
    let ev: Vec<Borrowed> = parse_events(&out.logs);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].amount, ev[0].debt, ev[0].cash), (500 * USD, 500 * USD, 500 * USD));
    assert_eq!(w.bank.token_balance(&w.lending.liquidity_vault).await, 500 * USD);

    let t0 = w.bank.now().await;
    w.bank.warp_seconds(SECONDS_PER_YEAR as i64).await;
    w.bank.send(&[w.lending.accrue_interest()], &[]).await.expect("accrue");
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    let rate = default_pool_config().rate_model().borrow_rate_bps(utilization_bps(500 * USD, 500 * USD).unwrap()).unwrap();
    assert_eq!(rate, 250);
    let expected_index = accrue_index_up(WAD, rate, SECONDS_PER_YEAR).unwrap();
    assert_eq!(pool.borrow_index, expected_index);
    assert_eq!(pool.last_accrual_ts, t0 + SECONDS_PER_YEAR as i64);
    let record: lending_pool::Borrower = w.bank.anchor_account(&w.lending.borrower(&market)).await;
    let debt = debt_from_scaled_up(record.scaled_debt, pool.borrow_index).unwrap();
    assert_eq!(debt, 512_500_000, "500 USDC at 2.5% for a year");
    assert_eq!(record.scaled_debt, scaled_for_borrow_up(500 * USD, WAD).unwrap());

    // Anyone may repay the market's debt: repay everything (asking for more repays exactly the debt).
    let wallet = w.user(520 * USD, 0).await;
    let out = w.bank.send(&[w.lending.repay(wallet.key(), market, wallet.usdc, u64::MAX)], &[&wallet.kp]).await.expect("repay");
    let ev: Vec<Repaid> = parse_events(&out.logs);
    assert_eq!((ev[0].amount, ev[0].debt), (debt, 0));
    assert_eq!(w.bank.token_balance(&wallet.usdc).await, 520 * USD - debt);
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.total_scaled_debt, 0);
    assert_eq!(pool.cash, 1_000 * USD + 12_500_000);
    assert_eq!(w.bank.token_balance(&w.lending.liquidity_vault).await, pool.cash);

    // The lender withdraws everything: principal plus the interest, less the virtual share's dust.
    let shares = w.bank.token_balance(&w.lender_shares).await;
    let lender = &w.lender;
    let ix = w.lending.withdraw(lender.key(), lender.usdc, w.lender_shares, shares, 1_012 * USD);
    let out = w.bank.send(&[ix], &[&w.lender.kp]).await.expect("withdraw");
    let got = w.bank.token_balance(&w.lender.usdc).await;
    assert!(got > 1_012_499_000 && got <= 1_012_500_000, "{got}");
    let ev: Vec<Withdrawn> = parse_events(&out.logs);
    assert_eq!(ev[0].amount, got);
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.total_shares, 0);
}

#[tokio::test]
async fn lending_interest_follows_the_kinked_rate() {
    let (mut m, alice) = world_with_market(1_000 * USD, 450 * USD).await;
    // The market borrows 900 ($450 at 3x): 90% utilisation: 4% + 7,500 × 10/20 = 41.5% a year.
    let out = m.mint(&alice, 450 * USD, 0).await.unwrap();
    assert_eq!(parse_events::<Borrowed>(&out.logs)[0].amount, 900 * USD);
    let w = &mut m.w;
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.borrow_rate_bps().unwrap(), 4_150);
    w.bank.warp_seconds(30 * 86_400).await;
    w.bank.send(&[w.lending.accrue_interest()], &[]).await.unwrap();
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    let expected = accrue_index_up(WAD, 4_150, 30 * 86_400).unwrap();
    assert_eq!(pool.borrow_index, expected);
    // Lenders' assets grew by exactly the borrowers' interest (within one unit of rounding).
    let total = pool.total_assets().unwrap();
    let interest = debt_from_scaled_up(pool.total_scaled_debt, pool.borrow_index).unwrap() - 900 * USD;
    assert!((total as i128 - (1_000 * USD + interest) as i128).abs() <= 1);
}

#[tokio::test]
async fn lending_bad_inputs_fail_with_named_errors_and_change_nothing() {
    let (mut m, holder) = world_with_market(300 * USD, 1_000 * USD).await;
    let market = m.keys.market;
    let stranger = m.w.bank.funded_keypair(1_000_000_000).await;
    let keys = [
        m.w.lending.pool,
        m.w.lending.liquidity_vault,
        m.w.lending.borrower(&market),
        m.w.lending.borrower(&stranger.pubkey()),
        holder.user.usdc,
        holder.lev,
        m.keys.market,
        m.keys.collateral_vault,
        m.keys.quote_vault,
        m.w.lender.usdc,
        m.w.lender_shares,
    ];
    let before = m.w.bank.snapshot(&keys).await;
    let admin = m.w.bank.payer_key();

    // Zero amounts.
    let w = &mut m.w;
    let ix = w.lending.deposit(w.lender.key(), w.lender.usdc, w.lender_shares, 0, 0);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::ZeroAmount);
    // Over the credit limit: a $150.000001 mint at 3x would borrow $300.000002 on a $300 line.
    assert_error(m.mint(&holder, 150 * USD + 1, 0).await, LendingError::CreditLimitExceeded);
    let w = &mut m.w;
    let wallet = &holder.user;
    // A signer that is not a registered borrower: its record does not exist.
    let ix = w.lending.borrow(stranger.pubkey(), wallet.usdc, USD);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::AccountNotInitialized));
    // A stranger signing with the borrower's record: seeds do not match.
    let mut accts = w.lending.borrow_accounts(stranger.pubkey(), wallet.usdc);
    accts.borrower = w.lending.borrower(&market);
    let ix = levtoken_client::anchor_ix(lending_pool::ID, accts, lending_pool::instruction::Borrow { amount: USD });
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::ConstraintSeeds));
    // Non-admin registering a borrower or changing config.
    let ix = w.lending.register_borrower(stranger.pubkey(), stranger.pubkey(), u64::MAX);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, LendingError::Unauthorized);
    let ix = w.lending.queue_config(stranger.pubkey(), default_pool_config());
    assert_error(w.bank.send(&[ix], &[&stranger]).await, LendingError::Unauthorized);
    let ix = w.lending.cancel_config(stranger.pubkey());
    assert_error(w.bank.send(&[ix], &[&stranger]).await, LendingError::Unauthorized);
    // The admin cannot open a line for anything but a market, nor one above the hard cap.
    let ix = w.lending.register_borrower(admin, stranger.pubkey(), MAX_CREDIT_LIMIT);
    assert_error(w.bank.send(&[ix], &[]).await, LendingError::NotAMarket);
    let ix = w.lending.register_borrower(admin, stranger.pubkey(), u64::MAX);
    assert_error(w.bank.send(&[ix], &[]).await, LendingError::CreditLimitTooHigh);
    // Config outside hard bounds is refused when queued; nothing is queued to execute.
    let bad = PoolConfig { optimal_utilization_bps: 10_000, ..default_pool_config() };
    assert_error(w.bank.send(&[w.lending.queue_config(admin, bad)], &[]).await, LendingError::InvalidConfig);
    let bad = PoolConfig { liquidation_leverage_bps: 10_000, ..default_pool_config() };
    assert_error(w.bank.send(&[w.lending.queue_config(admin, bad)], &[]).await, LendingError::InvalidConfig);
    assert_error(w.bank.send(&[w.lending.execute_config()], &[]).await, LendingError::NoConfigQueued);
    // Wrong mint: an ETH account as the lender's USDC source.
    let ix = w.lending.deposit(wallet.key(), wallet.eth, w.lender_shares, USD, 0);
    assert_error(w.bank.send(&[ix], &[&wallet.kp]).await, anchor_code(AnchorError::ConstraintTokenMint));
    // Wrong authority: someone else's USDC account as the source.
    let ix = w.lending.deposit(stranger.pubkey(), w.lender.usdc, w.lender_shares, USD, 0);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::ConstraintTokenOwner));
    // Min-shares slippage guard.
    let ix = w.lending.deposit(w.lender.key(), w.lender.usdc, w.lender_shares, USD, USD + 1);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::SharesBelowMinimum);

    let after = m.w.bank.snapshot(&keys).await;
    assert_unchanged(&keys, &before, &after);
}

#[tokio::test]
async fn lending_withdrawal_is_limited_by_idle_cash() {
    // The market keeps its full $100M line.
    let (mut m, holder) = world_with_market(MARKET_CREDIT_LIMIT, 1_000 * USD).await;
    let out = m.mint(&holder, 450 * USD, 0).await.unwrap();
    assert_eq!(parse_events::<Borrowed>(&out.logs)[0].amount, 900 * USD);
    let keys = [
        m.w.lending.pool,
        m.w.lending.liquidity_vault,
        m.w.lender.usdc,
        m.w.lender_shares,
        m.keys.lending_borrower(),
        m.keys.market,
        holder.user.usdc,
        holder.lev,
    ];
    let before = m.w.bank.snapshot(&keys).await;
    let w = &mut m.w;
    let lender = &w.lender;
    let ix = w.lending.withdraw(lender.key(), lender.usdc, w.lender_shares, 500 * USD, 0);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::InsufficientLiquidity);
    // Borrowing beyond the cash is refused the same way, however large the line: a $50.000001 mint
    // would borrow $100.000002 of the $100 left.
    assert_error(m.mint(&holder, 50 * USD + 1, 0).await, LendingError::InsufficientLiquidity);
    let after = m.w.bank.snapshot(&keys).await;
    assert_unchanged(&keys, &before, &after);
    let w = &mut m.w;
    // Withdrawing what is idle works.
    let lender = &w.lender;
    let ix = w.lending.withdraw(lender.key(), lender.usdc, w.lender_shares, 100 * USD, 99 * USD);
    w.bank.send(&[ix], &[&w.lender.kp]).await.expect("withdraw idle cash");
}

#[tokio::test]
async fn lending_donation_does_not_move_the_share_price() {
    let mut w = World::new(WorldConfig { lend_usd: 0, ..Default::default() }).await;
    let attacker = w.user(1_000_001 * USD, 0).await;
    let att_shares = w.bank.create_token_account(&w.lending.share_mint, &attacker.key(), &SPL_TOKEN_ID).await;
    w.bank.send(&[w.lending.deposit(attacker.key(), attacker.usdc, att_shares, 1, 0)], &[&attacker.kp]).await.unwrap();
    // Donate straight into the vault.
    let vault = w.lending.liquidity_vault;
    w.donate_usdc(&attacker, &vault, 1_000_000 * USD).await;
    let victim = w.user(1_000 * USD, 0).await;
    let v_shares = w.bank.create_token_account(&w.lending.share_mint, &victim.key(), &SPL_TOKEN_ID).await;
    let out = w.bank.send(&[w.lending.deposit(victim.key(), victim.usdc, v_shares, 1_000 * USD, 1)], &[&victim.kp]).await.unwrap();
    let ev: Vec<Deposited> = parse_events(&out.logs);
    assert_eq!(ev[0].shares, 1_000 * USD, "victim still gets 1:1");
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.cash, 1_000 * USD + 1, "the donation is not counted");
}
