use amm::{AmmError, Swapped};
use anchor_lang::error::ErrorCode as AnchorError;
use lev_math::swap_out_down;
use levtoken_client::{amm::AmmPool, events::parse_events, SPL_TOKEN_ID, TOKEN_2022_ID};
use levtoken_tests::*;

#[tokio::test]
async fn amm_swap_matches_constant_product_both_ways() {
    let mut w = World::new(WorldConfig { amm_depth_usd: 1_000_000, ..Default::default() }).await;
    let trader = w.user(50_000 * USD, 10 * ETH).await;
    let (re, ru) = w.amm_reserves().await;

    // USDC -> ETH
    let amount_in = 30_000 * USD;
    let expected = swap_out_down(amount_in, ru, re, 30).unwrap();
    let usdc_in = w.amm.is_a(&w.usdc);
    let ix = w.amm.swap(trader.key(), trader.usdc, trader.eth, usdc_in, amount_in, expected);
    let out = w.bank.send(&[ix], &[&trader.kp]).await.expect("swap");
    assert_eq!(w.bank.token_balance(&trader.eth).await, 10 * ETH + expected);
    assert_eq!(w.bank.token_balance(&trader.usdc).await, 20_000 * USD);
    assert_eq!(w.amm_reserves().await, (re - expected, ru + amount_in));
    let ev: Vec<Swapped> = parse_events(&out.logs);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].a_to_b, ev[0].amount_in, ev[0].amount_out), (usdc_in, amount_in, expected));
    // Roughly 10 ETH at $3,000 minus 0.3% fee and ~3% price impact.
    assert!(expected > 9 * ETH && expected < 10 * ETH, "{expected}");

    // ETH -> USDC
    let (re, ru) = w.amm_reserves().await;
    let eth_in = 5 * ETH;
    let expected = swap_out_down(eth_in, re, ru, 30).unwrap();
    let ix = w.amm.swap(trader.key(), trader.eth, trader.usdc, !usdc_in, eth_in, 0);
    w.bank.send(&[ix], &[&trader.kp]).await.expect("swap back");
    assert_eq!(w.bank.token_balance(&trader.usdc).await, 20_000 * USD + expected);
    assert_eq!(w.amm_reserves().await, (re + eth_in, ru - expected));
    // Vault balances match the accounted reserves.
    let (re, ru) = w.amm_reserves().await;
    assert_eq!(w.bank.token_balance(&w.amm.vault_of(&w.eth)).await, re);
    assert_eq!(w.bank.token_balance(&w.amm.vault_of(&w.usdc)).await, ru);
}

#[tokio::test]
async fn amm_liquidity_add_and_remove_pro_rata() {
    let mut w = World::new(WorldConfig { amm_depth_usd: 300_000, ..Default::default() }).await;
    let (re, ru) = w.amm_reserves().await;
    // First deposit locked MINIMUM_LIQUIDITY.
    let lp_first = w.bank.token_balance(&w.lp_token).await;
    assert_eq!(lp_first, lev_math::initial_lp_down(re, ru).unwrap());
    let pool: amm::Pool = w.bank.anchor_account(&w.amm.pool).await;
    assert_eq!(pool.lp_supply, lp_first + lev_math::MINIMUM_LIQUIDITY);

    let second = w.user(30_000 * USD, 20 * ETH).await;
    let lp_acct = w.bank.create_token_account(&w.amm.lp_mint, &second.key(), &SPL_TOKEN_ID).await;
    let (lp, a, b) = lev_math::proportional_deposit(20 * ETH, 30_000 * USD, re, ru, pool.lp_supply).unwrap();
    let (owner_a, owner_b) = w.amm.in_ab_order(&w.eth, second.eth, second.usdc);
    let (max_a, max_b) = w.amm.in_ab_order(&w.eth, 20 * ETH, 30_000 * USD);
    let ix = w.amm.add_liquidity(second.key(), owner_a, owner_b, lp_acct, max_a, max_b, lp);
    w.bank.send(&[ix], &[&second.kp]).await.expect("add liquidity");
    assert_eq!(w.bank.token_balance(&lp_acct).await, lp);
    assert_eq!(w.bank.token_balance(&second.eth).await, 20 * ETH - a);
    assert_eq!(w.bank.token_balance(&second.usdc).await, 30_000 * USD - b);
    // A proportional deposit takes the pool's ratio: 10 ETH and 30,000 USDC at $3,000.
    assert_eq!(b, 30_000 * USD);
    assert!(a.abs_diff(10 * ETH) <= 1, "{a}");

    let pool: amm::Pool = w.bank.anchor_account(&w.amm.pool).await;
    let (pool_eth, pool_usdc) = levtoken_client::amm::reserves_of(&pool, &w.eth);
    let (wa, wb) = lev_math::withdraw_amounts_down(lp, pool_eth, pool_usdc, pool.lp_supply).unwrap();
    let (min_a, min_b) = w.amm.in_ab_order(&w.eth, wa, wb);
    let ix = w.amm.remove_liquidity(second.key(), owner_a, owner_b, lp_acct, lp, min_a, min_b);
    w.bank.send(&[ix], &[&second.kp]).await.expect("remove liquidity");
    assert_eq!(w.bank.token_balance(&lp_acct).await, 0);
    // Never more than was put in.
    assert!(wa <= a && wb <= b);
    assert_eq!(w.bank.token_balance(&second.usdc).await, 30_000 * USD - b + wb);
}

#[tokio::test]
async fn amm_bad_inputs_fail_with_named_errors_and_change_nothing() {
    let mut w = World::new(WorldConfig { amm_depth_usd: 300_000, ..Default::default() }).await;
    let trader = w.user(10_000 * USD, ETH).await;
    let keys = [w.amm.pool, w.amm.vault_a, w.amm.vault_b, trader.usdc, trader.eth];
    let before = w.bank.snapshot(&keys).await;

    // Zero amount.
    let usdc_in = w.amm.is_a(&w.usdc);
    let ix = w.amm.swap(trader.key(), trader.usdc, trader.eth, usdc_in, 0, 0);
    assert_error(w.bank.send(&[ix], &[&trader.kp]).await, AmmError::ZeroAmount);
    // Slippage: ask for more than the curve gives.
    let (re, ru) = w.amm_reserves().await;
    let fair = swap_out_down(1_000 * USD, ru, re, 30).unwrap();
    let ix = w.amm.swap(trader.key(), trader.usdc, trader.eth, usdc_in, 1_000 * USD, fair + 1);
    assert_error(w.bank.send(&[ix], &[&trader.kp]).await, AmmError::SlippageExceeded);
    // Wrong mint: USDC source declared as the ETH side.
    let mut accts = w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, !usdc_in);
    accts.user_source = trader.usdc;
    let ix = levtoken_client::anchor_ix(amm::ID, accts, amm::instruction::Swap { amount_in: USD, min_out: 0 });
    assert_error(w.bank.send(&[ix], &[&trader.kp]).await, anchor_code(AnchorError::ConstraintTokenMint));
    // Wrong vault: another pool's ETH vault as the output side.
    let other_quote = w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let other = AmmPool::derive(w.eth, TOKEN_2022_ID, other_quote, SPL_TOKEN_ID, SPL_TOKEN_ID);
    let payer = w.bank.payer_key();
    w.bank.send(&[other.initialize(payer, 30)], &[]).await.expect("second pool");
    let mut accts = w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, usdc_in);
    accts.output_vault = other.vault_of(&w.eth);
    let ix = levtoken_client::anchor_ix(amm::ID, accts, amm::instruction::Swap { amount_in: USD, min_out: 0 });
    assert_error(w.bank.send(&[ix], &[&trader.kp]).await, AmmError::InvalidVault);
    // Wrong authority: a stranger signs for the trader's account.
    let thief = w.bank.funded_keypair(1_000_000_000).await;
    let thief_eth = w.bank.create_token_account(&w.eth, &thief.pubkey_(), &TOKEN_2022_ID).await;
    let ix = w.amm.swap(thief.pubkey_(), trader.usdc, thief_eth, usdc_in, USD, 0);
    let f = assert_failed(w.bank.send(&[ix], &[&thief]).await);
    // SPL Token's OwnerMismatch (4).
    assert_eq!(f.custom_code(), Some(4), "{f}");
    // Wrong owner: a look-alike pool account owned by another program.
    let real = w.bank.account(&w.amm.pool).await.unwrap();
    let fake = anchor_lang::prelude::Pubkey::new_unique();
    w.bank.set_account(&fake, solana_account::Account { owner: lending_pool::ID, ..real });
    let mut accts = w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, usdc_in);
    accts.pool = fake;
    let ix = levtoken_client::anchor_ix(amm::ID, accts, amm::instruction::Swap { amount_in: USD, min_out: 0 });
    assert_error(w.bank.send(&[ix], &[&trader.kp]).await, anchor_code(AnchorError::AccountOwnedByWrongProgram));

    let after = w.bank.snapshot(&keys).await;
    assert_unchanged(&keys, &before, &after);
}

#[tokio::test]
async fn amm_init_rejects_bad_fee_and_identical_mints() {
    let mut w = World::new(WorldConfig::default()).await;
    let other = w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let pool = AmmPool::derive(other, SPL_TOKEN_ID, w.usdc, SPL_TOKEN_ID, SPL_TOKEN_ID);
    let payer = w.bank.payer_key();
    assert_error(w.bank.send(&[pool.initialize(payer, 1_001)], &[]).await, AmmError::FeeTooHigh);
    assert!(w.bank.account(&pool.pool).await.is_none());
    let same = AmmPool::derive(w.usdc, SPL_TOKEN_ID, w.usdc, SPL_TOKEN_ID, SPL_TOKEN_ID);
    // The two vault PDAs coincide, so the runtime or Anchor refuses before our check.
    assert_failed(w.bank.send(&[same.initialize(payer, 30)], &[]).await);
    assert!(w.bank.account(&same.pool).await.is_none());
    w.bank.send(&[pool.initialize(payer, 1_000)], &[]).await.expect("10% fee is allowed");
}

trait PubkeyOf {
    fn pubkey_(&self) -> anchor_lang::prelude::Pubkey;
}

impl PubkeyOf for solana_keypair::Keypair {
    fn pubkey_(&self) -> anchor_lang::prelude::Pubkey {
        solana_signer::Signer::pubkey(self)
    }
}
