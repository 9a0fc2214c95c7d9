//! Attacks that drained other Solana protocols, tried against our three programs. Each test asserts
//! the specific error and that no account it could have touched changed.

use amm::AmmError;
use anchor_lang::{error::ErrorCode as Anchor, prelude::Pubkey, AccountSerialize};
use lending_pool::LendingError;
use leveraged_token::{AdminChange, InitMarketArgs, LevError, MarketParams};
use levtoken_client::{anchor_ix, market::MarketKeys, oracle::ETH_USD_FEED_ID, SPL_TOKEN_ID, TOKEN_2022_ID};
use levtoken_tests::*;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

fn world() -> WorldConfig {
    WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }
}

/// A market with one holder who minted $1,000, and a second holder with $1,000 ready.
async fn armed() -> (MarketWorld, Holder, Holder) {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(2_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.unwrap();
    let bob = m.holder(1_000 * USD).await;
    (m, alice, bob)
}

/// Accounts any market instruction could move.
fn market_keys(m: &MarketWorld, hs: &[&Holder]) -> Vec<Pubkey> {
    let k = &m.keys;
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
        m.keeper.usdc,
    ];
    for h in hs {
        v.extend([h.user.usdc, h.lev]);
    }
    v
}

/// Send `ix` signed by `signers`, assert the error, assert nothing in `keys` changed.
async fn refused(m: &mut MarketWorld, ix: Instruction, signers: &[&Keypair], keys: &[Pubkey], code: impl Into<u32>) {
    let before = m.w.bank.snapshot(keys).await;
    assert_error(m.w.bank.send(&[ix], signers).await, code);
    assert_unchanged(keys, &before, &m.w.bank.snapshot(keys).await);
}

/// A copy of `key`'s account at a new address, with `owner` replaced.
async fn clone_with_owner(m: &mut MarketWorld, key: &Pubkey, owner: Pubkey) -> Pubkey {
    let acc = m.w.bank.account(key).await.unwrap();
    let fake = Pubkey::new_unique();
    m.w.bank.set_account(&fake, Account { owner, ..acc });
    fake
}

/// A second market (id 2) on the same pools and oracle.
async fn second_market(m: &mut MarketWorld) -> MarketKeys {
    let treasury = Pubkey::new_unique();
    let keys = MarketKeys::derive(2, m.w.eth, TOKEN_2022_ID, m.w.lending, m.w.amm, m.keys.oracle, treasury);
    let admin = m.w.bank.payer_key();
    let args = InitMarketArgs {
        params: seed_params(),
        feed_id: ETH_USD_FEED_ID,
        swap_programs: vec![amm::ID],
        swap_pools: vec![m.w.amm.pool],
        guardian: admin,
        treasury,
        timelock_secs: 0,
        credit_limit: MARKET_CREDIT_LIMIT,
        name: "ETH 3x Long".into(),
        symbol: "ETHBULL3X".into(),
        uri: "https://example.invalid/2.json".into(),
    };
    m.w.bank.send(&[keys.init_market(admin, admin, args)], &[]).await.unwrap();
    keys
}

// ---- missing signer ---------------------------------------------------------------------------

#[tokio::test]
async fn attack_mint_without_the_users_signature() {
    let (mut m, alice, bob) = armed().await;
    // Mallory names Bob as the user (to spend Bob's USDC) but cannot sign for him.
    let mut ix = m.keys.mint(bob.user.key(), bob.user.usdc, alice.lev, 500 * USD, 0);
    ix.accounts.iter_mut().filter(|a| a.pubkey == bob.user.key()).for_each(|a| a.is_signer = false);
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[], &keys, Anchor::AccountNotSigner).await;
}

#[tokio::test]
async fn attack_redeem_someone_elses_tokens_without_signature() {
    let (mut m, alice, bob) = armed().await;
    let mut ix = m.keys.redeem(alice.user.key(), bob.user.usdc, alice.lev, 100 * USD, 0);
    ix.accounts.iter_mut().filter(|a| a.pubkey == alice.user.key()).for_each(|a| a.is_signer = false);
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[], &keys, Anchor::AccountNotSigner).await;
    // Signing as Bob for Alice's token account: the account's owner check refuses it.
    let ix = m.keys.redeem(bob.user.key(), bob.user.usdc, alice.lev, 100 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    refused(&mut m, ix, &[&kp], &keys, Anchor::ConstraintTokenOwner).await;
}

#[tokio::test]
async fn attack_admin_instruction_without_the_admins_signature() {
    let (mut m, alice, _) = armed().await;
    let admin = m.w.bank.payer_key();
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    // The payer must sign every transaction; so Mallory pays and leaves the admin unsigned.
    let mut ix = m.keys.queue_change(admin, AdminChange::Params(MarketParams { mint_fee_bps: 100, ..seed_params() }));
    ix.accounts[0].is_signer = false;
    let keys = market_keys(&m, &[&alice]);
    let before = m.w.bank.snapshot(&keys).await;
    assert_error(m.w.bank.send_paid_by(&[ix], &mallory, &[]).await, Anchor::AccountNotSigner);
    assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
}

// ---- wrong owner / type cosplay ----------------------------------------------------------------

#[tokio::test]
async fn attack_market_account_owned_by_another_program() {
    let (mut m, alice, _) = armed().await;
    let market = m.keys.market;
    let fake = clone_with_owner(&mut m, &market, lending_pool::ID).await;
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.core.market = fake);
    let kp = m.keeper.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::AccountOwnedByWrongProgram).await;
}

#[tokio::test]
async fn attack_oracle_owned_by_another_program() {
    let (mut m, alice, bob) = armed().await;
    // Rewrite the pinned oracle address itself with a price Mallory likes, owned by her program.
    let mut acc = m.w.bank.account(&m.keys.oracle).await.unwrap();
    acc.owner = amm::ID;
    let oracle = m.keys.oracle;
    m.w.bank.set_account(&oracle, acc);
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 500 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::AccountOwnedByWrongProgram).await;
}

#[tokio::test]
async fn attack_type_cosplay_borrower_record_as_lending_pool() {
    let (mut m, alice, _) = armed().await;
    // Same owner (the lending program), another account type.
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.core.lending_pool = m.keys.lending_borrower());
    let kp = m.keeper.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::AccountDiscriminatorMismatch).await;
}

#[tokio::test]
async fn attack_type_cosplay_forged_market_with_our_owner() {
    let (mut m, alice, _) = armed().await;
    // An account owned by our program but holding another type's bytes (a lending pool's).
    let pool = m.w.bank.account(&m.keys.lending.pool).await.unwrap();
    let fake = Pubkey::new_unique();
    m.w.bank.set_account(&fake, Account { owner: leveraged_token::ID, ..pool });
    let ix = m.keys.set_pause(m.w.bank.payer_key(), true);
    let mut ix = ix;
    ix.accounts[1].pubkey = fake;
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[], &keys, Anchor::AccountDiscriminatorMismatch).await;
}

// ---- account substitution ----------------------------------------------------------------------

#[tokio::test]
async fn attack_another_markets_vault() {
    let (mut m, alice, _) = armed().await;
    let other = second_market(&mut m).await;
    let tokens = m.lev_balance(&alice).await;
    let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.core.collateral_vault = other.collateral_vault);
    let kp = alice.user.kp.insecure_clone();
    let mut keys = market_keys(&m, &[&alice]);
    keys.push(other.collateral_vault);
    refused(&mut m, ix, &[&kp], &keys, Anchor::ConstraintAddress).await;
}

#[tokio::test]
async fn attack_lookalike_mint_and_fake_token_account() {
    let (mut m, alice, bob) = armed().await;
    // A mint with USDC's decimals, and a token account of it owned by the market PDA.
    let fake_usdc = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let fake_vault = m.w.bank.create_token_account(&fake_usdc, &m.keys.market, &SPL_TOKEN_ID).await;
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    let ix = mint_ix(&m.keys, &bob, 100 * USD, |a| a.core.quote_mint = fake_usdc);
    refused(&mut m, ix, &[&kp], &keys, Anchor::ConstraintAddress).await;
    let ix = mint_ix(&m.keys, &bob, 100 * USD, |a| a.core.quote_vault = fake_vault);
    refused(&mut m, ix, &[&kp], &keys, Anchor::ConstraintAddress).await;
}

#[tokio::test]
async fn attack_swap_through_another_pool() {
    let (mut m, alice, bob) = armed().await;
    // A thin pool of the allowlisted AMM program. ETH/USDC has exactly one (canonical,
    // deployer-created) pool, so the thin one pairs ETH with a look-alike 6-decimal mint.
    let payer = m.w.bank.payer_key();
    let look_alike = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let thin = levtoken_client::amm::AmmPool::derive(look_alike, SPL_TOKEN_ID, m.w.eth, TOKEN_2022_ID, SPL_TOKEN_ID);
    m.w.bank.send(&[thin.initialize(payer, 1_000)], &[]).await.unwrap();
    let mut rerouted = m.keys;
    rerouted.amm = thin;
    let ix = rerouted.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let mut keys = market_keys(&m, &[&alice, &bob]);
    keys.push(thin.pool);
    refused(&mut m, ix, &[&kp], &keys, LevError::SwapProgramNotAllowed).await;
}

// ---- PDAs ----------------------------------------------------------------------------------------

#[tokio::test]
async fn attack_market_at_a_non_canonical_bump() {
    let (mut m, alice, _) = armed().await;
    let id = m.keys.market_id.to_le_bytes();
    let (_, canonical) = Pubkey::find_program_address(&[leveraged_token::MARKET_SEED, &id], &leveraged_token::ID);
    let other_bump = (0..canonical)
        .rev()
        .find_map(|b| Pubkey::create_program_address(&[leveraged_token::MARKET_SEED, &id, &[b]], &leveraged_token::ID).ok())
        .expect("another valid bump");
    // Plant a copy of the market (its admin set to Mallory) at the non-canonical address.
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let mut market = m.market().await;
    market.admin = mallory.pubkey();
    let mut data = Vec::new();
    market.try_serialize(&mut data).unwrap();
    let real = m.w.bank.account(&m.keys.market).await.unwrap();
    m.w.bank.set_account(&other_bump, Account { data, ..real });
    let mut ix = m.keys.queue_change(mallory.pubkey(), AdminChange::Params(MarketParams { mint_fee_bps: 100, ..seed_params() }));
    ix.accounts[1].pubkey = other_bump;
    let mut keys = market_keys(&m, &[&alice]);
    keys.push(other_bump);
    refused(&mut m, ix, &[&mallory], &keys, Anchor::ConstraintSeeds).await;
}

#[tokio::test]
async fn attack_borrower_record_of_another_authority() {
    let (mut m, alice, _) = armed().await;
    // Mallory signs as herself but presents the market's credit line.
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let dest = m.w.bank.create_token_account(&m.w.usdc, &mallory.pubkey(), &SPL_TOKEN_ID).await;
    let mut accts = m.keys.lending.borrow_accounts(mallory.pubkey(), dest);
    accts.borrower = m.keys.lending_borrower();
    let ix = anchor_ix(lending_pool::ID, accts, lending_pool::instruction::Borrow { amount: 1_000 * USD });
    let mut keys = market_keys(&m, &[&alice]);
    keys.push(dest);
    refused(&mut m, ix, &[&mallory], &keys, Anchor::ConstraintSeeds).await;
}

// ---- arbitrary CPI -------------------------------------------------------------------------------

#[tokio::test]
async fn attack_swap_program_not_on_the_allowlist() {
    let (mut m, alice, bob) = armed().await;
    let ix = mint_ix(&m.keys, &bob, 100 * USD, |a| a.core.swap_program = lending_pool::ID);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LevError::SwapProgramNotAllowed).await;
}

#[tokio::test]
async fn attack_fake_token_program() {
    let (mut m, alice, bob) = armed().await;
    let ix = mint_ix(&m.keys, &bob, 100 * USD, |a| a.core.quote_token_program = amm::ID);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::InvalidProgramId).await;
    // And the AMM refuses a fake token program too.
    let ix = {
        let mut a = m.w.amm.swap_accounts(bob.user.key(), bob.user.usdc, bob.user.eth, m.w.amm.is_a(&m.w.usdc));
        a.input_token_program = lending_pool::ID;
        anchor_ix(amm::ID, a, amm::instruction::Swap { amount_in: USD, min_out: 0 })
    };
    refused(&mut m, ix, &[&kp], &keys, Anchor::InvalidProgramId).await;
}

// ---- duplicate mutable accounts, re-initialisation, closing --------------------------------------

#[tokio::test]
async fn attack_duplicate_mutable_accounts() {
    let (mut m, alice, _) = armed().await;
    // The market's quote vault (which holds the fees) passed as the user's USDC account too.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.user_quote = m.keys.quote_vault);
    let kp = alice.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::ConstraintDuplicateMutableAccount).await;
}

#[tokio::test]
async fn attack_reinitialise_market_pool_and_amm() {
    let (mut m, alice, _) = armed().await;
    let admin = m.w.bank.payer_key();
    let keys = market_keys(&m, &[&alice]);
    let args = InitMarketArgs {
        params: seed_params(),
        feed_id: ETH_USD_FEED_ID,
        swap_programs: vec![amm::ID],
        swap_pools: vec![m.w.amm.pool],
        guardian: admin,
        treasury: admin,
        timelock_secs: 0,
        credit_limit: MARKET_CREDIT_LIMIT,
        name: "x".into(),
        symbol: "x".into(),
        uri: "x".into(),
    };
    // The system program refuses to create an account that exists (AccountAlreadyInUse = 0).
    let (init_market, init_pool, init_amm) =
        (m.keys.init_market(admin, admin, args), m.w.lending.init_pool(admin, default_pool_config(), 0), m.w.amm.initialize(admin, 30));
    for ix in [init_market, init_pool, init_amm] {
        let before = m.w.bank.snapshot(&keys).await;
        let f = assert_failed(m.w.bank.send(&[ix], &[]).await);
        // Anchor's `init` asks the system program to create (or allocate and assign) the account
        // again, and the system program refuses: the program's own code never runs.
        assert!(matches!(f.error, solana_transaction_error::TransactionError::InstructionError(1, _)), "{f}");
        assert!(f.logs.iter().any(|l| l == "Program 11111111111111111111111111111111 failed: invalid instruction data" || l.contains("already in use")), "{f}");
        assert_unchanged(&keys, &before, &m.w.bank.snapshot(&keys).await);
    }
}

#[tokio::test]
async fn attack_closed_and_revived_oracle() {
    let (mut m, alice, bob) = armed().await;
    // The oracle account is closed (lamports and data gone): the market refuses to price.
    let oracle = m.keys.oracle;
    m.w.bank.set_account(&oracle, Account { lamports: 0, data: vec![], owner: Pubkey::default(), executable: false, rent_epoch: 0 });
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, Anchor::AccountNotInitialized).await;
    // Revived by someone else with a system-owned account of the right size: still refused.
    m.w.bank.set_account(&oracle, Account { lamports: 10_000_000, data: vec![0; 134], owner: Pubkey::default(), executable: false, rent_epoch: 0 });
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    refused(&mut m, ix, &[&kp], &keys, Anchor::AccountOwnedByWrongProgram).await;
}

#[tokio::test]
async fn attack_fake_clock_account_changes_nothing() {
    // The programs read time from the Clock sysvar syscall and take no clock account; a forged
    // "clock" appended to the accounts cannot make a recentre look due.
    let (mut m, alice, _) = armed().await;
    m.set_price_usd(3_090).await;
    let fake_clock = Pubkey::new_unique();
    let mut clock = m.w.bank.clock().await;
    clock.unix_timestamp += 30 * 86_400;
    m.w.bank.set_account(&fake_clock, Account { lamports: 1_000_000, data: bincode_clock(&clock), owner: Pubkey::default(), executable: false, rent_epoch: 0 });
    let mut ix = m.keys.rebalance(m.keeper.key(), m.keeper.usdc);
    ix.accounts.push(solana_instruction::AccountMeta::new_readonly(fake_clock, false));
    let kp = m.keeper.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[&kp], &keys, LevError::RebalanceNotNeeded).await;
}

fn bincode_clock(c: &solana_clock::Clock) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(c.slot.to_le_bytes());
    v.extend(c.epoch_start_timestamp.to_le_bytes());
    v.extend(c.epoch.to_le_bytes());
    v.extend(c.leader_schedule_epoch.to_le_bytes());
    v.extend(c.unix_timestamp.to_le_bytes());
    v
}

// ---- oracle abuse ------------------------------------------------------------------------------

#[tokio::test]
async fn attack_stale_oracle() {
    let (mut m, alice, bob) = armed().await;
    m.w.bank.warp_seconds(61).await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LevError::OracleStale).await;
    let ix = m.keys.rebalance(m.keeper.key(), m.keeper.usdc);
    let kp = m.keeper.kp.insecure_clone();
    refused(&mut m, ix, &[&kp], &keys, LevError::OracleStale).await;
}

#[tokio::test]
async fn attack_oracle_with_another_feed() {
    let (mut m, alice, bob) = armed().await;
    // A genuine Pyth account of another asset (say, a feed priced 10x higher) at the pinned address.
    m.obs.feed_id = [3u8; 32];
    m.obs.price *= 10;
    m.refresh_oracle().await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, 100 * USD, 0);
    let kp = alice.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LevError::OracleWrongFeed).await;
}

#[tokio::test]
async fn attack_oracle_with_a_wide_confidence_interval() {
    let (mut m, alice, bob) = armed().await;
    m.obs.conf = m.obs.price as u64 / 20; // ±5%
    m.refresh_oracle().await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LevError::OracleConfidenceTooWide).await;
}

#[tokio::test]
async fn attack_price_moves_between_quote_and_execution() {
    let (mut m, alice, bob) = armed().await;
    let state = levtoken_client::state::MarketState::load(&mut m.w.bank, &m.keys).await.unwrap();
    let pool: amm::Pool = m.w.bank.anchor_account(&m.keys.amm.pool).await;
    let quote = levtoken_client::user::quote_mint(&state, &pool, 500 * USD).unwrap();
    // ETH +1% lands first: the vault's NAV per token rises, the deposit buys fewer tokens.
    m.set_price_usd(3_030).await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 500 * USD, levtoken_client::user::min_out(quote, 10));
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LevError::TokensBelowMinimum).await;
}

#[tokio::test]
async fn attack_sandwich_mint_redeem_and_rebalance() {
    let (mut m, alice, bob) = armed().await;
    let kp_b = bob.user.kp.insecure_clone();
    let kp_a = alice.user.kp.insecure_clone();
    let kp_k = m.keeper.kp.insecure_clone();
    // Front-run: push the pool 3% above the oracle before a mint (buys ETH) — the market refuses
    // to trade at a venue that far (> 0.5%) from the oracle, before any swap, even though the user
    // asked for no minimum.
    m.w.arbitrage_amm_to(price_from_usd(3_090)).await;
    let keys = market_keys(&m, &[&alice, &bob]);
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 500 * USD, 0);
    refused(&mut m, ix, &[&kp_b], &keys, LevError::VenuePriceOffOracle).await;
    // 3% below before a redeem (sells ETH): redemptions do not check the venue, but the market's
    // own oracle-derived minimum refuses the fill.
    m.w.arbitrage_amm_to(price_from_usd(2_910)).await;
    let keys = market_keys(&m, &[&alice, &bob]);
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, 100 * USD, 0);
    refused(&mut m, ix, &[&kp_a], &keys, AmmError::SlippageExceeded).await;
    // Before a rebalance that must buy ETH.
    m.set_oracle_usd(3_600).await;
    m.w.arbitrage_amm_to(price_from_usd(3_720)).await;
    let keys = market_keys(&m, &[&alice, &bob]);
    let ix = m.keys.rebalance(m.keeper.key(), m.keeper.usdc);
    refused(&mut m, ix, &[&kp_k], &keys, LevError::VenuePriceOffOracle).await;
}

#[tokio::test]
async fn attack_slippage_bound_bypass_with_zero_minimums() {
    let (mut m, alice, _) = armed().await;
    // Even with min_usdc_out = 0, a redeem cannot be filled worse than the oracle less 1%.
    m.w.arbitrage_amm_to(price_from_usd(2_960)).await; // −1.33%
    let tokens = m.lev_balance(&alice).await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
    let kp = alice.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    refused(&mut m, ix, &[&kp], &keys, AmmError::SlippageExceeded).await;
}

// ---- share inflation and rounding ----------------------------------------------------------------

#[tokio::test]
async fn attack_first_depositor_inflation_on_the_token() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let mallory = m.holder(1_000 * USD).await;
    let victim = m.holder(10_000 * USD).await;
    // Mallory mints the smallest amount, then donates 10 ETH straight into the collateral vault.
    m.mint(&mallory, USD, 0).await.unwrap();
    let donor = m.w.user(0, 10 * ETH).await;
    let collateral_vault = m.keys.collateral_vault;
    m.w.donate_eth(&donor, &collateral_vault, 10 * ETH).await;
    let v = m.nav().await;
    assert!(v.nav < 2 * USD, "the donation is not counted in NAV: {}", v.nav);
    m.mint(&victim, 10_000 * USD, 0).await.unwrap();
    let tokens = m.lev_balance(&victim).await;
    // The victim gets $1 of tokens per $1 of NAV added: $10,000 less the swap of $30,000 through
    // a $10M, 5 bps pool (fee $15 + impact ≈ $90). Without the defences the donation would have
    // priced the victim's deposit at zero tokens.
    assert!(tokens > 9_880 * USD, "victim got {tokens}");
    let mallory_tokens = m.lev_balance(&mallory).await;
    assert!(mallory_tokens < 2 * USD);
}

#[tokio::test]
async fn attack_first_depositor_inflation_on_the_lending_pool() {
    let mut w = World::new(WorldConfig { lend_usd: 0, ..world() }).await;
    let mallory = w.user(100_001 * USD, 0).await;
    let mshares = w.bank.create_token_account(&w.lending.share_mint, &mallory.key(), &SPL_TOKEN_ID).await;
    w.bank.send(&[w.lending.deposit(mallory.key(), mallory.usdc, mshares, 1, 0)], &[&mallory.kp]).await.unwrap();
    let vault = w.lending.liquidity_vault;
    w.donate_usdc(&mallory, &vault, 100_000 * USD).await;
    let victim = w.user(50_000 * USD, 0).await;
    let vshares = w.bank.create_token_account(&w.lending.share_mint, &victim.key(), &SPL_TOKEN_ID).await;
    w.bank.send(&[w.lending.deposit(victim.key(), victim.usdc, vshares, 50_000 * USD, 1)], &[&victim.kp]).await.unwrap();
    assert_eq!(w.bank.token_balance(&vshares).await, 50_000 * USD, "victim is paid 1:1");
    // Mallory's one share redeems for at most what she deposited.
    let shares = w.bank.token_balance(&mshares).await;
    let before = w.bank.token_balance(&mallory.usdc).await;
    w.bank.send(&[w.lending.withdraw(mallory.key(), mallory.usdc, mshares, shares, 0)], &[&mallory.kp]).await.ok();
    assert!(w.bank.token_balance(&mallory.usdc).await - before <= 1);
}

#[tokio::test]
async fn attack_rounding_drain_by_tiny_mints_and_redeems() {
    let (mut m, alice, _) = armed().await;
    let mallory = m.holder(100 * USD).await;
    let npt_before = m.nav().await.nav_per_token;
    for i in 0..40u64 {
        // Sizes chosen to land on rounding edges: 1..40 base units.
        let _ = m.mint(&mallory, 1 + i * 7, 0).await;
        let bal = m.lev_balance(&mallory).await;
        if bal > 0 {
            let _ = m.redeem(&mallory, bal, 0).await;
        }
    }
    let spent = 100 * USD - m.w.bank.token_balance(&mallory.user.usdc).await;
    assert!(m.w.bank.token_balance(&mallory.user.usdc).await <= 100 * USD, "Mallory never ends with more USDC");
    assert!(spent < USD, "tiny mints are refused or cost dust: {spent}");
    let npt_after = m.nav().await.nav_per_token;
    assert!(npt_after + 1 >= npt_before, "Alice's NAV per token fell {npt_before} → {npt_after}");
    let _ = alice;
}

#[tokio::test]
async fn attack_tiny_deposit_mints_nothing_and_changes_nothing() {
    let (mut m, alice, bob) = armed().await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    // One base unit buys no ETH through the curve.
    refused(&mut m, ix, &[&kp], &keys, AmmError::SlippageExceeded).await;
}

// ---- keeper reward drain -------------------------------------------------------------------------

#[tokio::test]
async fn attack_keeper_reward_drain_by_repeated_rebalances() {
    let (mut m, alice, _) = armed().await;
    m.set_price_usd(3_600).await;
    m.rebalance().await.unwrap();
    let earned = m.w.bank.token_balance(&m.keeper.usdc).await;
    assert!(earned > 0 && earned <= seed_params().keeper_reward_cap_quote);
    let ix = m.keys.rebalance(m.keeper.key(), m.keeper.usdc);
    let kp = m.keeper.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice]);
    for _ in 0..3 {
        refused(&mut m, ix.clone(), &[&kp], &keys, LevError::RebalanceNotNeeded).await;
        m.w.bank.warp_seconds(1).await;
        m.refresh_oracle().await;
    }
    assert_eq!(m.w.bank.token_balance(&m.keeper.usdc).await, earned);
}

// ---- admin and parameters ------------------------------------------------------------------------

#[tokio::test]
async fn attack_admin_actions_by_a_non_admin() {
    let (mut m, alice, _) = armed().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let me = mallory.pubkey();
    let keys = market_keys(&m, &[&alice]);
    let k = m.keys;
    refused(&mut m, k.queue_change(me, AdminChange::Params(seed_params())), &[&mallory], &keys, LevError::NotAdmin).await;
    refused(&mut m, k.queue_change(me, AdminChange::Guardian(me)), &[&mallory], &keys, LevError::NotAdmin).await;
    refused(&mut m, k.queue_change(me, AdminChange::Treasury(me)), &[&mallory], &keys, LevError::NotAdmin).await;
    refused(&mut m, k.propose_admin(me, me), &[&mallory], &keys, LevError::NotAdmin).await;
    let venues = AdminChange::SwapVenues { programs: [amm::ID, Pubkey::default()], pools: [k.amm.pool, Pubkey::default()] };
    refused(&mut m, k.queue_change(me, venues), &[&mallory], &keys, LevError::NotAdmin).await;
    refused(&mut m, k.cancel_change(me), &[&mallory], &keys, LevError::NotGuardian).await;
    refused(&mut m, k.set_pause(me, true), &[&mallory], &keys, LevError::NotGuardian).await;
    refused(&mut m, k.accept_admin(me), &[&mallory], &keys, LevError::NotPendingAdmin).await;
    refused(&mut m, k.lending.queue_config(me, default_pool_config()), &[&mallory], &keys, LendingError::Unauthorized).await;
    refused(&mut m, k.lending.cancel_config(me), &[&mallory], &keys, LendingError::Unauthorized).await;
    refused(&mut m, k.lending.set_credit_limit(me, k.market, u64::MAX), &[&mallory], &keys, LendingError::Unauthorized).await;
    refused(&mut m, k.lending.register_borrower(me, me, u64::MAX), &[&mallory], &keys, LendingError::Unauthorized).await;
}

#[tokio::test]
async fn attack_parameters_outside_hard_bounds() {
    let (mut m, alice, _) = armed().await;
    let admin = m.w.bank.payer_key();
    let keys = market_keys(&m, &[&alice]);
    let k = m.keys;
    for p in [
        MarketParams { emergency_leverage_bps: 45_000, ..seed_params() },
        MarketParams { max_slippage_bps: 5_000, ..seed_params() },
        MarketParams { redeem_fee_bps: 5_000, ..seed_params() },
        MarketParams { oracle_max_staleness_secs: 1_000_000, ..seed_params() },
        MarketParams { target_leverage_bps: 10_000, band_low_bps: 9_000, ..seed_params() },
    ] {
        refused(&mut m, k.queue_change(admin, AdminChange::Params(p)), &[], &keys, LevError::InvalidParams).await;
    }
    let bad_pool = lending_pool::PoolConfig { slope2_bps: 2_000_000, ..default_pool_config() };
    refused(&mut m, k.lending.queue_config(admin, bad_pool), &[], &keys, LendingError::InvalidConfig).await;
}

// ---- the lending pool's funds ------------------------------------------------------------------

#[tokio::test]
async fn attack_market_borrow_over_its_credit_limit() {
    let (mut m, alice, bob) = armed().await;
    let admin = m.w.bank.payer_key();
    let debt = m.nav().await.debt;
    let market = m.keys.market;
    m.w.bank.send(&[m.keys.lending.set_credit_limit(admin, market, debt + 100 * USD)], &[]).await.unwrap();
    // Minting $500 at 3x needs $1,000 more credit.
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 500 * USD, 0);
    let kp = bob.user.kp.insecure_clone();
    let keys = market_keys(&m, &[&alice, &bob]);
    refused(&mut m, ix, &[&kp], &keys, LendingError::CreditLimitExceeded).await;
}

#[tokio::test]
async fn attack_withdraw_lenders_funds_through_the_vault() {
    let (mut m, alice, _) = armed().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let dest = m.w.bank.create_token_account(&m.w.usdc, &mallory.pubkey(), &SPL_TOKEN_ID).await;
    let mut keys = market_keys(&m, &[&alice]);
    keys.push(dest);
    // Borrowing in the market's name needs the market PDA's signature, which only the program has.
    let mut ix = m.keys.lending.borrow(m.keys.market, dest, 1_000 * USD);
    ix.accounts[0].is_signer = false;
    refused(&mut m, ix, &[], &keys, Anchor::AccountNotSigner).await;
    // Withdrawing lenders' cash in the vault's name needs the vault's signature.
    let shares = m.w.lender_shares;
    let mut ix = m.keys.lending.withdraw(m.keys.market, dest, shares, USD, 0);
    ix.accounts[0].is_signer = false;
    refused(&mut m, ix, &[], &keys, Anchor::AccountNotSigner).await;
    // So does moving the market's transit vault ("repaying" for it).
    let mut ix = m.keys.lending.repay(m.keys.market, m.keys.market, m.keys.quote_vault, USD);
    ix.accounts[0].is_signer = false;
    refused(&mut m, ix, &[], &keys, Anchor::AccountNotSigner).await;
    let _ = mallory;
}
