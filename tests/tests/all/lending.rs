use anchor_lang::error::ErrorCode as AnchorError;
use lending_pool::{Borrowed, Deposited, LendingError, LendingPool, PoolConfig, Repaid, Withdrawn};
use lev_math::{accrue_index_up, debt_from_scaled_up, scaled_for_borrow_up, utilization_bps, SECONDS_PER_YEAR, WAD};
use levtoken_client::{events::parse_events, SPL_TOKEN_ID};
use levtoken_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A world with 1,000 USDC lent and a keypair registered as a borrower with `limit` credit.
async fn world_with_borrower(limit: u64) -> (World, Keypair, User) {
    let mut w = World::new(WorldConfig { lend_usd: 1_000, ..Default::default() }).await;
    let borrower = w.bank.funded_keypair(1_000_000_000).await;
    let admin = w.bank.payer_key();
    let ix = w.lending.register_borrower(admin, borrower.pubkey(), limit);
    w.bank.send(&[ix], &[]).await.expect("register borrower");
    let wallet = w.user(0, 0).await;
    (w, borrower, wallet)
}

#[tokio::test]
async fn lending_deposit_borrow_repay_withdraw_with_interest() {
    let (mut w, borrower, wallet) = world_with_borrower(600 * USD).await;
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    assert_eq!(pool.cash, 1_000 * USD);
    assert_eq!(pool.total_shares, 1_000 * USD, "first deposit is 1:1");
    assert_eq!(w.bank.token_balance(&w.lender_shares).await, 1_000 * USD);

    // Borrow 500: utilisation 50% -> 4% × 50/80 = 2.5% a year.
    let out = w.bank.send(&[w.lending.borrow(borrower.pubkey(), wallet.usdc, 500 * USD)], &[&borrower]).await.expect("borrow");
    assert_eq!(w.bank.token_balance(&wallet.usdc).await, 500 * USD);
    let ev: Vec<Borrowed> = parse_events(&out.logs);
    assert_eq!((ev[0].amount, ev[0].debt, ev[0].cash), (500 * USD, 500 * USD, 500 * USD));

    let t0 = w.bank.now().await;
    w.bank.warp_seconds(SECONDS_PER_YEAR as i64).await;
    w.bank.send(&[w.lending.accrue_interest()], &[]).await.expect("accrue");
    let pool: LendingPool = w.bank.anchor_account(&w.lending.pool).await;
    let rate = default_pool_config().rate_model().borrow_rate_bps(utilization_bps(500 * USD, 500 * USD).unwrap()).unwrap();
    assert_eq!(rate, 250);
    let expected_index = accrue_index_up(WAD, rate, SECONDS_PER_YEAR).unwrap();
    assert_eq!(pool.borrow_index, expected_index);
    assert_eq!(pool.last_accrual_ts, t0 + SECONDS_PER_YEAR as i64);
    let record: lending_pool::Borrower = w.bank.anchor_account(&w.lending.borrower(&borrower.pubkey())).await;
    let debt = debt_from_scaled_up(record.scaled_debt, pool.borrow_index).unwrap();
    assert_eq!(debt, 512_500_000, "500 USDC at 2.5% for a year");
    assert_eq!(record.scaled_debt, scaled_for_borrow_up(500 * USD, WAD).unwrap());

    // Repay everything (asking for more repays exactly the debt).
    w.bank.mint_to(&w.usdc, &wallet.usdc, 20 * USD, &SPL_TOKEN_ID).await;
    let out = w.bank.send(&[w.lending.repay(wallet.key(), borrower.pubkey(), wallet.usdc, u64::MAX)], &[&wallet.kp]).await.expect("repay");
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
    let (mut w, borrower, wallet) = world_with_borrower(1_000 * USD).await;
    // 90% utilisation: 4% + 7,500 × 10/20 = 41.5% a year.
    w.bank.send(&[w.lending.borrow(borrower.pubkey(), wallet.usdc, 900 * USD)], &[&borrower]).await.unwrap();
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
    let (mut w, borrower, wallet) = world_with_borrower(300 * USD).await;
    let keys = [w.lending.pool, w.lending.liquidity_vault, w.lending.borrower(&borrower.pubkey()), wallet.usdc, w.lender.usdc, w.lender_shares];
    let before = w.bank.snapshot(&keys).await;
    let admin = w.bank.payer_key();

    // Zero amounts.
    let ix = w.lending.deposit(w.lender.key(), w.lender.usdc, w.lender_shares, 0, 0);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::ZeroAmount);
    assert_error(w.bank.send(&[w.lending.borrow(borrower.pubkey(), wallet.usdc, 0)], &[&borrower]).await, LendingError::ZeroAmount);
    // Over the credit limit.
    let ix = w.lending.borrow(borrower.pubkey(), wallet.usdc, 300 * USD + 1);
    assert_error(w.bank.send(&[ix], &[&borrower]).await, LendingError::CreditLimitExceeded);
    // A signer that is not a registered borrower: its record does not exist.
    let stranger = w.bank.funded_keypair(1_000_000_000).await;
    let ix = w.lending.borrow(stranger.pubkey(), wallet.usdc, USD);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::AccountNotInitialized));
    // A stranger signing with the borrower's record: seeds do not match.
    let mut accts = w.lending.borrow_accounts(stranger.pubkey(), wallet.usdc);
    accts.borrower = w.lending.borrower(&borrower.pubkey());
    let ix = levtoken_client::anchor_ix(lending_pool::ID, accts, lending_pool::instruction::Borrow { amount: USD });
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::ConstraintSeeds));
    // Non-admin registering a borrower or changing config.
    let ix = w.lending.register_borrower(stranger.pubkey(), stranger.pubkey(), u64::MAX);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, LendingError::Unauthorized);
    let ix = w.lending.set_config(stranger.pubkey(), default_pool_config());
    assert_error(w.bank.send(&[ix], &[&stranger]).await, LendingError::Unauthorized);
    // Config outside hard bounds.
    let bad = PoolConfig { optimal_utilization_bps: 10_000, ..default_pool_config() };
    assert_error(w.bank.send(&[w.lending.set_config(admin, bad)], &[]).await, LendingError::InvalidConfig);
    let bad = PoolConfig { liquidation_leverage_bps: 10_000, ..default_pool_config() };
    assert_error(w.bank.send(&[w.lending.set_config(admin, bad)], &[]).await, LendingError::InvalidConfig);
    // Wrong mint: an ETH account as the lender's USDC source.
    let ix = w.lending.deposit(wallet.key(), wallet.eth, w.lender_shares, USD, 0);
    assert_error(w.bank.send(&[ix], &[&wallet.kp]).await, anchor_code(AnchorError::ConstraintTokenMint));
    // Wrong authority: someone else's USDC account as the source.
    let ix = w.lending.deposit(stranger.pubkey(), w.lender.usdc, w.lender_shares, USD, 0);
    assert_error(w.bank.send(&[ix], &[&stranger]).await, anchor_code(AnchorError::ConstraintTokenOwner));
    // Min-shares slippage guard.
    let ix = w.lending.deposit(w.lender.key(), w.lender.usdc, w.lender_shares, USD, USD + 1);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::SharesBelowMinimum);

    let after = w.bank.snapshot(&keys).await;
    assert_unchanged(&keys, &before, &after);
}

#[tokio::test]
async fn lending_withdrawal_is_limited_by_idle_cash() {
    let (mut w, borrower, wallet) = world_with_borrower(900 * USD).await;
    w.bank.send(&[w.lending.borrow(borrower.pubkey(), wallet.usdc, 900 * USD)], &[&borrower]).await.unwrap();
    let keys = [w.lending.pool, w.lending.liquidity_vault, w.lender.usdc, w.lender_shares];
    let before = w.bank.snapshot(&keys).await;
    let lender = &w.lender;
    let ix = w.lending.withdraw(lender.key(), lender.usdc, w.lender_shares, 500 * USD, 0);
    assert_error(w.bank.send(&[ix], &[&w.lender.kp]).await, LendingError::InsufficientLiquidity);
    // Borrowing beyond the cash is refused the same way.
    let more = w.bank.funded_keypair(1_000_000_000).await;
    let admin = w.bank.payer_key();
    w.bank.send(&[w.lending.register_borrower(admin, more.pubkey(), u64::MAX)], &[]).await.unwrap();
    let ix = w.lending.borrow(more.pubkey(), wallet.usdc, 100 * USD + 1);
    assert_error(w.bank.send(&[ix], &[&more]).await, LendingError::InsufficientLiquidity);
    let after = w.bank.snapshot(&keys).await;
    assert_unchanged(&keys, &before, &after);
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
