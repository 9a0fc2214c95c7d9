//! The adversarial suite, second part (complements `attacks.rs`): what an outsider — or a keeper,
//! a holder, a lender with a grudge — could try against the three programs. Every attack asserts
//! the exact error it is refused with and that none of the accounts it aimed at changed (the fee
//! payer is never in the snapshot: fees are charged even on failure). Where an attack is economic
//! rather than a refused instruction, the test also asserts the outcome (who ends up with what), so
//! a regression makes it fail. The README's Security section maps each attack class to its tests.

use amm::AmmError;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use lending_pool::{Borrower, LendingError, LendingPool, PoolConfig, BORROWER_SEED};
use lev_math::Round;
use leveraged_token::{AdminChange, InitMarketArgs, LevError, MarketParams, Minted, Rebalanced, Redeemed};
use levtoken_client::{
    amm::AmmPool,
    anchor_ix,
    bank::Bank,
    events::parse_events,
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::{price_update_data, ETH_USD_FEED_ID, PYTH_RECEIVER_ID},
    prefund::{guard_init, reclaim_ix, InitPda},
    ETH_DECIMALS, SPL_TOKEN_ID, TOKEN_2022_ID,
};
use levtoken_tests::*;
use solana_account::Account;
use solana_instruction::{error::InstructionError, AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;
const CLOCK_SYSVAR: Pubkey = anchor_lang::pubkey!("SysvarC1ock11111111111111111111111111111111");
const SYSVAR_OWNER: Pubkey = anchor_lang::pubkey!("Sysvar1111111111111111111111111111111111111");
const BPF_LOADER_UPGRADEABLE: Pubkey = anchor_lang::pubkey!("BPFLoaderUpgradeab1e11111111111111111111111");

/// SPL Token / Token-2022 `OwnerMismatch`.
const TOKEN_OWNER_MISMATCH: u32 = 4;

fn world() -> WorldConfig {
    WorldConfig { amm_fee_bps: 5, amm_depth_usd: 10_000_000, eth_price_usd: 3_000, lend_usd: 1_000_000, timelock_secs: 0 }
}

fn not_signer() -> u32 {
    anchor_code(AnchorError::AccountNotSigner)
}

/// A market in which Alice holds $1,000 of ETHBULL3X and keeps $9,000 USDC.
async fn market_with_alice() -> (MarketWorld, Holder) {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    let alice = m.holder(10_000 * USD).await;
    m.mint(&alice, 1_000 * USD, 0).await.expect("alice mints");
    (m, alice)
}

/// Every account of the market, its lending pool and its venue an attack could try to move.
fn market_keys(m: &MarketWorld) -> Vec<Pubkey> {
    let k = &m.keys;
    vec![
        k.market,
        k.lev_mint,
        k.collateral_vault,
        k.quote_vault,
        k.transit_collateral,
        k.transit_quote,
        k.oracle,
        k.lending.pool,
        k.lending_borrower(),
        k.lending.liquidity_vault,
        k.lending.share_mint,
        k.amm.pool,
        k.amm.vault_a,
        k.amm.vault_b,
    ]
}

fn with(keys: &[Pubkey], more: &[Pubkey]) -> Vec<Pubkey> {
    keys.iter().chain(more).copied().collect()
}

fn holder_keys(h: &Holder) -> [Pubkey; 3] {
    [h.user.usdc, h.user.eth, h.lev]
}

/// Send `ixs`; the attack must fail with the custom error `code`, and nothing in `keys` may change.
async fn refused(bank: &mut Bank, what: &str, keys: &[Pubkey], ixs: &[Instruction], signers: &[&Keypair], code: impl Into<u32>) {
    let code = code.into();
    let before = bank.snapshot(keys).await;
    let res = bank.send(ixs, signers).await;
    if let Ok(o) = &res {
        panic!("attack succeeded: {what}\n{}", o.logs.join("\n"))
    }
    assert_error(res, code);
    let after = bank.snapshot(keys).await;
    assert_unchanged(keys, &before, &after);
}

/// `init` of an account that already holds lamports: Anchor 1.2.2 asks the system program for
/// `CreateAccountAllowPrefund`, which this runtime's system program does not know.
async fn refused_init(bank: &mut Bank, what: &str, keys: &[Pubkey], ixs: &[Instruction], signers: &[&Keypair]) {
    let before = bank.snapshot(keys).await;
    let f = assert_failed(bank.send(ixs, signers).await);
    assert_eq!(f.error, TransactionError::InstructionError(1, InstructionError::InvalidInstructionData), "{what}: {f}");
    assert!(f.logs.iter().any(|l| l == "Program 11111111111111111111111111111111 failed: invalid instruction data"), "{what}: {f}");
    let after = bank.snapshot(keys).await;
    assert_unchanged(keys, &before, &after);
}

/// Clear the signer flag of `key` in every account meta of `ix` (the attacker does not have it).
fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in ix.accounts.iter_mut().filter(|a| a.pubkey == *key && a.is_signer) {
        meta.is_signer = false;
        found = true;
    }
    assert!(found, "{key} was not a signer of the instruction");
    ix
}

/// Write a copy of `src` at `at`, owned by `owner`, with its data edited by `edit`.
async fn copy_to(bank: &mut Bank, src: &Pubkey, at: &Pubkey, owner: Pubkey, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut acc = bank.account(src).await.expect("source account");
    edit(&mut acc.data);
    acc.owner = owner;
    bank.set_account(at, acc);
}

/// A copy of `src` at a fresh address.
async fn forge(bank: &mut Bank, src: &Pubkey, owner: Pubkey, edit: impl FnOnce(&mut Vec<u8>)) -> Pubkey {
    let at = Pubkey::new_unique();
    copy_to(bank, src, &at, owner, edit).await;
    at
}

/// Set a token account's amount (bytes 64..72 of the SPL layout).
fn set_amount(data: &mut [u8], amount: u64) {
    data[64..72].copy_from_slice(&amount.to_le_bytes());
}

/// A valid PDA of `seeds` whose bump is not the canonical (highest) one.
fn non_canonical_pda(seeds: &[&[u8]], program: &Pubkey) -> Pubkey {
    let (_, canonical) = Pubkey::find_program_address(seeds, program);
    for bump in (0..canonical).rev() {
        let b = [bump];
        let mut s = seeds.to_vec();
        s.push(&b);
        if let Ok(k) = Pubkey::create_program_address(&s, program) {
            return k;
        }
    }
    panic!("no second bump")
}

fn init_args(m: &MarketWorld) -> InitMarketArgs {
    InitMarketArgs {
        params: seed_params(),
        feed_id: ETH_USD_FEED_ID,
        swap_programs: vec![amm::ID],
        swap_pools: vec![m.w.amm.pool],
        guardian: m.guardian.pubkey(),
        treasury: m.treasury.pubkey(),
        timelock_secs: 0,
        credit_limit: MARKET_CREDIT_LIMIT,
        name: "ETH 3x Long".into(),
        symbol: "ETHBULL3X".into(),
        uri: "https://example.invalid/ethbull3x.json".into(),
    }
}

/// The keys of market `id` on the same lending pool, venue, oracle and treasury.
fn market_keys_for(m: &MarketWorld, id: u64) -> MarketKeys {
    MarketKeys::derive(id, m.w.eth, TOKEN_2022_ID, m.w.lending, m.w.amm, m.keys.oracle, m.treasury.pubkey())
}

/// Market 2, created by the same admin on the same pool and venue.
async fn second_market(m: &mut MarketWorld) -> MarketKeys {
    let keys = market_keys_for(m, 2);
    let admin = m.w.bank.payer_key();
    let args = init_args(m);
    m.w.bank.send(&[keys.init_market(admin, admin, args)], &[]).await.expect("init market 2");
    keys
}

/// A lending pool for a fresh mint whose admin is a keypair other than the fee payer (so the
/// admin's signature can be withheld). Only the upgrade authority creates pools: it is handed to
/// the keypair for the creation and back to the payer afterwards.
async fn pool_with_keypair_admin(w: &mut World) -> (LendingPoolKeys, Keypair) {
    let mint = w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let keys = LendingPoolKeys::derive(mint, SPL_TOKEN_ID);
    let admin = w.bank.funded_keypair(1_000_000_000).await;
    w.bank.set_program_data(&lending_pool::ID, Some(admin.pubkey()));
    w.bank.send(&[keys.init_pool(admin.pubkey(), default_pool_config(), 0)], &[&admin]).await.expect("second pool");
    let payer = w.bank.payer_key();
    w.bank.set_program_data(&lending_pool::ID, Some(payer));
    (keys, admin)
}

/// Market `id` borrowing from `pool` (whose admin `pool_admin` co-signs its credit line): a real
/// market, which is all a lending pool lends to.
async fn market_on_pool(m: &mut MarketWorld, pool: LendingPoolKeys, pool_admin: &Keypair, id: u64) -> MarketKeys {
    let keys = MarketKeys::derive(id, m.w.eth, TOKEN_2022_ID, pool, m.w.amm, m.keys.oracle, m.treasury.pubkey());
    let admin = m.w.bank.payer_key();
    let args = init_args(m);
    m.w.bank.send(&[keys.init_market(admin, pool_admin.pubkey(), args)], &[pool_admin]).await.expect("market on the other pool");
    keys
}

/// Move the market's admin from the fee payer to a fresh keypair (two-step handover).
async fn hand_admin_to_keypair(m: &mut MarketWorld) -> Keypair {
    let payer = m.w.bank.payer_key();
    let admin = m.w.bank.funded_keypair(1_000_000_000).await;
    m.w.bank.send(&[m.keys.propose_admin(payer, admin.pubkey())], &[]).await.expect("propose");
    m.w.bank.send(&[m.keys.accept_admin(admin.pubkey())], &[&admin]).await.expect("accept");
    admin
}

async fn nav_ratio_not_lower(m: &mut MarketWorld, before: (u64, u64), what: &str) -> (u64, u64) {
    let v = m.nav().await;
    // nav/supply did not fall: nav_after × supply_before ≥ nav_before × supply_after.
    assert!(
        v.nav as u128 * before.1 as u128 >= before.0 as u128 * v.supply as u128,
        "{what}: NAV per token fell from {}/{} to {}/{}",
        before.0,
        before.1,
        v.nav,
        v.supply
    );
    (v.nav, v.supply)
}

// ---------------------------------------------------------------------------------------------
// Missing signers

#[tokio::test]
async fn attack_mint_redeem_rebalance_without_the_owners_signature() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.holder(0).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &with(&holder_keys(&mallory), &[m.keeper.usdc]));
    let tokens = m.lev_balance(&alice).await;

    // Spend Alice's USDC, minting to Mallory's token account.
    let ix = unsigned(m.keys.mint(alice.user.key(), alice.user.usdc, mallory.lev, 1_000 * USD, 0), &alice.user.key());
    refused(&mut m.w.bank, "mint from Alice's USDC without her", &keys, &[ix], &[], not_signer()).await;
    // Burn Alice's tokens and send the USDC to Mallory.
    let ix = unsigned(m.keys.redeem(alice.user.key(), mallory.user.usdc, alice.lev, tokens, 0), &alice.user.key());
    refused(&mut m.w.bank, "redeem Alice's tokens without her", &keys, &[ix], &[], not_signer()).await;
    // A keeper that did not sign (the reward account is the keeper's choice, the signature is not).
    m.set_price_usd(3_300).await;
    let ix = unsigned(rebalance_ix(&m.keys, &m.keeper, |_| {}), &m.keeper.key());
    refused(&mut m.w.bank, "rebalance without the keeper", &keys, &[ix], &[], not_signer()).await;

    // Mallory signing for herself cannot name Alice's accounts either.
    let ix = m.keys.mint(mallory.user.key(), alice.user.usdc, mallory.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint paid from Alice's USDC", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintTokenOwner)).await;
    let ix = m.keys.redeem(mallory.user.key(), mallory.user.usdc, alice.lev, tokens, 0);
    refused(&mut m.w.bank, "redeem Alice's tokens", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintTokenOwner)).await;
    // With their signatures the same calls go through.
    m.rebalance().await.expect("signed rebalance");
    m.redeem(&alice, tokens / 2, 0).await.expect("signed redeem");
}

#[tokio::test]
async fn attack_market_admin_instructions_without_the_admins_signature() {
    let (mut m, _alice) = market_with_alice().await;
    let admin = hand_admin_to_keypair(&mut m).await;
    let a = admin.pubkey();
    let g = m.guardian.pubkey();
    let mallory = Pubkey::new_unique();
    let keys = market_keys(&m);
    let loose = MarketParams { max_slippage_bps: 300, emergency_max_slippage_bps: 1_000, ..seed_params() };
    let venues = AdminChange::SwapVenues { programs: [amm::ID, Pubkey::default()], pools: [mallory, Pubkey::default()] };
    let attempts = [
        ("queue new params", unsigned(m.keys.queue_change(a, AdminChange::Params(loose)), &a)),
        ("queue a new guardian", unsigned(m.keys.queue_change(a, AdminChange::Guardian(mallory)), &a)),
        ("queue a new treasury", unsigned(m.keys.queue_change(a, AdminChange::Treasury(mallory)), &a)),
        ("propose_admin", unsigned(m.keys.propose_admin(a, mallory), &a)),
        ("queue new swap venues", unsigned(m.keys.queue_change(a, venues), &a)),
        ("cancel_change as admin", unsigned(m.keys.cancel_change(a), &a)),
        ("cancel_change as guardian", unsigned(m.keys.cancel_change(g), &g)),
        ("set_pause as admin", unsigned(m.keys.set_pause(a, true), &a)),
        ("set_pause as guardian", unsigned(m.keys.set_pause(g, true), &g)),
    ];
    for (what, ix) in attempts {
        refused(&mut m.w.bank, what, &keys, &[ix], &[], not_signer()).await;
    }
    // The fee payer that created the market is no longer its admin.
    let payer = m.w.bank.payer_key();
    let ix = m.keys.queue_change(payer, AdminChange::Params(loose));
    refused(&mut m.w.bank, "queue_change by the former admin", &keys, &[ix], &[], LevError::NotAdmin).await;
    // Signed by the admin, the same update is queued, and anyone executes it (timelock 0 here).
    m.w.bank.send(&[m.keys.queue_change(a, AdminChange::Params(loose))], &[&admin]).await.expect("signed queue");
    m.w.bank.send(&[m.keys.execute_change(payer)], &[]).await.expect("execute");
    assert_eq!(m.market().await.params, loose);
}

#[tokio::test]
async fn attack_lending_and_amm_without_the_owners_signature() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.w.user(0, 0).await;
    let lk = m.keys.lending;
    let vault = m.keys.market;
    let keys = with(&market_keys(&m), &[m.w.lender.usdc, m.w.lender_shares, m.w.lp_token, m.w.lp.usdc, m.w.lp.eth, mallory.usdc, mallory.eth, alice.user.usdc]);

    // Borrow on the vault's credit line into Mallory's wallet without the vault PDA's signature.
    let ix = unsigned(lk.borrow(vault, mallory.usdc, 100_000 * USD), &vault);
    refused(&mut m.w.bank, "borrow on the vault's line", &keys, &[ix], &[], not_signer()).await;
    // Withdraw the lender's shares into Mallory's wallet without the lender.
    let lender = m.w.lender.key();
    let ix = unsigned(lk.withdraw(lender, mallory.usdc, m.w.lender_shares, 1_000 * USD, 0), &lender);
    refused(&mut m.w.bank, "withdraw the lender's shares", &keys, &[ix], &[], not_signer()).await;
    // Swap Alice's USDC into Mallory's ETH account without Alice.
    let ix = unsigned(m.w.amm.swap(alice.user.key(), alice.user.usdc, mallory.eth, m.w.amm.is_a(&m.w.usdc), 1_000 * USD, 0), &alice.user.key());
    refused(&mut m.w.bank, "swap Alice's USDC", &keys, &[ix], &[], not_signer()).await;
    // Remove the LP's liquidity into Mallory's accounts without the LP.
    let lp = m.w.lp.key();
    let lp_tokens = m.w.bank.token_balance(&m.w.lp_token).await;
    let (to_a, to_b) = m.w.amm.in_ab_order(&m.w.eth, mallory.eth, mallory.usdc);
    let ix = unsigned(m.w.amm.remove_liquidity(lp, to_a, to_b, m.w.lp_token, lp_tokens, 0, 0), &lp);
    refused(&mut m.w.bank, "remove the LP's liquidity", &keys, &[ix], &[], not_signer()).await;

    // Lending admin instructions on a pool whose admin is not the fee payer, with a market (the only
    // kind of borrower) on a $10 line.
    let (pool2, pool_admin) = pool_with_keypair_admin(&mut m.w).await;
    let pa = pool_admin.pubkey();
    let m5 = market_on_pool(&mut m, pool2, &pool_admin, 5).await.market;
    m.w.bank.send(&[pool2.set_credit_limit(pa, m5, 10 * USD)], &[&pool_admin]).await.expect("lower the line");
    let m6 = market_on_pool(&mut m, pool2, &pool_admin, 6).await.market;
    let keys2 = [pool2.pool, pool2.borrower(&m5), pool2.borrower(&m6), pool2.borrower(&Pubkey::new_unique())];
    let generous = PoolConfig { base_rate_bps: 0, slope1_bps: 0, slope2_bps: 0, ..default_pool_config() };
    let attempts = [
        ("register_borrower", unsigned(pool2.register_borrower(pa, m5, lending_pool::MAX_CREDIT_LIMIT), &pa)),
        ("set_credit_limit", unsigned(pool2.set_credit_limit(pa, m5, lending_pool::MAX_CREDIT_LIMIT), &pa)),
        ("set_credit_limit lower", unsigned(pool2.set_credit_limit(pa, m6, 0), &pa)),
        ("queue_config", unsigned(pool2.queue_config(pa, generous), &pa)),
        ("cancel_config", unsigned(pool2.cancel_config(pa), &pa)),
    ];
    for (what, ix) in attempts {
        refused(&mut m.w.bank, what, &keys2, &[ix], &[], not_signer()).await;
    }
    let b: Borrower = m.w.bank.anchor_account(&pool2.borrower(&m5)).await;
    assert_eq!((b.credit_limit, b.pending_limit, b.limit_eta), (10 * USD, 0, 0));
}

// ---------------------------------------------------------------------------------------------
// Wrong owner, account substitution, type cosplay

#[tokio::test]
async fn attack_oracle_account_rewritten_with_another_owner() {
    let (mut m, alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    let tokens = m.lev_balance(&alice).await;
    let real = m.w.bank.account(&m.keys.oracle).await.unwrap();
    let wrong_owner = anchor_code(AnchorError::AccountOwnedByWrongProgram);
    // The same PriceUpdateV2 bytes at the same address, owned by another program (or by nobody).
    for owner in [lending_pool::ID, SYSTEM_PROGRAM, leveraged_token::ID] {
        m.w.bank.set_account(&m.keys.oracle, Account { owner, ..real.clone() });
        let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&bob));
        let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
        refused(&mut m.w.bank, "mint", &keys, &[ix], &[&bob.user.kp], wrong_owner).await;
        let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
        refused(&mut m.w.bank, "redeem", &keys, &[ix], &[&alice.user.kp], wrong_owner).await;
        let keeper = m.keeper.kp.insecure_clone();
        refused(&mut m.w.bank, "rebalance", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], wrong_owner).await;
        refused(&mut m.w.bank, "nav", &keys, &[m.keys.nav()], &[], wrong_owner).await;
    }
    // Owned by the Pyth receiver again, the very same bytes are accepted.
    m.w.bank.set_account(&m.keys.oracle, real);
    m.mint(&bob, 1_000 * USD, 0).await.expect("genuine oracle");
}

#[tokio::test]
async fn attack_copies_of_real_accounts_owned_by_other_programs() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&market_keys(&m), &holder_keys(&alice));
    let wrong_owner = anchor_code(AnchorError::AccountOwnedByWrongProgram);
    let tokens = m.lev_balance(&alice).await;

    // The market's bytes, owned by the AMM.
    let fake_market = forge(&mut m.w.bank, &m.keys.market, amm::ID, |_| {}).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.market = fake_market);
    refused(&mut m.w.bank, "market owned by the AMM", &keys, &[ix], &[&alice.user.kp], wrong_owner).await;
    // The credit-line record's bytes, owned by the AMM.
    let fake_borrower = forge(&mut m.w.bank, &m.keys.lending_borrower(), amm::ID, |_| {}).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.lending_borrower = fake_borrower);
    refused(&mut m.w.bank, "borrower owned by the AMM", &keys, &[ix], &[&alice.user.kp], wrong_owner).await;
    // The collateral vault's bytes (with 1,000 ETH in it), owned by the system program.
    let fake_vault = forge(&mut m.w.bank, &m.keys.collateral_vault, SYSTEM_PROGRAM, |d| set_amount(d, 1_000 * ETH)).await;
    let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.core.collateral_vault = fake_vault);
    refused(&mut m.w.bank, "collateral vault owned by the system program", &keys, &[ix], &[&alice.user.kp], wrong_owner).await;

    // The lending pool's bytes, owned by the leveraged-token program, for a deposit.
    let lk = m.keys.lending;
    let fake_pool = forge(&mut m.w.bank, &lk.pool, leveraged_token::ID, |_| {}).await;
    let mut a = accounts_deposit(&lk, &m.w.lender);
    a.lender_shares = m.w.lender_shares;
    a.pool = fake_pool;
    let ix = anchor_ix(lending_pool::ID, a, lending_pool::instruction::Deposit { amount: USD, min_shares: 0 });
    let keys = with(&keys, &[m.w.lender.usdc, m.w.lender_shares]);
    let lender = m.w.lender.kp.insecure_clone();
    refused(&mut m.w.bank, "lending pool owned by the market program", &keys, &[ix], &[&lender], wrong_owner).await;

    // The AMM pool's bytes, owned by the lending program, for adding liquidity.
    let fake_amm = forge(&mut m.w.bank, &m.keys.amm.pool, lending_pool::ID, |_| {}).await;
    let lp = m.w.user(3_000 * USD, ETH).await;
    let lp_token = m.w.bank.create_token_account(&m.w.amm.lp_mint, &lp.key(), &SPL_TOKEN_ID).await;
    let mut a = add_liquidity_accounts(&m.w.amm, &m.w.eth, &lp, lp_token);
    a.pool = fake_amm;
    let (max_a, max_b) = m.w.amm.in_ab_order(&m.w.eth, ETH, 3_000 * USD);
    let ix = anchor_ix(amm::ID, a, amm::instruction::AddLiquidity { max_a, max_b, min_lp: 0 });
    let keys = with(&keys, &[lp.usdc, lp.eth, lp_token]);
    refused(&mut m.w.bank, "AMM pool owned by the lending program", &keys, &[ix], &[&lp.kp], wrong_owner).await;
}

fn accounts_deposit(lk: &LendingPoolKeys, lender: &User) -> lending_pool::accounts::Deposit {
    lending_pool::accounts::Deposit {
        lender: lender.key(),
        pool: lk.pool,
        mint: lk.mint,
        share_mint: lk.share_mint,
        liquidity_vault: lk.liquidity_vault,
        lender_token: lender.usdc,
        lender_shares: Pubkey::default(),
        token_program: lk.token_program,
    }
}

fn add_liquidity_accounts(p: &AmmPool, eth: &Pubkey, owner: &User, lp_token: Pubkey) -> amm::accounts::AddLiquidity {
    let (owner_a, owner_b) = p.in_ab_order(eth, owner.eth, owner.usdc);
    amm::accounts::AddLiquidity {
        owner: owner.key(),
        pool: p.pool,
        authority: p.authority,
        mint_a: p.mint_a,
        mint_b: p.mint_b,
        vault_a: p.vault_a,
        vault_b: p.vault_b,
        lp_mint: p.lp_mint,
        owner_a,
        owner_b,
        owner_lp: lp_token,
        token_program_a: p.token_program_a,
        token_program_b: p.token_program_b,
        lp_token_program: p.lp_token_program,
    }
}

#[tokio::test]
async fn attack_another_markets_vaults_mint_and_credit_line() {
    let (mut m, alice) = market_with_alice().await;
    let m2 = second_market(&mut m).await;
    // Bob funds market 2 so its vault is worth stealing.
    let bob = m.w.user(5_000 * USD, 0).await;
    let bob_lev = m.w.bank.create_token_account(&m2.lev_mint, &bob.key(), &TOKEN_2022_ID).await;
    m.w.bank.send(&[m2.mint(bob.key(), bob.usdc, bob_lev, 5_000 * USD, 0)], &[&bob.kp]).await.expect("bob mints in market 2");
    let keys = with(
        &with(&market_keys(&m), &holder_keys(&alice)),
        &[m2.market, m2.lev_mint, m2.collateral_vault, m2.quote_vault, m2.transit_collateral, m2.transit_quote, m2.lending_borrower(), bob.usdc, bob_lev],
    );
    let address = anchor_code(AnchorError::ConstraintAddress);
    let tokens = m.lev_balance(&alice).await;

    let subs: [(&str, Box<dyn Fn(&mut leveraged_token::accounts::MarketCore)>); 8] = [
        ("market 2's collateral vault", Box::new(|c| c.collateral_vault = m2.collateral_vault)),
        ("market 2's quote vault", Box::new(|c| c.quote_vault = m2.quote_vault)),
        ("market 2's token mint", Box::new(|c| c.lev_mint = m2.lev_mint)),
        ("market 2's ETH transit account", Box::new(|c| c.transit_collateral = m2.transit_collateral)),
        ("market 2's USDC transit account", Box::new(|c| c.transit_quote = m2.transit_quote)),
        ("market 2's transit authority", Box::new(|c| c.transit_authority = m2.transit_authority)),
        ("market 2's credit line", Box::new(|c| c.lending_borrower = m2.lending_borrower())),
        ("market 2 itself with market 1's accounts", Box::new(|c| c.market = m2.market)),
    ];
    for (what, sub) in subs.iter() {
        let ix = redeem_ix(&m.keys, &alice, tokens, |a| sub(&mut a.core));
        refused(&mut m.w.bank, what, &keys, &[ix], &[&alice.user.kp], address).await;
        let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| sub(&mut a.core));
        refused(&mut m.w.bank, what, &keys, &[ix], &[&alice.user.kp], address).await;
    }
    // Alice redeems her market-1 tokens against market 2's vault, with every market-2 account.
    let ix = redeem_ix(&m2, &alice, tokens, |_| {});
    refused(&mut m.w.bank, "market-1 tokens against market 2", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintTokenMint)).await;
}

#[tokio::test]
async fn attack_route_through_a_look_alike_amm_pool() {
    let (mut m, alice) = market_with_alice().await;
    // A pair has one pool and only the deployer creates pools, so the look-alike is another genuine
    // pool of the same AMM program: ETH against a look-alike USDC (6 decimals). Mallory seeds it
    // at $6,000 per ETH: the vault would buy at twice the price.
    let mallory = m.w.user(0, ETH).await;
    let fake_usdc = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let mallory_fake_usdc = m.w.bank.create_token_account(&fake_usdc, &mallory.key(), &SPL_TOKEN_ID).await;
    m.w.bank.mint_to(&fake_usdc, &mallory_fake_usdc, 6_000 * USD, &SPL_TOKEN_ID).await;
    let evil = AmmPool::derive(fake_usdc, SPL_TOKEN_ID, m.w.eth, TOKEN_2022_ID, SPL_TOKEN_ID);
    let deployer = m.w.bank.payer_key();
    m.w.bank.send(&[evil.initialize(deployer, 0)], &[]).await.expect("evil pool");
    let evil_lp = m.w.bank.create_token_account(&evil.lp_mint, &mallory.key(), &SPL_TOKEN_ID).await;
    let (owner_a, owner_b) = evil.in_ab_order(&m.w.eth, mallory.eth, mallory_fake_usdc);
    let (max_a, max_b) = evil.in_ab_order(&m.w.eth, ETH, 6_000 * USD);
    let ix = evil.add_liquidity(mallory.key(), owner_a, owner_b, evil_lp, max_a, max_b, 0);
    m.w.bank.send(&[ix], &[&mallory.kp]).await.expect("seed evil pool");
    let mut routed = m.keys;
    routed.amm = evil;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[evil.pool, evil.vault_a, evil.vault_b, m.keeper.usdc]);
    let tokens = m.lev_balance(&alice).await;

    let ix = routed.mint(alice.user.key(), alice.user.usdc, alice.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint via the evil pool", &keys, &[ix], &[&alice.user.kp], LevError::SwapProgramNotAllowed).await;
    let ix = routed.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
    refused(&mut m.w.bank, "redeem via the evil pool", &keys, &[ix], &[&alice.user.kp], LevError::SwapProgramNotAllowed).await;
    m.set_price_usd(3_300).await;
    let ix = routed.rebalance(m.keeper.key(), m.keeper.usdc);
    let keeper = m.keeper.kp.insecure_clone();
    refused(&mut m.w.bank, "rebalance via the evil pool", &keys, &[ix], &[&keeper], LevError::SwapProgramNotAllowed).await;
    // The allowlisted pool with the evil pool's vaults: the venue itself refuses them (its ETH
    // vault is not the pool's, its other vault holds another mint).
    let (evil_eth_vault, evil_quote_vault) = (evil.vault_of(&m.w.eth), evil.vault_of(&fake_usdc));
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.core.swap_collateral_vault = evil_eth_vault);
    refused(&mut m.w.bank, "allowlisted pool, evil ETH vault", &keys, &[ix], &[&keeper], AmmError::InvalidVault).await;
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.core.swap_quote_vault = evil_quote_vault);
    refused(&mut m.w.bank, "allowlisted pool, evil quote vault", &keys, &[ix], &[&keeper], anchor_code(AnchorError::ConstraintTokenMint)).await;
}

#[tokio::test]
async fn attack_look_alike_mints() {
    let (mut m, alice) = market_with_alice().await;
    // Fake USDC (SPL Token, 6 decimals) and fake ETH (Token-2022, 8 decimals), a million of each.
    let fake_usdc = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let fake_eth = m.w.bank.create_mint(&TOKEN_2022_ID, ETH_DECIMALS).await;
    let mallory = m.holder(0).await;
    let m_fake_usdc = m.w.bank.create_token_account(&fake_usdc, &mallory.user.key(), &SPL_TOKEN_ID).await;
    let m_fake_eth = m.w.bank.create_token_account(&fake_eth, &mallory.user.key(), &TOKEN_2022_ID).await;
    m.w.bank.mint_to(&fake_usdc, &m_fake_usdc, 1_000_000 * USD, &SPL_TOKEN_ID).await;
    m.w.bank.mint_to(&fake_eth, &m_fake_eth, 1_000_000 * ETH, &TOKEN_2022_ID).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&mallory)), &[m_fake_usdc, m_fake_eth, m.w.lender_shares]);

    // Mint ETHBULL3X paying with fake USDC.
    let ix = mint_ix(&m.keys, &mallory, 1_000 * USD, |a| a.user_quote = m_fake_usdc);
    refused(&mut m.w.bank, "pay with fake USDC", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintTokenMint)).await;
    // ... and declare the fake mint as the market's quote mint.
    let ix = mint_ix(&m.keys, &mallory, 1_000 * USD, |a| {
        a.user_quote = m_fake_usdc;
        a.core.quote_mint = fake_usdc;
    });
    refused(&mut m.w.bank, "declare fake USDC the quote mint", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;
    // Declare fake ETH the collateral mint.
    let ix = mint_ix(&m.keys, &alice, 1_000 * USD, |a| a.core.collateral_mint = fake_eth);
    refused(&mut m.w.bank, "declare fake ETH the collateral mint", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;

    // Lend fake USDC into the real pool for real shares.
    let lk = m.keys.lending;
    let shares = m.w.bank.create_token_account(&lk.share_mint, &mallory.user.key(), &SPL_TOKEN_ID).await;
    let mut a = accounts_deposit(&lk, &mallory.user);
    a.lender_token = m_fake_usdc;
    a.lender_shares = shares;
    a.mint = fake_usdc;
    let ix = anchor_ix(lending_pool::ID, a, lending_pool::instruction::Deposit { amount: 1_000_000 * USD, min_shares: 0 });
    let keys = with(&keys, &[shares]);
    refused(&mut m.w.bank, "lend fake USDC", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintSeeds)).await;

    // Sell fake ETH into the real AMM pool for real USDC.
    let mut a = m.w.amm.swap_accounts(mallory.user.key(), m_fake_eth, mallory.user.usdc, m.w.amm.is_a(&m.w.eth));
    a.input_mint = fake_eth;
    let ix = anchor_ix(amm::ID, a, amm::instruction::Swap { amount_in: 1_000 * ETH, min_out: 0 });
    refused(&mut m.w.bank, "sell fake ETH to the AMM", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintTokenMint)).await;
    assert_eq!(m.w.bank.token_balance(&mallory.user.usdc).await, 0);
}

#[tokio::test]
async fn attack_forged_token_accounts_at_other_addresses() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.holder(0).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&mallory));
    let tokens = m.lev_balance(&alice).await;

    // A byte-perfect copy of the market's collateral vault claiming 1,000 ETH, owned by
    // Token-2022, at another address: redeeming against it must not be possible.
    let fake = forge(&mut m.w.bank, &m.keys.collateral_vault, TOKEN_2022_ID, |d| set_amount(d, 1_000 * ETH)).await;
    let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.core.collateral_vault = fake);
    refused(&mut m.w.bank, "forged collateral vault", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;
    // A copy of the market's USDC transit account at another address (the swap input to Mallory).
    let fake_transit = forge(&mut m.w.bank, &m.keys.transit_quote, SPL_TOKEN_ID, |_| {}).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.transit_quote = fake_transit);
    refused(&mut m.w.bank, "forged USDC transit", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;
    let fake_transit = forge(&mut m.w.bank, &m.keys.transit_collateral, TOKEN_2022_ID, |_| {}).await;
    let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.core.transit_collateral = fake_transit);
    refused(&mut m.w.bank, "forged ETH transit", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;

    // A copy of the lending pool's liquidity vault claiming $1B: a lender withdrawing "from it".
    let lk = m.keys.lending;
    let fake_liq = forge(&mut m.w.bank, &lk.liquidity_vault, SPL_TOKEN_ID, |d| set_amount(d, 1_000_000_000 * USD)).await;
    let mut a = lending_pool::accounts::Withdraw {
        lender: m.w.lender.key(),
        pool: lk.pool,
        mint: lk.mint,
        share_mint: lk.share_mint,
        liquidity_vault: lk.liquidity_vault,
        lender_token: m.w.lender.usdc,
        lender_shares: m.w.lender_shares,
        token_program: lk.token_program,
    };
    a.liquidity_vault = fake_liq;
    let ix = anchor_ix(lending_pool::ID, a, lending_pool::instruction::Withdraw { shares: USD, min_amount: 0 });
    let keys = with(&keys, &[m.w.lender.usdc, m.w.lender_shares]);
    let lender = m.w.lender.kp.insecure_clone();
    refused(&mut m.w.bank, "forged liquidity vault", &keys, &[ix], &[&lender], anchor_code(AnchorError::ConstraintHasOne)).await;

    // A copy of the AMM's ETH vault as the output side of a swap.
    let trader = m.w.user(10_000 * USD, 0).await;
    let fake_out = forge(&mut m.w.bank, &m.w.amm.vault_of(&m.w.eth), TOKEN_2022_ID, |_| {}).await;
    let mut a = m.w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, m.w.amm.is_a(&m.w.usdc));
    a.output_vault = fake_out;
    let ix = anchor_ix(amm::ID, a, amm::instruction::Swap { amount_in: 1_000 * USD, min_out: 0 });
    let keys = with(&keys, &[trader.usdc, trader.eth]);
    refused(&mut m.w.bank, "forged AMM vault", &keys, &[ix], &[&trader.kp], AmmError::InvalidVault).await;
}

#[tokio::test]
async fn attack_type_cosplay() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&market_keys(&m), &holder_keys(&alice));
    let mismatch = anchor_code(AnchorError::AccountDiscriminatorMismatch);
    let lk = m.keys.lending;

    // A Borrower (same program, another type) where a LendingPool is expected.
    let borrower = m.keys.lending_borrower();
    let ix = anchor_ix(lending_pool::ID, lending_pool::accounts::AccrueInterest { pool: borrower }, lending_pool::instruction::AccrueInterest {});
    refused(&mut m.w.bank, "borrower as pool (accrue)", &keys, &[ix], &[], mismatch).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.lending_pool = borrower);
    refused(&mut m.w.bank, "borrower as pool (market)", &keys, &[ix], &[&alice.user.kp], mismatch).await;
    // The LendingPool where the Borrower is expected.
    let payer_usdc = alice.user.usdc;
    let mut ix = lk.repay(alice.user.key(), m.keys.market, payer_usdc, USD);
    ix.accounts[2].pubkey = lk.pool;
    refused(&mut m.w.bank, "pool as borrower (repay)", &keys, &[ix], &[&alice.user.kp], mismatch).await;

    // An AMM Pool where the Market is expected: wrong owner...
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.market = m.keys.amm.pool);
    refused(&mut m.w.bank, "AMM pool as market", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::AccountOwnedByWrongProgram)).await;
    // ...and the same bytes owned by the leveraged-token program, padded to a Market's size.
    let market_len = m.w.bank.account(&m.keys.market).await.unwrap().data.len();
    let cosplay = forge(&mut m.w.bank, &m.keys.amm.pool, leveraged_token::ID, |d| d.resize(market_len, 0)).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.market = cosplay);
    refused(&mut m.w.bank, "AMM pool bytes owned by the market program", &keys, &[ix], &[&alice.user.kp], mismatch).await;
    // A Pyth price update's bytes owned by the leveraged-token program as the Market.
    let cosplay = forge(&mut m.w.bank, &m.keys.oracle, leveraged_token::ID, |d| d.resize(market_len, 0)).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.market = cosplay);
    refused(&mut m.w.bank, "price update bytes as market", &keys, &[ix], &[&alice.user.kp], mismatch).await;
    // The Market's bytes owned by the Pyth receiver as the oracle (no address is pinned: the type).
    let cosplay = forge(&mut m.w.bank, &m.keys.market, PYTH_RECEIVER_ID, |_| {}).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.oracle = cosplay);
    refused(&mut m.w.bank, "market bytes as oracle", &keys, &[ix], &[&alice.user.kp], mismatch).await;
}

// ---------------------------------------------------------------------------------------------
// PDAs

#[tokio::test]
async fn attack_pdas_with_a_non_canonical_bump_or_another_markets_seeds() {
    let (mut m, alice) = market_with_alice().await;
    let m2 = second_market(&mut m).await;
    let keys = with(&market_keys(&m), &with(&holder_keys(&alice), &[m2.market, m2.lending_borrower()]));
    let seeds = anchor_code(AnchorError::ConstraintSeeds);
    let id = 1u64.to_le_bytes();

    // The market's bytes at the market seeds' non-canonical PDA.
    let fake_market = non_canonical_pda(&[leveraged_token::MARKET_SEED, &id], &leveraged_token::ID);
    copy_to(&mut m.w.bank, &m.keys.market, &fake_market, leveraged_token::ID, |_| {}).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.market = fake_market);
    refused(&mut m.w.bank, "market at a non-canonical bump", &keys, &[ix], &[&alice.user.kp], seeds).await;
    let admin = m.w.bank.payer_key();
    let mut ix = m.keys.queue_change(admin, AdminChange::Params(seed_params()));
    ix.accounts[1].pubkey = fake_market;
    refused(&mut m.w.bank, "queue_change on a non-canonical market", &keys, &[ix], &[], seeds).await;

    // The market's credit-line record at a non-canonical bump of its seeds.
    let lk = m.keys.lending;
    let fake_borrower = non_canonical_pda(&[BORROWER_SEED, lk.pool.as_ref(), m.keys.market.as_ref()], &lending_pool::ID);
    copy_to(&mut m.w.bank, &m.keys.lending_borrower(), &fake_borrower, lending_pool::ID, |_| {}).await;
    let mut ix = lk.set_credit_limit(admin, m.keys.market, 0);
    ix.accounts[2].pubkey = fake_borrower;
    refused(&mut m.w.bank, "borrower at a non-canonical bump", &keys, &[ix], &[], seeds).await;
    let mut ix = lk.repay(alice.user.key(), m.keys.market, alice.user.usdc, USD);
    ix.accounts[2].pubkey = fake_borrower;
    refused(&mut m.w.bank, "repay a non-canonical borrower", &keys, &[ix], &[&alice.user.kp], seeds).await;

    // The AMM's signer at a non-canonical bump.
    let fake_authority = non_canonical_pda(&[amm::AUTHORITY_SEED, m.w.amm.pool.as_ref()], &amm::ID);
    let trader = m.w.user(1_000 * USD, 0).await;
    let mut a = m.w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, m.w.amm.is_a(&m.w.usdc));
    a.authority = fake_authority;
    let ix = anchor_ix(amm::ID, a, amm::instruction::Swap { amount_in: 100 * USD, min_out: 0 });
    let keys = with(&keys, &[trader.usdc, trader.eth]);
    refused(&mut m.w.bank, "AMM signer at a non-canonical bump", &keys, &[ix], &[&trader.kp], seeds).await;
    // And the vault's swap through the venue with that signer.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.swap_authority = fake_authority);
    refused(&mut m.w.bank, "market swap with a non-canonical AMM signer", &keys, &[ix], &[&alice.user.kp], seeds).await;

    // Market 2's credit line (its seeds) under market 1.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.lending_borrower = m2.lending_borrower());
    refused(&mut m.w.bank, "market 2's borrower PDA", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;
}

// ---------------------------------------------------------------------------------------------
// Arbitrary CPI

#[tokio::test]
async fn attack_swap_through_a_program_that_is_not_allowlisted() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[m.keeper.usdc]);
    let tokens = m.lev_balance(&alice).await;
    // An executable look-alike "venue" (an upgradeable-loader program account of the attacker's).
    let look_alike = Pubkey::new_unique();
    m.w.bank.set_account(&look_alike, Account { lamports: 10_000_000, data: vec![2, 0, 0, 0], owner: BPF_LOADER_UPGRADEABLE, executable: true, rent_epoch: 0 });

    let programs = [
        ("the lending pool", lending_pool::ID),
        ("the system program", SYSTEM_PROGRAM),
        ("SPL Token", SPL_TOKEN_ID),
        ("the market program itself", leveraged_token::ID),
        ("a look-alike venue", look_alike),
    ];
    for (what, program) in programs {
        let ix = mint_ix(&m.keys, &alice, 1_000 * USD, |a| a.core.swap_program = program);
        refused(&mut m.w.bank, what, &keys, &[ix], &[&alice.user.kp], LevError::SwapProgramNotAllowed).await;
        let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.core.swap_program = program);
        refused(&mut m.w.bank, what, &keys, &[ix], &[&alice.user.kp], LevError::SwapProgramNotAllowed).await;
    }
    // The allowlisted program with a pool it is not paired with (the market's own account).
    let ix = mint_ix(&m.keys, &alice, 1_000 * USD, |a| a.core.swap_pool = m.keys.market);
    refused(&mut m.w.bank, "allowlisted program, unlisted pool", &keys, &[ix], &[&alice.user.kp], LevError::SwapProgramNotAllowed).await;
    // A non-executable account as the program.
    let ix = mint_ix(&m.keys, &alice, 1_000 * USD, |a| a.core.swap_program = alice.user.key());
    refused(&mut m.w.bank, "a wallet as the swap program", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintExecutable)).await;
    // The keeper's path too.
    m.set_price_usd(3_300).await;
    let keeper = m.keeper.kp.insecure_clone();
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.core.swap_program = lending_pool::ID);
    refused(&mut m.w.bank, "rebalance via the lending program", &keys, &[ix], &[&keeper], LevError::SwapProgramNotAllowed).await;
    m.rebalance().await.expect("allowlisted venue");
}

#[tokio::test]
async fn attack_fake_token_and_lending_programs() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&market_keys(&m), &holder_keys(&alice));
    let bad_program = anchor_code(AnchorError::InvalidProgramId);
    let address = anchor_code(AnchorError::ConstraintAddress);

    // A program that is not a token program as the collateral's token program.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.collateral_token_program = amm::ID);
    refused(&mut m.w.bank, "AMM as token program", &keys, &[ix], &[&alice.user.kp], bad_program).await;
    // The other (real) token program than the one the market recorded.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.quote_token_program = TOKEN_2022_ID);
    refused(&mut m.w.bank, "Token-2022 for USDC", &keys, &[ix], &[&alice.user.kp], address).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.lev_token_program = SPL_TOKEN_ID);
    refused(&mut m.w.bank, "SPL Token for ETHBULL3X", &keys, &[ix], &[&alice.user.kp], address).await;
    // A fake lending program (it would "lend" whatever it likes).
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.lending_program = amm::ID);
    refused(&mut m.w.bank, "AMM as lending program", &keys, &[ix], &[&alice.user.kp], bad_program).await;

    // The lending pool with a fake token program.
    let lk = m.keys.lending;
    let mut a = accounts_deposit(&lk, &m.w.lender);
    a.lender_shares = m.w.lender_shares;
    a.token_program = amm::ID;
    let ix = anchor_ix(lending_pool::ID, a, lending_pool::instruction::Deposit { amount: USD, min_shares: 0 });
    let lender = m.w.lender.kp.insecure_clone();
    let keys = with(&keys, &[m.w.lender.usdc, m.w.lender_shares]);
    refused(&mut m.w.bank, "lending with a fake token program", &keys, &[ix], &[&lender], bad_program).await;
    // The AMM with a fake token program.
    let trader = m.w.user(1_000 * USD, 0).await;
    let mut a = m.w.amm.swap_accounts(trader.key(), trader.usdc, trader.eth, m.w.amm.is_a(&m.w.usdc));
    a.input_token_program = lending_pool::ID;
    let ix = anchor_ix(amm::ID, a, amm::instruction::Swap { amount_in: 100 * USD, min_out: 0 });
    let keys = with(&keys, &[trader.usdc, trader.eth]);
    refused(&mut m.w.bank, "AMM with a fake token program", &keys, &[ix], &[&trader.kp], bad_program).await;
}

// ---------------------------------------------------------------------------------------------
// Duplicate mutable accounts

#[tokio::test]
async fn attack_duplicate_mutable_accounts_in_every_program() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[m.keeper.usdc]);
    let dup = anchor_code(AnchorError::ConstraintDuplicateMutableAccount);
    let tokens = m.lev_balance(&alice).await;

    // Keeper reward paid "to" the transit vault itself.
    m.set_price_usd(3_300).await;
    let keeper = m.keeper.kp.insecure_clone();
    let ix = rebalance_ix(&m.keys, &m.keeper, |a| a.keeper_quote = m.keys.quote_vault);
    refused(&mut m.w.bank, "keeper account = quote vault", &keys, &[ix], &[&keeper], dup).await;
    // Redemption paid into the quote vault (which also holds the fees).
    let ix = redeem_ix(&m.keys, &alice, tokens, |a| a.user_quote = m.keys.quote_vault);
    refused(&mut m.w.bank, "user USDC = quote vault", &keys, &[ix], &[&alice.user.kp], dup).await;
    // A mint paid from the market's own USDC transit account.
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.user_quote = m.keys.transit_quote);
    refused(&mut m.w.bank, "user USDC = transit USDC", &keys, &[ix], &[&alice.user.kp], dup).await;

    // Lending: repay from the pool's own vault; the market borrowing into the pool's vault (the
    // only borrower is a market, which borrows into its quote vault, pinned by address: that
    // check refuses the substitution before the duplicate check would).
    let lk = m.keys.lending;
    let ix = lk.repay(alice.user.key(), m.keys.market, lk.liquidity_vault, USD);
    refused(&mut m.w.bank, "repay from the liquidity vault", &keys, &[ix], &[&alice.user.kp], dup).await;
    let ix = mint_ix(&m.keys, &alice, 100 * USD, |a| a.core.quote_vault = lk.liquidity_vault);
    refused(&mut m.w.bank, "market borrows into the liquidity vault", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::ConstraintAddress)).await;
    // AMM: swap output into the pool's own output vault.
    let ix = m.w.amm.swap(alice.user.key(), alice.user.usdc, m.w.amm.vault_of(&m.w.eth), m.w.amm.is_a(&m.w.usdc), 100 * USD, 0);
    refused(&mut m.w.bank, "swap destination = output vault", &keys, &[ix], &[&alice.user.kp], dup).await;
}

// ---------------------------------------------------------------------------------------------
// Re-initialisation, closing and reviving

#[tokio::test]
async fn attack_reinitialise_the_market() {
    let (mut m, alice) = market_with_alice().await;
    let keys = with(&market_keys(&m), &holder_keys(&alice));
    // The admin (also the pool's admin) re-runs init_market for market 1: everything would reset —
    // collateral to zero, a new guardian, a new credit line.
    let admin = m.w.bank.payer_key();
    let mut args = init_args(&m);
    args.guardian = Pubkey::new_unique();
    let ix = m.keys.init_market(admin, admin, args.clone());
    refused_init(&mut m.w.bank, "re-init market 1", &keys, &[ix], &[]).await;

    // Mallory, admin of her own lending pool (for a fake USDC), tries to take over market id 1.
    let (pool2, pool_admin) = pool_with_keypair_admin(&mut m.w).await;
    let hijack = MarketKeys::derive(1, m.w.eth, TOKEN_2022_ID, pool2, m.w.amm, m.keys.oracle, pool_admin.pubkey());
    assert_eq!(hijack.market, m.keys.market);
    let ix = hijack.init_market(pool_admin.pubkey(), pool_admin.pubkey(), args);
    let keys = with(&keys, &[pool2.pool, hijack.lending_borrower()]);
    refused_init(&mut m.w.bank, "take over market id 1", &keys, &[ix], &[&pool_admin]).await;
    assert_eq!(m.market().await.admin, admin);
}

/// A system-program transfer, built by hand (the tests crate does not depend on the system interface).
fn system_transfer(from: &Pubkey, to: &Pubkey, lamports: u64) -> Instruction {
    let mut data = 2u32.to_le_bytes().to_vec();
    data.extend_from_slice(&lamports.to_le_bytes());
    Instruction { program_id: SYSTEM_PROGRAM, accounts: vec![AccountMeta::new(*from, true), AccountMeta::new(*to, false)], data }
}

/// Rent-exempt minimum of an empty account: the cheapest deposit the runtime accepts.
const GRIEF_LAMPORTS: u64 = 890_880;

/// Mallory parks lamports on every PDA of `pdas`; `init` alone then fails; through the client's
/// `guard_init` (which prepends a reclaim for each pre-funded PDA) the same `init` succeeds and the
/// lamports go to the creator.
async fn grief_then_recover(bank: &mut Bank, mallory: &Keypair, pdas: &[InitPda], init: Instruction, signers: &[&Keypair], what: &str) {
    let transfers: Vec<Instruction> = pdas.iter().map(|p| system_transfer(&mallory.pubkey(), &p.address, GRIEF_LAMPORTS)).collect();
    bank.send(&transfers, &[mallory]).await.expect("grief");
    let keys: Vec<Pubkey> = pdas.iter().map(|p| p.address).collect();
    refused_init(bank, what, &keys, &[init.clone()], signers).await;
    let payer = bank.payer_key();
    let ixs = guard_init(bank, payer, pdas, init).await.expect("read the PDAs");
    assert_eq!(ixs.len(), pdas.len() + 1, "{what}: one reclaim per pre-funded PDA");
    bank.send(&ixs, signers).await.unwrap_or_else(|e| panic!("{what} after reclaiming: {e}"));
    for p in pdas {
        let acc = bank.account(&p.address).await.expect("created");
        assert_ne!(acc.owner, SYSTEM_PROGRAM, "{what}: {} still a bare system account", p.address);
    }
}

#[tokio::test]
async fn attack_prefund_pdas_to_block_their_creation() {
    let (mut m, _alice) = market_with_alice().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let admin = m.w.bank.payer_key();

    // A new market: every PDA init_market creates, including its credit line at the pool.
    let m3 = market_keys_for(&m, 3);
    let id = 3u64.to_le_bytes();
    let pdas = [
        InitPda::new(leveraged_token::ID, &[leveraged_token::MARKET_SEED, &id]),
        InitPda::new(leveraged_token::ID, &[leveraged_token::LEV_MINT_SEED, m3.market.as_ref()]),
        InitPda::new(leveraged_token::ID, &[leveraged_token::COLLATERAL_VAULT_SEED, m3.market.as_ref()]),
        InitPda::new(leveraged_token::ID, &[leveraged_token::QUOTE_VAULT_SEED, m3.market.as_ref()]),
        InitPda::new(leveraged_token::ID, &[leveraged_token::TRANSIT_SEED, m3.market.as_ref(), m.w.eth.as_ref()]),
        InitPda::new(leveraged_token::ID, &[leveraged_token::TRANSIT_SEED, m3.market.as_ref(), m.w.usdc.as_ref()]),
        InitPda::new(lending_pool::ID, &[BORROWER_SEED, m.keys.lending.pool.as_ref(), m3.market.as_ref()]),
    ];
    let addrs: Vec<Pubkey> = pdas.iter().map(|p| p.address).collect();
    assert_eq!(addrs, [m3.market, m3.lev_mint, m3.collateral_vault, m3.quote_vault, m3.transit_collateral, m3.transit_quote, m3.lending_borrower()]);
    assert_eq!(pdas.to_vec(), m3.init_pdas(), "the client's list of init_market's PDAs");
    let args = init_args(&m);
    grief_then_recover(&mut m.w.bank, &mallory, &pdas, m3.init_market(admin, admin, args), &[], "init_market").await;
    let market3: leveraged_token::Market = m.w.bank.anchor_account(&m3.market).await;
    assert_eq!(market3.market_id, 3);

    // The lending pool of a mint (there is only one per mint: without the remedy, never).
    let mint = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let lk = LendingPoolKeys::derive(mint, SPL_TOKEN_ID);
    let pdas = [
        InitPda::new(lending_pool::ID, &[lending_pool::POOL_SEED, mint.as_ref()]),
        InitPda::new(lending_pool::ID, &[lending_pool::LIQUIDITY_SEED, lk.pool.as_ref()]),
        InitPda::new(lending_pool::ID, &[lending_pool::SHARE_MINT_SEED, lk.pool.as_ref()]),
    ];
    assert_eq!(pdas.to_vec(), lk.init_pdas());
    grief_then_recover(&mut m.w.bank, &mallory, &pdas, lk.init_pool(admin, default_pool_config(), 0), &[], "init_pool").await;

    // A credit line at the real pool for a market (the only kind of borrower) that so far borrows
    // elsewhere.
    let (pool2, pool_admin) = pool_with_keypair_admin(&mut m.w).await;
    let authority = market_on_pool(&mut m, pool2, &pool_admin, 4).await.market;
    let pdas = [InitPda::new(lending_pool::ID, &[BORROWER_SEED, m.keys.lending.pool.as_ref(), authority.as_ref()])];
    assert_eq!(pdas.to_vec(), vec![m.keys.lending.borrower_pda(&authority)]);
    grief_then_recover(&mut m.w.bank, &mallory, &pdas, m.keys.lending.register_borrower(admin, authority, USD), &[], "register_borrower").await;

    // An AMM pool for a pair.
    let other = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let pool = AmmPool::derive(m.w.eth, TOKEN_2022_ID, other, SPL_TOKEN_ID, SPL_TOKEN_ID);
    // The pool's seeds take the two mints in byte order.
    let (lo, hi) = if m.w.eth < other { (m.w.eth, other) } else { (other, m.w.eth) };
    let pdas = [
        InitPda::new(amm::ID, &[amm::POOL_SEED, lo.as_ref(), hi.as_ref()]),
        InitPda::new(amm::ID, &[amm::VAULT_SEED, pool.pool.as_ref(), lo.as_ref()]),
        InitPda::new(amm::ID, &[amm::VAULT_SEED, pool.pool.as_ref(), hi.as_ref()]),
        InitPda::new(amm::ID, &[amm::LP_MINT_SEED, pool.pool.as_ref()]),
    ];
    assert_eq!(pdas.to_vec(), pool.init_pdas());
    grief_then_recover(&mut m.w.bank, &mallory, &pdas, pool.initialize(admin, 30), &[], "initialize_pool").await;

    // Market 3 works.
    let bob = m.w.user(1_000 * USD, 0).await;
    let bob_lev = m.w.bank.create_token_account(&m3.lev_mint, &bob.key(), &TOKEN_2022_ID).await;
    m.w.bank.send(&[m3.mint(bob.key(), bob.usdc, bob_lev, 1_000 * USD, 0)], &[&bob.kp]).await.expect("mint on market 3");
}

#[tokio::test]
async fn attack_reclaim_prefunded_cannot_touch_live_or_foreign_accounts() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let mk = mallory.pubkey();
    let k = m.keys;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[m.w.amm.authority, k.lending.borrower(&mk)]);
    let id = 1u64.to_le_bytes();
    let id2 = 2u64.to_le_bytes();
    let m2 = market_keys_for(&m, 2).market;
    let lev = LevError::NotAPrefundedPda;
    let lend = LendingError::NotAPrefundedPda;
    let amm_e = AmmError::NotAPrefundedPda;
    let cases: Vec<(&str, Pubkey, Pubkey, Vec<&[u8]>, u32)> = vec![
        ("the live market", leveraged_token::ID, k.market, vec![leveraged_token::MARKET_SEED, &id], lev.into()),
        (
            "the collateral vault (token account)",
            leveraged_token::ID,
            k.collateral_vault,
            vec![leveraged_token::COLLATERAL_VAULT_SEED, k.market.as_ref()],
            lev.into(),
        ),
        ("the market under market 2's seeds", leveraged_token::ID, k.market, vec![leveraged_token::MARKET_SEED, &id2], lev.into()),
        ("market 2's unused address (no lamports)", leveraged_token::ID, m2, vec![leveraged_token::MARKET_SEED, &id2], lev.into()),
        ("the lending pool", lending_pool::ID, k.lending.pool, vec![lending_pool::POOL_SEED, k.lending.mint.as_ref()], lend.into()),
        ("the liquidity vault", lending_pool::ID, k.lending.liquidity_vault, vec![lending_pool::LIQUIDITY_SEED, k.lending.pool.as_ref()], lend.into()),
        ("the market's credit line", lending_pool::ID, k.lending_borrower(), vec![BORROWER_SEED, k.lending.pool.as_ref(), k.market.as_ref()], lend.into()),
        ("the AMM pool", amm::ID, k.amm.pool, vec![amm::POOL_SEED, k.amm.mint_a.as_ref(), k.amm.mint_b.as_ref()], amm_e.into()),
        (
            "the AMM's ETH vault",
            amm::ID,
            k.amm.vault_of(&k.collateral_mint),
            vec![amm::VAULT_SEED, k.amm.pool.as_ref(), k.collateral_mint.as_ref()],
            amm_e.into(),
        ),
        ("the AMM's signer (system-owned, empty)", amm::ID, k.amm.authority, vec![amm::AUTHORITY_SEED, k.amm.pool.as_ref()], amm_e.into()),
        ("an AMM PDA through the lending program", lending_pool::ID, k.amm.authority, vec![amm::AUTHORITY_SEED, k.amm.pool.as_ref()], lend.into()),
        ("a seed longer than 32 bytes", lending_pool::ID, k.lending.pool, vec![&[7u8; 33]], lend.into()),
    ];
    for (what, program, target, seeds, code) in cases {
        let ix = reclaim_ix(program, mk, target, seeds.iter().map(|s| s.to_vec()).collect());
        refused(&mut m.w.bank, what, &keys, &[ix], &[&mallory], code).await;
    }
    // A griefed PDA cannot be swept without the payer's signature either.
    let target = k.lending.borrower(&mk);
    m.w.bank.send(&[system_transfer(&mk, &target, GRIEF_LAMPORTS)], &[&mallory]).await.unwrap();
    let payer = m.w.lender.key();
    let ix =
        unsigned(reclaim_ix(lending_pool::ID, payer, target, vec![BORROWER_SEED.to_vec(), k.lending.pool.to_bytes().to_vec(), mk.to_bytes().to_vec()]), &payer);
    let keys = with(&keys, &[payer]);
    refused(&mut m.w.bank, "reclaim without the payer's signature", &keys, &[ix], &[], not_signer()).await;
}

#[tokio::test]
async fn attack_reinitialise_the_lending_pool_and_credit_line() {
    let (mut m, _alice) = market_with_alice().await;
    let keys = market_keys(&m);
    let lk = m.keys.lending;
    // Mallory re-runs init_pool for USDC: she would become admin and cash would reset to zero.
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let ix = lk.init_pool(mallory.pubkey(), default_pool_config(), 0);
    refused_init(&mut m.w.bank, "re-init the pool", &keys, &[ix], &[&mallory]).await;
    // Even the admin cannot re-register the market's line (its $2,000 debt would be erased).
    let debt_before = m.nav().await.debt;
    assert!(debt_before > 0);
    let admin = m.w.bank.payer_key();
    let ix = lk.register_borrower(admin, m.keys.market, MARKET_CREDIT_LIMIT);
    refused_init(&mut m.w.bank, "re-register the market's credit line", &keys, &[ix], &[]).await;
    assert_eq!(m.nav().await.debt, debt_before);
    let pool: LendingPool = m.w.bank.anchor_account(&lk.pool).await;
    assert_eq!(pool.admin, admin);
}

#[tokio::test]
async fn attack_reinitialise_the_amm_pool() {
    let (mut m, _alice) = market_with_alice().await;
    let keys = with(&market_keys(&m), &[m.w.amm.lp_mint]);
    // Mallory re-runs initialize_pool: reserves and LP supply would reset, fee to zero.
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let ix = m.w.amm.initialize(mallory.pubkey(), 0);
    refused_init(&mut m.w.bank, "re-init the AMM pool", &keys, &[ix], &[&mallory]).await;
    let pool: amm::Pool = m.w.bank.anchor_account(&m.w.amm.pool).await;
    assert_eq!(pool.fee_bps, 5);
    assert!(pool.reserve_a > 0 && pool.reserve_b > 0);
}

#[tokio::test]
async fn attack_close_and_revive_accounts() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.w.user(0, 0).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[mallory.usdc]);
    // The transit vault is empty between instructions: Mallory tries to close it (rent to her).
    let ix = spl_token_2022::instruction::close_account(&SPL_TOKEN_ID, &m.keys.quote_vault, &mallory.usdc, &mallory.key(), &[]).unwrap();
    refused(&mut m.w.bank, "close the quote vault", &keys, &[ix], &[&mallory.kp], TOKEN_OWNER_MISMATCH).await;
    // The (empty) transit accounts: ETH on Token-2022, USDC on SPL Token.
    let ix = spl_token_2022::instruction::close_account(&TOKEN_2022_ID, &m.keys.transit_collateral, &mallory.usdc, &mallory.key(), &[]).unwrap();
    refused(&mut m.w.bank, "close the ETH transit account", &keys, &[ix], &[&mallory.kp], TOKEN_OWNER_MISMATCH).await;
    let ix = spl_token_2022::instruction::close_account(&SPL_TOKEN_ID, &m.keys.transit_quote, &mallory.usdc, &mallory.key(), &[]).unwrap();
    refused(&mut m.w.bank, "close the USDC transit account", &keys, &[ix], &[&mallory.kp], TOKEN_OWNER_MISMATCH).await;

    // A closed account (no lamports) is not initialized: the market cannot use a closed credit line.
    let borrower = m.keys.lending_borrower();
    let real = m.w.bank.account(&borrower).await.unwrap();
    m.w.bank.set_account(&borrower, Account { lamports: 0, data: vec![], owner: SYSTEM_PROGRAM, executable: false, rent_epoch: 0 });
    let ix = m.keys.mint(alice.user.key(), alice.user.usdc, alice.lev, 100 * USD, 0);
    refused(&mut m.w.bank, "mint with a closed credit line", &keys, &[ix.clone()], &[&alice.user.kp], anchor_code(AnchorError::AccountNotInitialized)).await;
    // Revived with zeroed data (rent back, same owner): the discriminator is gone.
    m.w.bank.set_account(&borrower, Account { data: vec![0; real.data.len()], ..real.clone() });
    refused(&mut m.w.bank, "mint with a zeroed credit line", &keys, &[ix.clone()], &[&alice.user.kp], anchor_code(AnchorError::AccountDiscriminatorMismatch))
        .await;
    // Revived as a system account holding the old bytes: wrong owner.
    m.w.bank.set_account(&borrower, Account { owner: SYSTEM_PROGRAM, ..real.clone() });
    refused(&mut m.w.bank, "mint with a system-owned copy", &keys, &[ix.clone()], &[&alice.user.kp], anchor_code(AnchorError::AccountOwnedByWrongProgram))
        .await;
    // The market itself closed: nothing can use it.
    let market = m.w.bank.account(&m.keys.market).await.unwrap();
    m.w.bank.set_account(&borrower, real);
    m.w.bank.set_account(&m.keys.market, Account { lamports: 0, data: vec![], owner: SYSTEM_PROGRAM, executable: false, rent_epoch: 0 });
    refused(&mut m.w.bank, "mint on a closed market", &keys, &[ix], &[&alice.user.kp], anchor_code(AnchorError::AccountNotInitialized)).await;
    m.w.bank.set_account(&m.keys.market, market);
    m.mint(&alice, 100 * USD, 0).await.expect("restored accounts work");
}

// ---------------------------------------------------------------------------------------------
// Clock

#[tokio::test]
async fn attack_fake_clock_account() {
    let (mut m, _alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    let keys = with(&market_keys(&m), &holder_keys(&bob));
    // The oracle is 61 s old by the cluster's clock (60 s allowed).
    m.w.bank.warp_seconds(61).await;
    let real_now = m.w.bank.now().await;
    // Mallory hands the program a clock of her own, claiming the oracle was just published: the
    // programs read the clock through the `Clock::get()` syscall and take no clock account.
    let mut clock = Vec::with_capacity(40);
    for v in [1_000u64, 0, 0, 0] {
        clock.extend_from_slice(&v.to_le_bytes());
    }
    clock.extend_from_slice(&m.obs.publish_time.to_le_bytes());
    let fake_clock = Pubkey::new_unique();
    m.w.bank.set_account(&fake_clock, Account { lamports: 1_000_000, data: clock, owner: SYSTEM_PROGRAM, executable: false, rent_epoch: 0 });
    let mut ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    ix.accounts.push(AccountMeta::new_readonly(fake_clock, false));
    ix.accounts.push(AccountMeta::new_readonly(CLOCK_SYSVAR, false));
    refused(&mut m.w.bank, "mint with a fake clock", &keys, &[ix.clone()], &[&bob.user.kp], LevError::OracleStale).await;
    // The same fake clock bytes owned by the sysvar program do not help either.
    let acc = m.w.bank.account(&fake_clock).await.unwrap();
    m.w.bank.set_account(&fake_clock, Account { owner: SYSVAR_OWNER, ..acc });
    refused(&mut m.w.bank, "mint with a sysvar-owned fake clock", &keys, &[ix], &[&bob.user.kp], LevError::OracleStale).await;
    // If the cluster's clock itself ran backwards, interest accrual refuses to run time back.
    m.w.bank.set_time(real_now - 3_600).await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint with the clock rolled back", &keys, &[ix], &[&bob.user.kp], LendingError::InvalidClock).await;
    m.w.bank.set_time(real_now).await;
    m.refresh_oracle().await;
    m.mint(&bob, 1_000 * USD, 0).await.expect("fresh oracle, real clock");
}

// ---------------------------------------------------------------------------------------------
// Oracle

#[tokio::test]
async fn attack_stale_or_future_oracle() {
    let (mut m, alice) = market_with_alice().await;
    let tokens = m.lev_balance(&alice).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[m.keeper.usdc]);
    let keeper = m.keeper.kp.insecure_clone();
    // ETH +10% (a rebalance is due), but the oracle then stops updating for 61 s.
    m.set_price_usd(3_300).await;
    m.w.bank.warp_seconds(61).await;
    let mint = m.keys.mint(alice.user.key(), alice.user.usdc, alice.lev, 100 * USD, 0);
    let redeem = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
    refused(&mut m.w.bank, "mint on a stale price", &keys, &[mint.clone()], &[&alice.user.kp], LevError::OracleStale).await;
    refused(&mut m.w.bank, "redeem on a stale price", &keys, &[redeem.clone()], &[&alice.user.kp], LevError::OracleStale).await;
    refused(&mut m.w.bank, "rebalance on a stale price", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], LevError::OracleStale).await;
    // Exactly 60 s old is still accepted (the bound is not looser or tighter than stated).
    m.refresh_oracle().await;
    m.w.bank.warp_seconds(60).await;
    m.w.bank.simulate_signed(&[mint.clone()], &[&alice.user.kp]).await.expect("60 s old is fresh enough");
    // A price stamped 10 s in the future is accepted (ordinary clock skew, `ORACLE_MAX_FUTURE_SECS`),
    // 11 s is not.
    m.refresh_oracle().await;
    m.obs.publish_time += leveraged_token::ORACLE_MAX_FUTURE_SECS;
    let obs = m.obs;
    m.w.bank.set_price(&m.keys.oracle, &obs);
    m.w.bank.simulate_signed(&[mint.clone()], &[&alice.user.kp]).await.expect("10 s ahead is accepted");
    m.obs.publish_time += 1;
    let obs = m.obs;
    m.w.bank.set_price(&m.keys.oracle, &obs);
    refused(&mut m.w.bank, "mint on a price 11 s ahead", &keys, &[mint.clone()], &[&alice.user.kp], LevError::OracleInvalid).await;
    // A price stamped 30 s in the future.
    m.refresh_oracle().await;
    m.obs.publish_time += 30;
    let obs = m.obs;
    m.w.bank.set_price(&m.keys.oracle, &obs);
    refused(&mut m.w.bank, "mint on a future price", &keys, &[mint], &[&alice.user.kp], LevError::OracleInvalid).await;
    refused(&mut m.w.bank, "redeem on a future price", &keys, &[redeem], &[&alice.user.kp], LevError::OracleInvalid).await;
    refused(&mut m.w.bank, "rebalance on a future price", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], LevError::OracleInvalid).await;
}

#[tokio::test]
async fn attack_oracle_with_the_wrong_feed_or_address() {
    let (mut m, alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&bob));
    // The market's oracle account now carries another feed (say BTC/USD at a fresh timestamp).
    let eth_feed = m.obs.feed_id;
    m.obs.feed_id = [7u8; 32];
    m.refresh_oracle().await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint on another feed", &keys, &[ix], &[&bob.user.kp], LevError::OracleWrongFeed).await;
    m.obs.feed_id = eth_feed;
    m.refresh_oracle().await;
    // Mallory posts her own update (anyone can post to the Pyth receiver) at an address of her
    // choosing, for another feed: refused like the market's usual account with another feed.
    let mut other = m.obs;
    other.feed_id = [7u8; 32];
    let own = Pubkey::new_unique();
    m.w.bank.set_price(&own, &other);
    let ix = mint_ix(&m.keys, &bob, 1_000 * USD, |a| a.core.oracle = own);
    refused(&mut m.w.bank, "mint on Mallory's account with another feed", &keys, &[ix], &[&bob.user.kp], LevError::OracleWrongFeed).await;
    let mut ix2 = m.keys.nav();
    ix2.accounts[2].pubkey = own;
    refused(&mut m.w.bank, "nav on Mallory's account with another feed", &keys, &[ix2], &[], LevError::OracleWrongFeed).await;
    // A genuine, fully verified ETH/USD update at another address is accepted by design (no single
    // account is pinned, so a receiver migration cannot stop the market): it prices exactly like
    // the market's usual account.
    let obs = m.obs;
    m.w.bank.set_price(&own, &obs);
    let usual = m.nav().await;
    let mut ix2 = m.keys.nav();
    ix2.accounts[2].pubkey = own;
    let out = m.w.bank.simulate(&[ix2]).await.expect("nav on another account of the same feed");
    let view = <leveraged_token::NavView as anchor_lang::AnchorDeserialize>::deserialize(&mut out.return_data.expect("nav returns data").as_slice()).unwrap();
    assert_eq!(view, usual);
    let ix = mint_ix(&m.keys, &bob, 1_000 * USD, |a| a.core.oracle = own);
    let out = m.w.bank.simulate_signed(&[ix], &[&bob.user.kp]).await.expect("mint on another account of the same feed");
    assert_eq!(parse_events::<Minted>(&out.logs)[0].price_wad, m.oracle_price().wad);
    // A new market cannot be created on an account with another feed either.
    let admin = m.w.bank.payer_key();
    let m2 = market_keys_for(&m, 2);
    let mut args = init_args(&m);
    args.feed_id = [7u8; 32];
    let keys2 = [m2.market, m2.lev_mint, m2.lending_borrower()];
    refused(&mut m.w.bank, "init_market with a mismatched feed", &keys2, &[m2.init_market(admin, admin, args)], &[], LevError::OracleWrongFeed).await;
}

#[tokio::test]
async fn attack_oracle_wide_confidence_partial_verification_or_bad_price() {
    let (mut m, _alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    let keys = with(&market_keys(&m), &holder_keys(&bob));
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    // Confidence 2.01% of the price (2% allowed).
    m.obs.conf = m.obs.price as u64 * 201 / 10_000;
    m.refresh_oracle().await;
    refused(&mut m.w.bank, "wide confidence", &keys, &[ix.clone()], &[&bob.user.kp], LevError::OracleConfidenceTooWide).await;
    // Exactly 2% passes the oracle check.
    m.obs.conf = m.obs.price as u64 * 200 / 10_000;
    m.refresh_oracle().await;
    m.w.bank.simulate_signed(&[ix.clone()], &[&bob.user.kp]).await.expect("2% confidence is accepted");
    m.obs.conf = m.obs.price as u64 / 1_000;
    m.refresh_oracle().await;

    // A partially verified update (fewer guardian signatures than Pyth requires).
    let good = price_update_data(&m.obs, 1);
    assert_eq!(good[40], 1, "VerificationLevel::Full tag");
    let mut partial = good[..40].to_vec();
    partial.extend_from_slice(&[0, 3]); // Partial { num_signatures: 3 }
    partial.extend_from_slice(&good[41..]);
    partial.truncate(good.len());
    m.w.bank.set_account(&m.keys.oracle, Account { lamports: 10_000_000, data: partial, owner: PYTH_RECEIVER_ID, executable: false, rent_epoch: 0 });
    refused(&mut m.w.bank, "partially verified price", &keys, &[ix.clone()], &[&bob.user.kp], LevError::OracleInvalid).await;
    // Zero and negative prices.
    for price in [0, -3_000 * 100_000_000] {
        m.obs.price = price;
        m.obs.conf = 0;
        m.refresh_oracle().await;
        refused(&mut m.w.bank, "non-positive price", &keys, &[ix.clone()], &[&bob.user.kp], LevError::OracleInvalid).await;
    }
}

#[tokio::test]
async fn attack_price_moves_between_quote_and_execution_of_mint_and_redeem() {
    let (mut m, alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    // Bob quotes his mint at $3,000 and allows 1% below the quote.
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    let quote = m.w.bank.simulate_signed(&[ix], &[&bob.user.kp]).await.expect("quote");
    let quoted = parse_events::<Minted>(&quote.logs)[0].tokens;
    let min_tokens = quoted - quoted / 100;
    // ETH rises 3% (oracle and venue) before his transaction lands: each token is worth ≈9% more, so
    // his deposit buys ≈8% fewer.
    m.set_price_usd(3_090).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&bob));
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, min_tokens);
    refused(&mut m.w.bank, "mint after the price moved", &keys, &[ix], &[&bob.user.kp], LevError::TokensBelowMinimum).await;
    let tokens = parse_events::<Minted>(
        &m.w.bank.simulate_signed(&[m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0)], &[&bob.user.kp]).await.unwrap().logs,
    )[0]
    .tokens;
    assert!(tokens < min_tokens, "the bound protected Bob: {tokens} < {min_tokens}");

    // Alice quotes a redemption at $3,090; ETH falls back to $3,000 first.
    let t = m.lev_balance(&alice).await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, t, 0);
    let quote = m.w.bank.simulate_signed(&[ix], &[&alice.user.kp]).await.expect("quote");
    let quoted = parse_events::<Redeemed>(&quote.logs)[0].usdc_out;
    m.set_price_usd(3_000).await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, t, quoted - quoted / 100);
    refused(&mut m.w.bank, "redeem after the price moved", &keys, &[ix], &[&alice.user.kp], LevError::UsdcBelowMinimum).await;
}

#[tokio::test]
async fn attack_sandwich_the_amm_around_mint_redeem_and_rebalance() {
    let (mut m, alice) = market_with_alice().await;
    let bob = m.holder(1_000 * USD).await;
    let tokens = m.lev_balance(&alice).await;
    let keeper = m.keeper.kp.insecure_clone();
    let off = LevError::VenuePriceOffOracle;
    // Front-run: Mallory buys ETH, pushing the venue 2% above the oracle, just before Bob's mint:
    // the market refuses a venue more than 0.5% off the oracle before any swap.
    m.w.arbitrage_amm_to(price_from_usd(3_060)).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &with(&holder_keys(&bob), &[m.keeper.usdc]));
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint into a pushed pool", &keys, &[ix], &[&bob.user.kp], off).await;
    // She sells ETH, pushing it 2% below, before Alice's redemption (redemptions do not check the
    // venue; the oracle-derived minimum refuses the fill).
    m.w.arbitrage_amm_to(price_from_usd(2_940)).await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
    refused(&mut m.w.bank, "redeem into a pushed pool", &keys, &[ix], &[&alice.user.kp], AmmError::SlippageExceeded).await;
    // ETH +10% for real (a re-lever is due); Mallory pushes the venue 2% higher still before the
    // keeper's buy, and 2% lower before a de-lever.
    m.set_price_usd(3_300).await;
    m.w.arbitrage_amm_to(price_from_usd(3_366)).await;
    refused(&mut m.w.bank, "re-lever into a pushed pool", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], off).await;
    // ETH −5% (≈3.35x, a normal de-lever, 1% bound) with the venue pushed 2% lower.
    m.set_price_usd(2_850).await;
    m.w.arbitrage_amm_to(price_from_usd(2_793)).await;
    refused(&mut m.w.bank, "de-lever into a pushed pool", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], off).await;
    // ETH −10% (≈3.86x, the emergency path with its looser 1% venue bound): 2% lower is refused.
    m.set_price_usd(2_700).await;
    assert_eq!(m.nav().await.rebalance_trigger, 0, "emergency");
    m.w.arbitrage_amm_to(price_from_usd(2_646)).await;
    refused(&mut m.w.bank, "emergency de-lever, venue 2% lower", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], off).await;
    // 4% lower (beyond even the 3% emergency slippage bound) is refused the same way.
    m.w.arbitrage_amm_to(price_from_usd(2_592)).await;
    refused(&mut m.w.bank, "emergency de-lever into a pushed pool", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], off).await;
    // Once the venue is back at the oracle, the same calls go through.
    m.w.arbitrage_amm_to(price_from_usd(2_700)).await;
    m.rebalance().await.expect("rebalance at the oracle");
    m.mint(&bob, 1_000 * USD, 0).await.expect("mint at the oracle");
}

#[tokio::test]
async fn attack_min_out_zero_cannot_bypass_the_oracle_bound() {
    let (mut m, alice) = market_with_alice().await;
    let bob = m.holder(26_000 * USD).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&bob));
    // Bob asks for "at least 0 tokens" and Alice for "at least $0": a 1.5% worse pool refuses both —
    // the mint before any swap (the venue is more than 0.5% off the oracle), the redemption by the
    // market's own oracle-derived minimum (1% slippage).
    m.w.arbitrage_amm_to(price_from_usd(3_045)).await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 1_000 * USD, 0);
    refused(&mut m.w.bank, "mint, min 0, 1.5% worse pool", &keys, &[ix], &[&bob.user.kp], LevError::VenuePriceOffOracle).await;
    // A venue 0.43% worse passes the distance check, but a $25,000 mint's own $75,000 swap (≈0.75%
    // impact + 0.05% fee on top) would fill > 1% worse: the oracle minimum refuses it.
    m.w.arbitrage_amm_to(price_from_usd(3_013)).await;
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 25_000 * USD, 0);
    refused(&mut m.w.bank, "mint, min 0, fill 1.2% worse", &keys, &[ix], &[&bob.user.kp], AmmError::SlippageExceeded).await;
    m.w.arbitrage_amm_to(price_from_usd(2_955)).await;
    let tokens = m.lev_balance(&alice).await;
    let ix = m.keys.redeem(alice.user.key(), alice.user.usdc, alice.lev, tokens, 0);
    refused(&mut m.w.bank, "redeem, min 0, 1.5% worse pool", &keys, &[ix], &[&alice.user.kp], AmmError::SlippageExceeded).await;
    // Within the bounds (0.43% worse, a small mint) the fill happens, and it is never worse than
    // the oracle minimum.
    m.w.arbitrage_amm_to(price_from_usd(3_013)).await;
    let out = m.mint(&bob, 1_000 * USD, 0).await.expect("mint within the bound");
    let ev = &parse_events::<Minted>(&out.logs)[0];
    let price = m.oracle_price();
    let swap_in = ev.usdc_in - ev.fee + ev.borrowed;
    let min = lev_math::min_out_base_for_quote(price, swap_in, seed_params().max_slippage_bps).unwrap();
    assert!(ev.collateral_bought >= min, "bought {} < oracle minimum {min}", ev.collateral_bought);
    let value = price.value(ev.collateral_bought, Round::Down).unwrap() as u64;
    assert!(value * 10_000 >= swap_in * 9_900, "fill worth ${} for ${}", usd(value), usd(swap_in));
}

// ---------------------------------------------------------------------------------------------
// Share inflation and rounding

#[tokio::test]
async fn attack_lending_first_depositor_inflation() {
    let mut w = World::new(WorldConfig { lend_usd: 0, ..world() }).await;
    let mallory = w.user(1_000_001 * USD, 0).await;
    let m_shares = w.bank.create_token_account(&w.lending.share_mint, &mallory.key(), &SPL_TOKEN_ID).await;
    // First deposit: one base unit for one share.
    w.bank.send(&[w.lending.deposit(mallory.key(), mallory.usdc, m_shares, 1, 1)], &[&mallory.kp]).await.unwrap();
    // Donate $1M straight into the vault to make that share "worth" $1M.
    let vault = w.lending.liquidity_vault;
    w.donate_usdc(&mallory, &vault, 1_000_000 * USD).await;
    // The victim deposits $1,000 and insists on 1:1 shares: granted.
    let victim = w.user(1_000 * USD, 0).await;
    let v_shares = w.bank.create_token_account(&w.lending.share_mint, &victim.key(), &SPL_TOKEN_ID).await;
    w.bank.send(&[w.lending.deposit(victim.key(), victim.usdc, v_shares, 1_000 * USD, 1_000 * USD)], &[&victim.kp]).await.expect("1:1 despite the donation");
    // Mallory's share cannot take the donation (or any of the victim's deposit) back.
    let keys = [w.lending.pool, w.lending.liquidity_vault, w.lending.share_mint, mallory.usdc, m_shares, v_shares];
    let ix = w.lending.withdraw(mallory.key(), mallory.usdc, m_shares, 1, 2);
    refused(&mut w.bank, "withdraw the donation", &keys, &[ix], &[&mallory.kp], LendingError::AmountBelowMinimum).await;
    w.bank.send(&[w.lending.withdraw(mallory.key(), mallory.usdc, m_shares, 1, 1)], &[&mallory.kp]).await.expect("her one unit");
    assert_eq!(w.bank.token_balance(&mallory.usdc).await, USD, "Mallory is down exactly the $1M she donated");
    w.bank.send(&[w.lending.withdraw(victim.key(), victim.usdc, v_shares, 1_000 * USD, 1_000 * USD)], &[&victim.kp]).await.expect("victim whole");
    assert_eq!(w.bank.token_balance(&victim.usdc).await, 1_000 * USD);
}

#[tokio::test]
async fn attack_leveraged_token_first_minter_inflation() {
    let mut m = MarketWorld::new(world(), seed_params()).await;
    // Mallory is the first minter, with $1.
    let mallory = m.holder(10_001 * USD).await;
    m.mint(&mallory, USD, 0).await.expect("first mint");
    let victim = m.holder(1_000 * USD).await;
    let quote_ix = m.keys.mint(victim.user.key(), victim.user.usdc, victim.lev, 1_000 * USD, 0);
    let quote = parse_events::<Minted>(&m.w.bank.simulate_signed(&[quote_ix], &[&victim.user.kp]).await.unwrap().logs)[0].tokens;
    let v0 = m.nav().await;
    // She donates 10 ETH ($30,000) to the collateral vault and $10,000 to the transit vault.
    m.w.bank.mint_to(&m.w.eth, &mallory.user.eth, 10 * ETH, &TOKEN_2022_ID).await;
    let (collateral_vault, quote_vault) = (m.keys.collateral_vault, m.keys.quote_vault);
    m.w.donate_eth(&mallory.user, &collateral_vault, 10 * ETH).await;
    m.w.donate_usdc(&mallory.user, &quote_vault, 10_000 * USD).await;
    // NAV, NAV per token and leverage are exactly as before: the market counts its own collateral.
    let v1 = m.nav().await;
    assert_eq!((v1.nav, v1.nav_per_token, v1.leverage_bps, v1.collateral), (v0.nav, v0.nav_per_token, v0.leverage_bps, v0.collateral));
    // The victim gets exactly what she was quoted before the donation.
    let out = m.mint(&victim, 1_000 * USD, quote).await.expect("victim mints");
    assert_eq!(parse_events::<Minted>(&out.logs)[0].tokens, quote);
    // Mallory's tokens cannot pull the donation out.
    let keys = with(&with(&market_keys(&m), &holder_keys(&mallory)), &holder_keys(&victim));
    let tokens = m.lev_balance(&mallory).await;
    let ix = m.keys.redeem(mallory.user.key(), mallory.user.usdc, mallory.lev, tokens, USD + 1);
    refused(&mut m.w.bank, "redeem the donation", &keys, &[ix], &[&mallory.user.kp], LevError::UsdcBelowMinimum).await;
    m.redeem(&mallory, tokens, 0).await.expect("redeem her share");
    let got = m.w.bank.token_balance(&mallory.user.usdc).await;
    assert!(got <= USD, "Mallory got ${} back for $1 + $40,000 donated", usd(got));
}

#[tokio::test]
async fn attack_rounding_drain_with_tiny_mints_and_redeems() {
    let (mut m, alice) = market_with_alice().await;
    let mallory = m.holder(100 * USD).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &holder_keys(&mallory));
    // Dust the curve rounds to nothing is refused outright.
    let ix = m.keys.mint(mallory.user.key(), mallory.user.usdc, mallory.lev, 1, 0);
    refused(&mut m.w.bank, "mint 1 base unit", &keys, &[ix], &[&mallory.user.kp], AmmError::SlippageExceeded).await;
    m.mint(&mallory, 10 * USD, 0).await.expect("a real position");
    let ix = m.keys.redeem(mallory.user.key(), mallory.user.usdc, mallory.lev, 1, 0);
    refused(&mut m.w.bank, "redeem 1 base unit", &keys, &[ix], &[&mallory.user.kp], LevError::RedeemTooSmall).await;
    let t = m.lev_balance(&mallory).await;
    m.redeem(&mallory, t, 0).await.expect("close the position");

    // 50 tiny round trips, $0.001 to $0.05 each, sized to hit different rounding remainders.
    let start = m.w.bank.token_balance(&mallory.user.usdc).await;
    let mut paid = 0u64;
    let mut nav = {
        let v = m.nav().await;
        (v.nav, v.supply)
    };
    for i in 0..50u64 {
        let amount = 1_000 + 997 * i;
        m.mint(&mallory, amount, 0).await.unwrap_or_else(|e| panic!("mint {amount}: {e}"));
        paid += amount;
        nav = nav_ratio_not_lower(&mut m, nav, &format!("after tiny mint {i}")).await;
        let t = m.lev_balance(&mallory).await;
        m.redeem(&mallory, t, 0).await.unwrap_or_else(|e| panic!("redeem {t}: {e}"));
        nav = nav_ratio_not_lower(&mut m, nav, &format!("after tiny redeem {i}")).await;
    }
    let end = m.w.bank.token_balance(&mallory.user.usdc).await;
    assert!(end <= start, "Mallory gained ${} from rounding", usd(end - start));
    let lost = start - end;
    assert!(lost > 0 && lost <= paid, "lost {lost} of {paid}");
    // The books still match the token accounts.
    let market = m.market().await;
    assert_eq!(m.w.bank.token_balance(&m.keys.collateral_vault).await, market.collateral);
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0);
}

// ---------------------------------------------------------------------------------------------
// Keeper

#[tokio::test]
async fn attack_drain_the_keeper_reward_with_repeated_rebalances() {
    let (mut m, alice) = market_with_alice().await;
    m.set_price_usd(3_300).await; // leverage ≈ 2.5x, outside the band
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &[m.keeper.usdc]);
    let keeper = m.keeper.kp.insecure_clone();
    let ix = rebalance_ix(&m.keys, &m.keeper, |_| {});
    // Two calls in one transaction: the second has nothing to do, and the whole transaction —
    // the first call's reward included — is rolled back.
    refused(&mut m.w.bank, "two rebalances in one transaction", &keys, &[ix.clone(), ix.clone()], &[&keeper], LevError::RebalanceNotNeeded).await;
    // One call pays once...
    let out = m.rebalance().await.expect("first rebalance");
    let reward = parse_events::<Rebalanced>(&out.logs)[0].reward;
    assert!(reward > 0 && reward <= seed_params().keeper_reward_cap_quote);
    // ...and every further call is refused.
    for i in 0..5 {
        refused(&mut m.w.bank, &format!("repeat {i}"), &keys, &[ix.clone()], &[&keeper], LevError::RebalanceNotNeeded).await;
    }
    // A day later leverage is still on target (interest moved it < 0.05x): still nothing to pay.
    m.warp(86_400).await;
    refused(&mut m.w.bank, "a day later", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], LevError::RebalanceNotNeeded).await;
    assert_eq!(m.w.bank.token_balance(&m.keeper.usdc).await, reward, "the keeper was paid exactly once");
}

// ---------------------------------------------------------------------------------------------
// Admin powers

#[tokio::test]
async fn attack_market_admin_actions_by_outsiders() {
    let (mut m, _alice) = market_with_alice().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let mk = mallory.pubkey();
    let guardian = m.guardian.insecure_clone();
    let keys = market_keys(&m);
    let loose = MarketParams { max_slippage_bps: 300, emergency_max_slippage_bps: 1_000, mint_fee_bps: 100, ..seed_params() };
    let not_admin = [
        ("queue new params", m.keys.queue_change(mk, AdminChange::Params(loose))),
        ("queue a new guardian", m.keys.queue_change(mk, AdminChange::Guardian(mk))),
        ("queue a new treasury", m.keys.queue_change(mk, AdminChange::Treasury(mk))),
        ("queue a new oracle", m.keys.queue_change(mk, AdminChange::Oracle { feed_id: [7u8; 32], oracle: mk })),
        ("queue a zero timelock", m.keys.queue_change(mk, AdminChange::Timelock(0))),
        ("propose_admin", m.keys.propose_admin(mk, mk)),
        ("queue new swap venues", m.keys.queue_change(mk, AdminChange::SwapVenues { programs: [amm::ID, Pubkey::default()], pools: [mk, Pubkey::default()] })),
    ];
    for (what, ix) in not_admin {
        refused(&mut m.w.bank, what, &keys, &[ix], &[&mallory], LevError::NotAdmin).await;
    }
    refused(&mut m.w.bank, "set_pause by a stranger", &keys, &[m.keys.set_pause(mk, true)], &[&mallory], LevError::NotGuardian).await;
    refused(&mut m.w.bank, "cancel_change by a stranger", &keys, &[m.keys.cancel_change(mk)], &[&mallory], LevError::NotGuardian).await;
    refused(&mut m.w.bank, "accept_admin unproposed", &keys, &[m.keys.accept_admin(mk)], &[&mallory], LevError::NotPendingAdmin).await;
    // Only the treasury claims the fees.
    let (m_usdc, m_lev) =
        (m.w.bank.create_token_account(&m.w.usdc, &mk, &SPL_TOKEN_ID).await, m.w.bank.create_token_account(&m.keys.lev_mint, &mk, &TOKEN_2022_ID).await);
    let keys_c = with(&keys, &[m_usdc, m_lev]);
    refused(&mut m.w.bank, "claim_fees by a stranger", &keys_c, &[m.keys.claim_fees(mk, m_usdc, m_lev)], &[&mallory], LevError::NotTreasury).await;
    // The guardian may pause, but is not an admin.
    let g = guardian.pubkey();
    refused(&mut m.w.bank, "queue params by the guardian", &keys, &[m.keys.queue_change(g, AdminChange::Params(loose))], &[&guardian], LevError::NotAdmin)
        .await;
    refused(&mut m.w.bank, "queue a guardian by the guardian", &keys, &[m.keys.queue_change(g, AdminChange::Guardian(mk))], &[&guardian], LevError::NotAdmin)
        .await;
    // Mallory cannot open a market on the real lending pool (its admin must co-sign).
    let m9 = market_keys_for(&m, 9);
    let args = init_args(&m);
    let ix = m9.init_market(mk, mk, args);
    let keys9 = with(&keys, &[m9.market, m9.lev_mint, m9.lending_borrower()]);
    refused(&mut m.w.bank, "init_market on the real pool", &keys9, &[ix], &[&mallory], LevError::NotAdmin).await;
    assert!(m.w.bank.account(&m9.market).await.is_none());
}

#[tokio::test]
async fn attack_lending_admin_actions_by_outsiders() {
    let (mut m, _alice) = market_with_alice().await;
    let mallory = m.w.bank.funded_keypair(1_000_000_000).await;
    let mk = mallory.pubkey();
    let lk = m.keys.lending;
    let keys = with(&market_keys(&m), &[lk.borrower(&mk)]);
    let free_money = PoolConfig { base_rate_bps: 0, slope1_bps: 0, slope2_bps: 0, ..default_pool_config() };
    let attempts = [
        ("queue_config", lk.queue_config(mk, free_money)),
        ("cancel_config", lk.cancel_config(mk)),
        ("register_borrower", lk.register_borrower(mk, mk, u64::MAX)),
        ("set_credit_limit", lk.set_credit_limit(mk, m.keys.market, 0)),
    ];
    for (what, ix) in attempts {
        refused(&mut m.w.bank, what, &keys, &[ix], &[&mallory], LendingError::Unauthorized).await;
    }
    // Mallory, admin of her own pool, uses it to authorise changes to the real pool's credit line.
    let (pool2, pool_admin) = pool_with_keypair_admin(&mut m.w).await;
    let mut ix = pool2.set_credit_limit(pool_admin.pubkey(), m.keys.market, 0);
    ix.accounts[2].pubkey = m.keys.lending_borrower();
    refused(&mut m.w.bank, "set the real line's limit through her pool", &keys, &[ix], &[&pool_admin], anchor_code(AnchorError::ConstraintSeeds)).await;
}

#[tokio::test]
async fn attack_every_parameter_one_step_outside_its_bound() {
    let (mut m, _alice) = market_with_alice().await;
    let admin = m.w.bank.payer_key();
    let s = seed_params();
    let week = 7 * 86_400;
    let bad = [
        ("target below 1.1x", MarketParams { target_leverage_bps: 10_999, band_low_bps: 10_500, band_high_bps: 12_000, recentre_tolerance_bps: 500, ..s }),
        ("target above 5x", MarketParams { target_leverage_bps: 50_001, band_high_bps: 50_500, emergency_leverage_bps: 51_000, ..s }),
        ("band low at 1x", MarketParams { band_low_bps: 10_000, ..s }),
        ("band low at target", MarketParams { band_low_bps: 30_000, ..s }),
        ("band high at target", MarketParams { band_high_bps: 30_000, ..s }),
        ("emergency at band high", MarketParams { emergency_leverage_bps: 32_000, ..s }),
        ("emergency above 80% of the pool's 5x", MarketParams { emergency_leverage_bps: 40_001, ..s }),
        ("recentre interval over a week", MarketParams { min_rebalance_interval_secs: week + 1, ..s }),
        ("recentre tolerance beyond the band's wider half-width", MarketParams { recentre_tolerance_bps: 2_001, ..s }),
        (
            "recentre tolerance beyond an asymmetric band's wider half-width",
            MarketParams { band_low_bps: 25_500, band_high_bps: 33_000, recentre_tolerance_bps: 4_501, ..s },
        ),
        ("band top above half-way from the target to the emergency threshold", MarketParams { band_high_bps: 33_001, ..s }),
        ("recentre share above 100%", MarketParams { recentre_share_bps: 10_001, ..s }),
        ("max trade 0", MarketParams { max_trade_quote: 0, ..s }),
        ("emergency trade below normal", MarketParams { emergency_max_trade_quote: s.max_trade_quote - 1, ..s }),
        ("min trade above max", MarketParams { min_trade_quote: s.max_trade_quote + 1, ..s }),
        ("slippage 3.01%", MarketParams { max_slippage_bps: 301, emergency_max_slippage_bps: 301, ..s }),
        ("emergency slippage 10.01%", MarketParams { emergency_max_slippage_bps: 1_001, ..s }),
        ("emergency slippage below normal", MarketParams { emergency_max_slippage_bps: 99, emergency_max_venue_deviation_bps: 99, ..s }),
        ("expected cost above slippage", MarketParams { expected_swap_cost_bps: 101, ..s }),
        ("overshoot above 0.5x", MarketParams { overshoot_tolerance_bps: 5_001, ..s }),
        ("keeper reward 0.51%", MarketParams { keeper_reward_bps: 51, ..s }),
        ("emergency reward 1.01%", MarketParams { emergency_keeper_reward_bps: 101, ..s }),
        ("emergency reward below normal", MarketParams { keeper_reward_bps: 6, ..s }),
        ("mint fee 1.01%", MarketParams { mint_fee_bps: 101, ..s }),
        ("redeem fee 1.01%", MarketParams { redeem_fee_bps: 101, ..s }),
        ("streaming fee 5.01%", MarketParams { streaming_fee_bps_per_year: 501, ..s }),
        ("staleness 0", MarketParams { oracle_max_staleness_secs: 0, ..s }),
        ("staleness over an hour", MarketParams { oracle_max_staleness_secs: 3_601, ..s }),
        ("confidence 5.01%", MarketParams { oracle_max_conf_bps: 501, ..s }),
        ("emergency trade above 10x normal", MarketParams { emergency_max_trade_quote: 10 * s.max_trade_quote + 1, ..s }),
        (
            "keeper reward cap above 0.5% of the max trade",
            MarketParams {
                keeper_reward_cap_quote: s.max_trade_quote * 50 / 10_000 + 1,
                emergency_keeper_reward_cap_quote: s.max_trade_quote * 50 / 10_000 + 1,
                ..s
            },
        ),
        ("emergency reward cap below normal", MarketParams { emergency_keeper_reward_cap_quote: s.keeper_reward_cap_quote - 1, ..s }),
        (
            "emergency reward cap above 1% of the emergency max trade",
            MarketParams { emergency_keeper_reward_cap_quote: s.emergency_max_trade_quote * 100 / 10_000 + 1, ..s },
        ),
        ("venue deviation above the slippage bound", MarketParams { max_venue_deviation_bps: 101, emergency_max_venue_deviation_bps: 101, ..s }),
        ("emergency venue deviation below normal", MarketParams { emergency_max_venue_deviation_bps: 49, ..s }),
        (
            "emergency venue deviation above the emergency slippage",
            MarketParams { emergency_max_slippage_bps: 150, emergency_max_venue_deviation_bps: 151, ..s },
        ),
        (
            "emergency venue deviation above 2%",
            MarketParams { max_slippage_bps: 300, emergency_max_slippage_bps: 1_000, emergency_max_venue_deviation_bps: 201, ..s },
        ),
    ];
    let keys = market_keys(&m);
    for (what, p) in bad {
        refused(&mut m.w.bank, what, &keys, &[m.keys.queue_change(admin, AdminChange::Params(p))], &[], LevError::InvalidParams).await;
    }
    // Every bound itself is allowed: the bounds are exactly the documented ones.
    let edge = MarketParams {
        emergency_leverage_bps: 40_000,
        min_rebalance_interval_secs: week,
        recentre_tolerance_bps: 2_000,
        recentre_share_bps: 0,
        min_trade_quote: s.max_trade_quote,
        emergency_max_trade_quote: s.max_trade_quote,
        max_slippage_bps: 300,
        emergency_max_slippage_bps: 1_000,
        expected_swap_cost_bps: 300,
        overshoot_tolerance_bps: 5_000,
        keeper_reward_bps: 50,
        emergency_keeper_reward_bps: 100,
        mint_fee_bps: 100,
        redeem_fee_bps: 100,
        streaming_fee_bps_per_year: 500,
        oracle_max_staleness_secs: 3_600,
        oracle_max_conf_bps: 500,
        ..s
    };
    m.admin_change(AdminChange::Params(edge)).await.expect("every bound is inclusive");
    assert_eq!(m.market().await.params, edge);
    // An asymmetric band: the tolerance may reach its wider (lower) half-width, which switches the
    // scheduled recentre off, and its top may sit half-way from the target to the emergency
    // threshold (`edge_3x`'s band).
    let wide = MarketParams { band_low_bps: 25_500, band_high_bps: 33_000, recentre_tolerance_bps: 4_500, recentre_share_bps: 0, ..s };
    m.admin_change(AdminChange::Params(wide)).await.expect("the asymmetric bounds are inclusive");
    assert_eq!(m.market().await.params, wide);
    // The bounds relative to other parameters, at their upper edges: emergency trade 10x the normal
    // one, reward caps at 0.5% / 1% of the largest trades, venue deviation at 2% (which also caps
    // the normal one, as the emergency one may not sit below it).
    let upper = MarketParams {
        max_slippage_bps: 300,
        emergency_max_slippage_bps: 1_000,
        emergency_max_trade_quote: 10 * s.max_trade_quote,
        keeper_reward_cap_quote: s.max_trade_quote * 50 / 10_000,
        emergency_keeper_reward_cap_quote: 10 * s.max_trade_quote * 100 / 10_000,
        max_venue_deviation_bps: 200,
        emergency_max_venue_deviation_bps: 200,
        ..s
    };
    m.admin_change(AdminChange::Params(upper)).await.expect("upper relative bounds are inclusive");
    assert_eq!(m.market().await.params, upper);
    // ...and at their lower edges: emergency reward cap = normal cap, emergency deviation = normal
    // deviation = the slippage bound; emergency deviation = emergency slippage below 2%.
    let lower = MarketParams {
        emergency_keeper_reward_cap_quote: s.keeper_reward_cap_quote,
        max_venue_deviation_bps: 100,
        emergency_max_slippage_bps: 150,
        emergency_max_venue_deviation_bps: 150,
        ..s
    };
    m.admin_change(AdminChange::Params(lower)).await.expect("lower relative bounds are inclusive");
    assert_eq!(m.market().await.params, lower);

    // The lending pool's config and the AMM's fee.
    let lk = m.keys.lending;
    let keys = [lk.pool];
    for (what, c) in [
        ("liquidation below 1.5x", PoolConfig { liquidation_leverage_bps: 14_999, ..default_pool_config() }),
        ("liquidation above 20x", PoolConfig { liquidation_leverage_bps: 200_001, ..default_pool_config() }),
        ("optimal utilisation 100%", PoolConfig { optimal_utilization_bps: 10_000, ..default_pool_config() }),
        ("optimal utilisation 0%", PoolConfig { optimal_utilization_bps: 0, ..default_pool_config() }),
        ("rate above 300% at full utilisation", PoolConfig { slope2_bps: lev_math::MAX_BORROW_RATE_BPS - 400 + 1, ..default_pool_config() }),
    ] {
        refused(&mut m.w.bank, what, &keys, &[lk.queue_config(admin, c)], &[], LendingError::InvalidConfig).await;
    }
    let other = m.w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let pool = AmmPool::derive(m.w.eth, TOKEN_2022_ID, other, SPL_TOKEN_ID, SPL_TOKEN_ID);
    refused(&mut m.w.bank, "AMM fee 10.01%", &[pool.pool, pool.vault_a, pool.vault_b], &[pool.initialize(admin, 1_001)], &[], AmmError::FeeTooHigh).await;
}

// ---------------------------------------------------------------------------------------------
// Credit limits and lenders' funds

#[tokio::test]
async fn attack_market_borrows_past_its_credit_limit() {
    let (mut m, alice) = market_with_alice().await;
    let admin = m.w.bank.payer_key();
    let debt = m.nav().await.debt;
    // The pool's admin caps the line $100 above the current debt.
    m.w.bank.send(&[m.keys.lending.set_credit_limit(admin, m.keys.market, debt + 100 * USD)], &[]).await.unwrap();
    let bob = m.holder(1_000 * USD).await;
    let keys = with(&with(&market_keys(&m), &holder_keys(&alice)), &with(&holder_keys(&bob), &[m.keeper.usdc]));
    // Bob's $100 mint would borrow $200.
    let ix = m.keys.mint(bob.user.key(), bob.user.usdc, bob.lev, 100 * USD, 0);
    refused(&mut m.w.bank, "mint past the credit limit", &keys, &[ix], &[&bob.user.kp], LendingError::CreditLimitExceeded).await;
    // ETH +10%: the re-lever would borrow ≈$500.
    m.set_price_usd(3_300).await;
    let keeper = m.keeper.kp.insecure_clone();
    refused(&mut m.w.bank, "re-lever past the credit limit", &keys, &[rebalance_ix(&m.keys, &m.keeper, |_| {})], &[&keeper], LendingError::CreditLimitExceeded)
        .await;
    // Within the line a smaller mint works, and redemptions (which repay) always do.
    m.mint(&bob, 40 * USD, 0).await.expect("within the line");
    let t = m.lev_balance(&alice).await;
    m.redeem(&alice, t, 0).await.expect("redeem repays");
    let b: Borrower = m.w.bank.anchor_account(&m.keys.lending_borrower()).await;
    assert_eq!(b.credit_limit, debt + 100 * USD);
}

#[tokio::test]
async fn attack_withdraw_the_lenders_funds_through_the_vault() {
    let (mut m, _alice) = market_with_alice().await;
    let mallory = m.holder(1_000 * USD).await;
    let lk = m.keys.lending;
    let vault = m.keys.market;
    let keys = with(&with(&market_keys(&m), &holder_keys(&mallory)), &[m.w.lender.usdc, m.w.lender_shares]);

    // A lending `withdraw` in the vault's name, paying Mallory (the vault PDA cannot sign for her).
    let ix = unsigned(lk.withdraw(vault, mallory.user.usdc, m.w.lender_shares, 1_000 * USD, 0), &vault);
    refused(&mut m.w.bank, "withdraw as the vault", &keys, &[ix], &[], not_signer()).await;
    // Mallory signing for herself with the lender's shares.
    let ix = lk.withdraw(mallory.user.key(), mallory.user.usdc, m.w.lender_shares, 1_000 * USD, 0);
    refused(&mut m.w.bank, "withdraw with the lender's shares", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintTokenOwner)).await;
    // A `borrow` on the vault's credit line to Mallory: without the vault's signature...
    let ix = unsigned(lk.borrow(vault, mallory.user.usdc, 500_000 * USD), &vault);
    refused(&mut m.w.bank, "borrow as the vault", &keys, &[ix], &[], not_signer()).await;
    // ...or signed by Mallory against the vault's record.
    let mut a = lk.borrow_accounts(mallory.user.key(), mallory.user.usdc);
    a.borrower = m.keys.lending_borrower();
    let ix = anchor_ix(lending_pool::ID, a, lending_pool::instruction::Borrow { amount: 500_000 * USD });
    refused(&mut m.w.bank, "borrow on the vault's record", &keys, &[ix], &[&mallory.user.kp], anchor_code(AnchorError::ConstraintSeeds)).await;

    // Through the market itself the vault borrows only alongside a deposit — (L−1) × net at 3x —
    // and every borrowed dollar ends up as ETH in the vault, none with the caller.
    let pool_before: LendingPool = m.w.bank.anchor_account(&lk.pool).await;
    let v = m.nav().await;
    let out = m.mint(&mallory, 1_000 * USD, 0).await.expect("mint");
    let ev = &parse_events::<Minted>(&out.logs)[0];
    let pool_after: LendingPool = m.w.bank.anchor_account(&lk.pool).await;
    assert_eq!(pool_before.cash - pool_after.cash, ev.borrowed);
    // Exactly debt/NAV × the net deposit (the vault's current leverage, ≈3.007x after Alice's swap cost).
    let pos = lev_math::Position { collateral: v.collateral, debt: v.debt };
    let expected = lev_math::mint_borrow_amount(&pos, m.oracle_price(), ev.usdc_in - ev.fee, 30_000).unwrap();
    assert_eq!(ev.borrowed, expected);
    assert!(ev.borrowed < 2_010 * USD, "borrowed {} for {}", ev.borrowed, ev.usdc_in);
    assert_eq!(m.w.bank.token_balance(&mallory.user.usdc).await, 0);
    assert_eq!(m.w.bank.token_balance(&m.keys.quote_vault).await, 0, "nothing borrowed is left in transit");
    let market = m.market().await;
    assert_eq!(m.w.bank.token_balance(&m.keys.collateral_vault).await, market.collateral);
}
