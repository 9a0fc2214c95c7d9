//! Review findings on pool creation: Token-2022 mint extensions that break a pool's books, and
//! squatting the canonical lending and AMM pools before the deployer creates them.

use amm::AmmError;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::{bpf_loader_upgradeable, system_instruction};
use anchor_spl::token_2022::spl_token_2022::{
    self,
    extension::{confidential_transfer, default_account_state, interest_bearing_mint, metadata_pointer, pausable, transfer_fee, transfer_hook, ExtensionType},
    state::{AccountState, Mint},
};
use lending_pool::LendingError;
use leveraged_token::InitMarketArgs;
use levtoken_client::{
    amm::AmmPool,
    bank::{Bank, TxFailure, TxOutcome},
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::ETH_USD_FEED_ID,
    program_data_address, SPL_TOKEN_ID, TOKEN_2022_ID,
};
use levtoken_tests::*;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A new Token-2022 mint (6 decimals, the payer as mint and freeze authority) with `extensions`,
/// each initialised by the instructions `init` returns for the mint's address, before
/// `initialize_mint2`.
async fn mint_with(bank: &mut Bank, extensions: &[ExtensionType], init: impl FnOnce(&Pubkey, &Pubkey) -> Vec<Instruction>) -> Pubkey {
    let mint = Keypair::new();
    let payer = bank.payer_key();
    let space = ExtensionType::try_calculate_account_len::<Mint>(extensions).expect("mint size");
    let lamports = anchor_lang::prelude::Rent::default().minimum_balance(space);
    let mut ixs = vec![system_instruction::create_account(&payer, &mint.pubkey(), lamports, space as u64, &TOKEN_2022_ID)];
    ixs.extend(init(&mint.pubkey(), &payer));
    ixs.push(spl_token_2022::instruction::initialize_mint2(&TOKEN_2022_ID, &mint.pubkey(), &payer, Some(&payer), 6).expect("init mint"));
    bank.send(&ixs, &[&mint]).await.unwrap_or_else(|e| panic!("create a mint with {extensions:?}: {e}"));
    mint.pubkey()
}

/// One mint per dangerous extension, named.
async fn dangerous_mints(bank: &mut Bank) -> Vec<(&'static str, Pubkey)> {
    let t = &TOKEN_2022_ID;
    let hook_program = Pubkey::new_unique();
    vec![
        (
            "transfer fee",
            mint_with(bank, &[ExtensionType::TransferFeeConfig], |m, a| {
                vec![transfer_fee::instruction::initialize_transfer_fee_config(t, m, Some(a), Some(a), 100, u64::MAX).unwrap()]
            })
            .await,
        ),
        (
            "transfer hook",
            mint_with(bank, &[ExtensionType::TransferHook], |m, a| vec![transfer_hook::instruction::initialize(t, m, Some(*a), Some(hook_program)).unwrap()])
                .await,
        ),
        (
            "permanent delegate",
            mint_with(bank, &[ExtensionType::PermanentDelegate], |m, a| vec![spl_token_2022::instruction::initialize_permanent_delegate(t, m, a).unwrap()])
                .await,
        ),
        (
            "default account state frozen",
            mint_with(bank, &[ExtensionType::DefaultAccountState], |m, _| {
                vec![default_account_state::instruction::initialize_default_account_state(t, m, &AccountState::Frozen).unwrap()]
            })
            .await,
        ),
        (
            "non-transferable",
            mint_with(bank, &[ExtensionType::NonTransferable], |m, _| vec![spl_token_2022::instruction::initialize_non_transferable_mint(t, m).unwrap()]).await,
        ),
        (
            "mint close authority",
            mint_with(bank, &[ExtensionType::MintCloseAuthority], |m, a| {
                vec![spl_token_2022::instruction::initialize_mint_close_authority(t, m, Some(a)).unwrap()]
            })
            .await,
        ),
        (
            "interest-bearing",
            mint_with(bank, &[ExtensionType::InterestBearingConfig], |m, a| vec![interest_bearing_mint::instruction::initialize(t, m, Some(*a), 500).unwrap()])
                .await,
        ),
        ("pausable", mint_with(bank, &[ExtensionType::Pausable], |m, a| vec![pausable::instruction::initialize(t, m, a).unwrap()]).await),
        (
            "confidential transfers",
            mint_with(bank, &[ExtensionType::ConfidentialTransferMint], |m, a| {
                vec![confidential_transfer::instruction::initialize_mint(t, m, Some(*a), true, None).unwrap()]
            })
            .await,
        ),
        (
            "metadata pointer and transfer fee",
            mint_with(bank, &[ExtensionType::MetadataPointer, ExtensionType::TransferFeeConfig], |m, a| {
                vec![
                    metadata_pointer::instruction::initialize(t, m, Some(*a), Some(*m)).unwrap(),
                    transfer_fee::instruction::initialize_transfer_fee_config(t, m, Some(a), Some(a), 0, 0).unwrap(),
                ]
            })
            .await,
        ),
    ]
}

/// Assert every one of `keys` is absent.
async fn assert_absent(bank: &mut Bank, what: &str, keys: &[Pubkey]) {
    for k in keys {
        assert!(bank.account(k).await.is_none(), "{what}: account {k} was created");
    }
}

fn amm_accounts(p: &AmmPool) -> [Pubkey; 4] {
    [p.pool, p.vault_a, p.vault_b, p.lp_mint]
}

fn lending_accounts(k: &LendingPoolKeys) -> [Pubkey; 3] {
    [k.pool, k.liquidity_vault, k.share_mint]
}

#[tokio::test]
async fn attack_mints_with_dangerous_token_2022_extensions_are_refused() {
    let mut w = World::new(WorldConfig::default()).await;
    let deployer = w.bank.payer_key();
    for (what, bad) in dangerous_mints(&mut w.bank).await {
        // The lending pool of the mint.
        let lk = LendingPoolKeys::derive(bad, TOKEN_2022_ID);
        let res = w.bank.send(&[lk.init_pool(deployer, default_pool_config(), 0)], &[]).await;
        assert_error_for(res, LendingError::MintExtensionNotAllowed, what);
        assert_absent(&mut w.bank, what, &lending_accounts(&lk)).await;
        // An AMM pool of the mint against USDC (on whichever side the mint sorts) and against ETH.
        for (other, other_program) in [(w.usdc, SPL_TOKEN_ID), (w.eth, TOKEN_2022_ID)] {
            let pool = AmmPool::derive(bad, TOKEN_2022_ID, other, other_program, SPL_TOKEN_ID);
            let res = w.bank.send(&[pool.initialize(deployer, 30)], &[]).await;
            assert_error_for(res, AmmError::MintExtensionNotAllowed, what);
            assert_absent(&mut w.bank, what, &amm_accounts(&pool)).await;
        }
    }

    // Display-only extensions are accepted: a mint with only a metadata pointer gets both pools.
    let meta = mint_with(&mut w.bank, &[ExtensionType::MetadataPointer], |m, a| {
        vec![metadata_pointer::instruction::initialize(&TOKEN_2022_ID, m, Some(*a), Some(*m)).unwrap()]
    })
    .await;
    let lk = LendingPoolKeys::derive(meta, TOKEN_2022_ID);
    w.bank.send(&[lk.init_pool(deployer, default_pool_config(), 0)], &[]).await.expect("lending pool of a metadata-pointer mint");
    let pool: lending_pool::LendingPool = w.bank.anchor_account(&lk.pool).await;
    assert_eq!((pool.mint, pool.admin), (meta, deployer));
    let amm = AmmPool::derive(meta, TOKEN_2022_ID, w.usdc, SPL_TOKEN_ID, SPL_TOKEN_ID);
    w.bank.send(&[amm.initialize(deployer, 30)], &[]).await.expect("AMM pool of a metadata-pointer mint");
    let pool: amm::Pool = w.bank.anchor_account(&amm.pool).await;
    assert_eq!((pool.mint_a, pool.mint_b), (amm.mint_a, amm.mint_b));
}

/// [`assert_error`] naming the case.
#[track_caller]
fn assert_error_for(res: Result<TxOutcome, TxFailure>, code: impl Into<u32>, what: &str) {
    let code = code.into();
    match res {
        Ok(_) => panic!("{what}: expected error {code}, but the transaction succeeded"),
        Err(f) => assert_eq!(f.custom_code(), Some(code), "{what}: expected error {code}, got {f}"),
    }
}

#[tokio::test]
async fn market_refuses_mints_with_dangerous_token_2022_extensions() {
    let mut m = MarketWorld::new(WorldConfig::default(), seed_params()).await;
    let admin = m.w.bank.payer_key();
    // Collateral mints only: a quote mint with such an extension has no lending pool (the lending
    // program refuses it, above), so a market cannot reach it.
    for (i, (what, bad)) in dangerous_mints(&mut m.w.bank).await.into_iter().enumerate() {
        let id = 100 + i as u64;
        let keys = MarketKeys::derive(id, bad, TOKEN_2022_ID, m.w.lending, m.w.amm, m.keys.oracle, m.treasury.pubkey());
        let args = InitMarketArgs {
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
        };
        let res = m.w.bank.send(&[keys.init_market(admin, admin, args)], &[]).await;
        assert_error_for(res, u32::from(leveraged_token::LevError::MintExtensionNotAllowed), what);
        let created =
            [keys.market, keys.lev_mint, keys.collateral_vault, keys.quote_vault, keys.transit_collateral, keys.transit_quote, keys.lending_borrower()];
        assert_absent(&mut m.w.bank, what, &created).await;
    }
}

/// `ix` with its ProgramData account replaced by `with`.
fn with_program_data(mut ix: Instruction, program: &Pubkey, with: Pubkey) -> Instruction {
    let pd = program_data_address(program);
    for meta in ix.accounts.iter_mut().filter(|a| a.pubkey == pd) {
        meta.pubkey = with;
    }
    ix
}

#[tokio::test]
async fn attack_stranger_cannot_squat_the_canonical_pools() {
    let mut w = World::new(WorldConfig::default()).await;
    let deployer = w.bank.payer_key();
    let stranger = w.bank.funded_keypair(10_000_000_000).await;
    // A fresh mint for the lending pool and a fresh pair (a Token-2022 and an SPL Token mint) for
    // the AMM, in both orders.
    let mint = w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let lk = LendingPoolKeys::derive(mint, SPL_TOKEN_ID);
    let x = w.bank.create_mint(&TOKEN_2022_ID, 8).await;
    let y = w.bank.create_mint(&SPL_TOKEN_ID, 6).await;
    let canonical = AmmPool::derive(x, TOKEN_2022_ID, y, SPL_TOKEN_ID, SPL_TOKEN_ID);
    assert!(canonical.mint_a < canonical.mint_b);
    assert_eq!(canonical, AmmPool::derive(y, SPL_TOKEN_ID, x, TOKEN_2022_ID, SPL_TOKEN_ID), "derive sorts the mints");
    let reversed = AmmPool::derive_unordered(canonical.mint_b, canonical.token_program_b, canonical.mint_a, canonical.token_program_a, SPL_TOKEN_ID);
    assert_ne!(reversed.pool, canonical.pool);
    let all: Vec<Pubkey> = [&lending_accounts(&lk)[..], &amm_accounts(&canonical), &amm_accounts(&reversed)].concat();

    // The stranger, paying for everything, in every order: refused, nothing created.
    let res = w.bank.send_paid_by(&[lk.init_pool(stranger.pubkey(), default_pool_config(), 0)], &stranger, &[]).await;
    assert_error(res, LendingError::NotDeployer);
    for pool in [canonical, reversed] {
        let res = w.bank.send_paid_by(&[pool.initialize(stranger.pubkey(), 30)], &stranger, &[]).await;
        assert_error(res, AmmError::NotDeployer);
    }
    assert_absent(&mut w.bank, "stranger", &all).await;

    // A look-alike ProgramData naming the stranger, owned by the loader, at another address.
    let fake = Pubkey::new_unique();
    let real = w.bank.account(&program_data_address(&amm::ID)).await.expect("AMM ProgramData");
    let mut data = real.data.clone();
    // bincode: u32 variant (3 = ProgramData), u64 slot, Option tag, upgrade authority.
    data[13..45].copy_from_slice(stranger.pubkey().as_ref());
    w.bank.set_account(&fake, solana_account::Account { data, ..real });
    let ix = with_program_data(lk.init_pool(stranger.pubkey(), default_pool_config(), 0), &lending_pool::ID, fake);
    assert_error(w.bank.send_paid_by(&[ix], &stranger, &[]).await, anchor_code(AnchorError::ConstraintSeeds));
    let ix = with_program_data(canonical.initialize(stranger.pubkey(), 30), &amm::ID, fake);
    assert_error(w.bank.send_paid_by(&[ix], &stranger, &[]).await, anchor_code(AnchorError::ConstraintSeeds));
    // The real ProgramData of the other program.
    let ix = with_program_data(canonical.initialize(deployer, 30), &amm::ID, program_data_address(&lending_pool::ID));
    assert_error(w.bank.send(&[ix], &[]).await, anchor_code(AnchorError::ConstraintSeeds));
    // An account that is not ProgramData at all (a token mint).
    let ix = with_program_data(lk.init_pool(deployer, default_pool_config(), 0), &lending_pool::ID, mint);
    assert_error(w.bank.send(&[ix], &[]).await, anchor_code(AnchorError::AccountOwnedByWrongProgram));
    assert_absent(&mut w.bank, "forged ProgramData", &all).await;

    // A program made immutable (no upgrade authority) takes no new pools, not even the deployer's.
    w.bank.set_program_data(&amm::ID, None);
    w.bank.set_program_data(&lending_pool::ID, None);
    assert_error(w.bank.send(&[lk.init_pool(deployer, default_pool_config(), 0)], &[]).await, LendingError::NotDeployer);
    assert_error(w.bank.send(&[canonical.initialize(deployer, 30)], &[]).await, AmmError::NotDeployer);
    w.bank.set_program_data(&amm::ID, Some(deployer));
    w.bank.set_program_data(&lending_pool::ID, Some(deployer));

    // The deployer with the mints out of order: refused by the ordering rule.
    assert_error(w.bank.send(&[reversed.initialize(deployer, 30)], &[]).await, AmmError::MintsNotOrdered);
    assert_absent(&mut w.bank, "reversed", &all).await;

    // The deployer creates both at their canonical addresses.
    w.bank.send(&[lk.init_pool(deployer, default_pool_config(), 0)], &[]).await.expect("deployer's lending pool");
    let pool: lending_pool::LendingPool = w.bank.anchor_account(&lk.pool).await;
    assert_eq!((pool.mint, pool.admin, pool.liquidity_vault, pool.share_mint), (mint, deployer, lk.liquidity_vault, lk.share_mint));
    w.bank.send(&[canonical.initialize(deployer, 30)], &[]).await.expect("deployer's AMM pool");
    let pool: amm::Pool = w.bank.anchor_account(&canonical.pool).await;
    assert_eq!(
        (pool.mint_a, pool.mint_b, pool.vault_a, pool.vault_b, pool.lp_mint),
        (canonical.mint_a, canonical.mint_b, canonical.vault_a, canonical.vault_b, canonical.lp_mint)
    );
    assert_absent(&mut w.bank, "reversed after the canonical pool", &amm_accounts(&reversed)).await;
    // And the stranger cannot take them over afterwards either (the accounts exist: the runtime
    // refuses to create them again).
    assert_failed(w.bank.send(&[lk.init_pool(stranger.pubkey(), default_pool_config(), 0)], &[&stranger]).await);
    assert_failed(w.bank.send(&[canonical.initialize(stranger.pubkey(), 30)], &[&stranger]).await);
    let pool: lending_pool::LendingPool = w.bank.anchor_account(&lk.pool).await;
    assert_eq!(pool.admin, deployer);
    // `bpf_loader_upgradeable` owns the ProgramData the bank wrote.
    assert_eq!(w.bank.account(&program_data_address(&amm::ID)).await.unwrap().owner, bpf_loader_upgradeable::ID);
}
