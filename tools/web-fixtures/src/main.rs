//! Writes `web/test/fixtures/rust-client.json`, the ground truth of the TypeScript client's unit
//! tests, from the Rust side for fixed inputs:
//!
//! - every address `levtoken-client` derives for one market (`MarketKeys::derive`,
//!   `LendingPoolKeys`, `AmmPool::derive`, the credit line, the wallet's associated token accounts);
//! - the data of the market, lending pool, credit line, AMM pool, oracle and ETHBULL3X mint
//!   accounts, serialized by the programs' own types (`AccountSerialize`: discriminator + Borsh,
//!   padded to the account's allocated size) and by `levtoken_client::oracle::price_update_data`;
//! - what `levtoken_client::state::MarketState::load` reads from those accounts and derives
//!   (supply, oracle age and confidence, debt, NAV, NAV per token, leverage, rebalance trigger);
//! - the mint, redeem and rebalance instructions `MarketKeys` builds for a wallet;
//! - the `nav` instruction's return data for that state (a Borsh `NavView`, as a simulation
//!   returns it), built from the Rust client's numbers — which are the program's: `state.rs`
//!   evaluates the same `lev-math` functions the program's `nav` handler does.
//!
//! ```text
//! cargo run --locked --manifest-path tools/web-fixtures/Cargo.toml --target-dir target/web-fixtures [-- --check]
//! ```
//!
//! (`--check` compares instead of writing; the TypeScript tests also fail on a layout change, since
//! the regenerated decoders then no longer read the old bytes.)

use std::collections::HashMap;

use anchor_lang::{prelude::Pubkey, AccountSerialize, Space};
use anchor_spl::token_2022::spl_token_2022::state::Mint as SplMint;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use lending_pool::{Borrower, LendingPool};
use leveraged_token::{AdminChange, Market, MarketParams, NavView, QueuedChange};
use levtoken_client::{
    amm::AmmPool,
    chain::{Chain, ChainError, Landed},
    deploy::default_pool_config,
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::{price_update_data, PriceObservation, ETH_USD_FEED_ID, PYTH_EXPO, PYTH_RECEIVER_ID},
    state::{trigger_name, MarketState},
    user::WalletAccounts,
    SPL_TOKEN_ID, TOKEN_2022_ID,
};
use serde_json::json;
use solana_account::Account;
use solana_program_pack::Pack;

/// A chain that only holds accounts: `MarketState::load` reads through it.
struct Accounts {
    accounts: HashMap<Pubkey, Account>,
    now: i64,
}

impl Chain for Accounts {
    fn payer(&self) -> Pubkey {
        Pubkey::default()
    }
    async fn send(&mut self, _: &[solana_instruction::Instruction], _: &[&solana_keypair::Keypair]) -> Result<Landed, ChainError> {
        Err(ChainError::Transport("offline".into()))
    }
    async fn simulate(&mut self, _: &[solana_instruction::Instruction]) -> Result<Landed, ChainError> {
        Err(ChainError::Transport("offline".into()))
    }
    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self.accounts.get(key).cloned())
    }
    async fn unix_time(&mut self) -> Result<i64, ChainError> {
        Ok(self.now)
    }
}

fn key(fill: u8) -> Pubkey {
    Pubkey::new_from_array([fill; 32])
}

fn anchor_data<T: AccountSerialize>(value: &T, space: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(8 + space);
    value.try_serialize(&mut data).expect("serialize");
    assert!(data.len() <= 8 + space, "serialized past the allocated space");
    data.resize(8 + space, 0);
    data
}

fn owned(owner: Pubkey, data: Vec<u8>) -> Account {
    Account { lamports: 1_000_000_000, data, owner, executable: false, rent_epoch: u64::MAX }
}

fn main() {
    // ---- Fixed inputs -------------------------------------------------------------------------
    let market_id: u64 = 1;
    let eth_mint = key(0x11);
    let usdc_mint = key(0x22);
    let oracle = key(0x33);
    let treasury = key(0x44);
    let admin = key(0x55);
    let user = key(0x66);
    let new_treasury = key(0x77);
    let now: i64 = 1_764_000_000;

    // ---- Addresses, as the Rust client derives them -------------------------------------------
    let lending = LendingPoolKeys::derive(usdc_mint, SPL_TOKEN_ID);
    let amm = AmmPool::derive(eth_mint, SPL_TOKEN_ID, usdc_mint, SPL_TOKEN_ID, SPL_TOKEN_ID);
    let keys = MarketKeys::derive(market_id, eth_mint, SPL_TOKEN_ID, lending, amm, oracle, treasury);
    let wallet = WalletAccounts::of(user, &keys);
    let bump = |seeds: &[&[u8]], pid: &Pubkey| Pubkey::find_program_address(seeds, pid).1;

    // ---- Accounts -------------------------------------------------------------------------------
    // A market 10% above its 3x target after ETH fell: 0.11 ETH at $3,000 = $330 of collateral,
    // $230 of debt (NAV $100, 3.3x: outside the 2.8–3.2x band), 99 tokens minted plus 1 owed as
    // streaming fee, a treasury change queued.
    let params = MarketParams::default_3x();
    let market = Market {
        market_id,
        admin,
        pending_admin: Pubkey::default(),
        guardian: admin,
        collateral_mint: eth_mint,
        quote_mint: usdc_mint,
        lev_mint: keys.lev_mint,
        collateral_vault: keys.collateral_vault,
        quote_vault: keys.quote_vault,
        collateral_decimals: levtoken_client::ETH_DECIMALS,
        quote_decimals: levtoken_client::USDC_DECIMALS,
        collateral_token_program: SPL_TOKEN_ID,
        quote_token_program: SPL_TOKEN_ID,
        treasury,
        transit_authority: keys.transit_authority,
        transit_collateral: keys.transit_collateral,
        transit_quote: keys.transit_quote,
        lending_pool: lending.pool,
        lending_borrower: keys.lending_borrower(),
        oracle,
        feed_id: ETH_USD_FEED_ID,
        swap_programs: [amm::ID, Pubkey::default()],
        swap_pools: [amm.pool, Pubkey::default()],
        params,
        collateral: 11_000_000,
        fees_quote: 1_234_567,
        fees_lev: 1_000_000,
        settling: false,
        settled: false,
        residual_quote: 0,
        timelock_secs: 86_400,
        queued: Some(QueuedChange { change: AdminChange::Treasury(new_treasury), queued_at: now - 3_600, eta: now + 82_800 }),
        last_rebalance_ts: now - 2 * 86_400,
        last_fee_accrual_ts: now - 86_400,
        mint_paused: false,
        bump: bump(&[leveraged_token::MARKET_SEED, &market_id.to_le_bytes()], &leveraged_token::ID),
        lev_mint_bump: bump(&[leveraged_token::LEV_MINT_SEED, keys.market.as_ref()], &leveraged_token::ID),
        transit_authority_bump: bump(&[leveraged_token::TRANSIT_AUTHORITY_SEED, keys.market.as_ref()], &leveraged_token::ID),
    };
    let wad: u128 = 1_000_000_000_000_000_000;
    let borrow_index = wad + wad / 50; // 1.02
    let scaled_debt = 230_000_000u128 * wad / borrow_index;
    let pool = LendingPool {
        admin,
        mint: usdc_mint,
        liquidity_vault: lending.liquidity_vault,
        share_mint: lending.share_mint,
        config: default_pool_config(),
        borrower_program: leveraged_token::ID,
        timelock_secs: 86_400,
        queued_config: None,
        cash: 999_770_000_000,
        total_shares: 1_000_000_000_000,
        total_scaled_debt: scaled_debt,
        borrow_index,
        last_accrual_ts: now - 3_600,
        bump: bump(&[lending_pool::POOL_SEED, usdc_mint.as_ref()], &lending_pool::ID),
    };
    let borrower = Borrower {
        pool: lending.pool,
        authority: keys.market,
        credit_limit: 100_000_000 * 1_000_000,
        pending_limit: 0,
        limit_eta: 0,
        scaled_debt,
        bump: bump(&[lending_pool::BORROWER_SEED, lending.pool.as_ref(), keys.market.as_ref()], &lending_pool::ID),
    };
    let (reserve_eth, reserve_usdc) = (3_333_333_333_333u64, 10_000_000_000_000u64);
    let (reserve_a, reserve_b) = amm.in_ab_order(&eth_mint, reserve_eth, reserve_usdc);
    let amm_pool = amm::Pool {
        mint_a: amm.mint_a,
        mint_b: amm.mint_b,
        vault_a: amm.vault_a,
        vault_b: amm.vault_b,
        lp_mint: amm.lp_mint,
        reserve_a,
        reserve_b,
        lp_supply: 5_773_502_691_896,
        fee_bps: 5,
        bump: bump(&[amm::POOL_SEED, amm.mint_a.as_ref(), amm.mint_b.as_ref()], &amm::ID),
        authority_bump: bump(&[amm::AUTHORITY_SEED, amm.pool.as_ref()], &amm::ID),
    };
    let observation = PriceObservation { feed_id: ETH_USD_FEED_ID, price: 3_000 * 100_000_000, conf: 150_000_000, expo: PYTH_EXPO, publish_time: now - 5 };
    let lev_mint = SplMint {
        mint_authority: Some(keys.market).into(),
        supply: 99_000_000,
        decimals: leveraged_token::LEV_DECIMALS,
        is_initialized: true,
        freeze_authority: None.into(),
    };
    let mut lev_mint_data = vec![0u8; SplMint::LEN];
    SplMint::pack(lev_mint, &mut lev_mint_data).expect("pack mint");

    let market_data = anchor_data(&market, Market::INIT_SPACE);
    let pool_data = anchor_data(&pool, LendingPool::INIT_SPACE);
    let borrower_data = anchor_data(&borrower, Borrower::INIT_SPACE);
    let amm_pool_data = anchor_data(&amm_pool, amm::Pool::INIT_SPACE);
    let oracle_data = price_update_data(&observation, 123_456_789);

    // ---- What the Rust client reads and derives -----------------------------------------------
    let mut chain = Accounts { accounts: HashMap::new(), now };
    chain.accounts.insert(keys.market, owned(leveraged_token::ID, market_data.clone()));
    chain.accounts.insert(lending.pool, owned(lending_pool::ID, pool_data.clone()));
    chain.accounts.insert(keys.lending_borrower(), owned(lending_pool::ID, borrower_data.clone()));
    chain.accounts.insert(amm.pool, owned(amm::ID, amm_pool_data.clone()));
    chain.accounts.insert(oracle, owned(PYTH_RECEIVER_ID, oracle_data.clone()));
    chain.accounts.insert(keys.lev_mint, owned(TOKEN_2022_ID, lev_mint_data.clone()));
    let state = futures::executor::block_on(MarketState::load(&mut chain, &keys)).expect("MarketState::load");
    let loaded_keys = futures::executor::block_on(MarketKeys::load(&mut chain, market_id)).expect("MarketKeys::load");
    assert_eq!(loaded_keys, keys, "MarketKeys::load finds the same addresses as MarketKeys::derive");

    let supply_with_pending = state.supply + state.pending_fee_tokens();
    let nav = state.nav();
    let leverage = state.leverage_bps();
    let trigger = state.trigger();
    // The `nav` instruction's return value at `now` for these accounts (field by field as
    // `handle_nav` fills it, each from the Rust client's identical computation).
    let view = NavView {
        nav: nav.unwrap_or(0) as u64,
        nav_per_token: state.nav_per_token(),
        leverage_bps: leverage.unwrap_or(u64::MAX),
        debt: state.debt(),
        collateral: state.position().collateral,
        collateral_value: state.collateral_value() as u64,
        supply: supply_with_pending,
        price_wad: state.price.wad,
        insolvent: nav.is_none() && (state.market.collateral > 0 || state.debt() > 0),
        rebalance_trigger: trigger.map(|t| t as u8).unwrap_or(255),
    };
    let nav_return = anchor_lang::prelude::borsh::to_vec(&view).expect("serialize NavView");

    // ---- Event logs, as a mint, a rebalance and a swap write them ------------------------------
    let minted = leveraged_token::Minted {
        market: keys.market,
        user,
        usdc_in: 100_000_000,
        fee: 100_000,
        borrowed: 199_800_000,
        collateral_bought: 9_985_000,
        nav_added: 99_700_000,
        tokens: 99_705_482,
        price_wad: state.price.wad,
        leverage_bps: 30_000,
    };
    let rebalanced = leveraged_token::Rebalanced {
        market: keys.market,
        keeper: user,
        trigger: 1,
        relever: false,
        swap_in: 998_000,
        swap_out: 29_940_000,
        debt_change: 29_940_000,
        reward: 5_988,
        leverage_before_bps: 33_001,
        leverage_after_bps: 30_000,
        price_wad: state.price.wad,
        aim_bps: 30_000,
    };
    let swapped = amm::Swapped {
        pool: amm.pool,
        trader: keys.transit_authority,
        a_to_b: amm.is_a(&eth_mint),
        amount_in: 998_000,
        amount_out: 29_940_000,
        reserve_a,
        reserve_b,
    };
    use anchor_lang::Event;
    let pid = |p: Pubkey| p.to_string();
    let logs = vec![
        format!("Program {} invoke [1]", pid(leveraged_token::ID)),
        "Program log: Instruction: Mint".to_string(),
        format!("Program data: {}", B64.encode(minted.data())),
        format!("Program {} consumed 149533 of 200000 compute units", pid(leveraged_token::ID)),
        format!("Program {} success", pid(leveraged_token::ID)),
        format!("Program {} invoke [1]", pid(leveraged_token::ID)),
        format!("Program {} invoke [2]", pid(amm::ID)),
        // Programs running natively (the in-process bank) log events through the log stub.
        format!("Program log: Program data: {}", B64.encode(swapped.data())),
        format!("Program {} success", pid(amm::ID)),
        format!("Program data: {}", B64.encode(rebalanced.data())),
        format!("Program {} success", pid(leveraged_token::ID)),
    ];

    // ---- Instructions, as the Rust client builds them ----------------------------------------
    let ix_json = |ix: solana_instruction::Instruction| {
        json!({
            "programId": ix.program_id.to_string(),
            "accounts": ix.accounts.iter().map(|m| json!({ "pubkey": m.pubkey.to_string(), "isSigner": m.is_signer, "isWritable": m.is_writable })).collect::<Vec<_>>(),
            "data": B64.encode(&ix.data),
        })
    };
    let instructions = json!({
        "mint": ix_json(keys.mint(user, wallet.usdc, wallet.lev, 100_000_000, 99_000_000)),
        "redeem": ix_json(keys.redeem(user, wallet.usdc, wallet.lev, 50_000_000, 37_000_000)),
        "rebalance": ix_json(keys.rebalance(user, wallet.usdc)),
    });

    let s = |p: Pubkey| p.to_string();
    let fixture = json!({
        "about": "Written by tools/web-fixtures (cargo run --locked --manifest-path tools/web-fixtures/Cargo.toml --target-dir target/web-fixtures). Addresses and MarketState from levtoken-client; account data serialized by the programs' own types.",
        "inputs": {
            "marketId": market_id.to_string(),
            "collateralMint": s(eth_mint),
            "quoteMint": s(usdc_mint),
            "collateralTokenProgram": s(SPL_TOKEN_ID),
            "quoteTokenProgram": s(SPL_TOKEN_ID),
            "lpTokenProgram": s(SPL_TOKEN_ID),
            "oracle": s(oracle),
            "treasury": s(treasury),
            "user": s(user),
            "now": now.to_string(),
        },
        "programs": {
            "leveragedToken": s(leveraged_token::ID),
            "lendingPool": s(lending_pool::ID),
            "amm": s(amm::ID),
            "pythReceiver": s(PYTH_RECEIVER_ID),
            "token": s(SPL_TOKEN_ID),
            "token2022": s(TOKEN_2022_ID),
        },
        "keys": {
            "market": s(keys.market),
            "levMint": s(keys.lev_mint),
            "collateralVault": s(keys.collateral_vault),
            "quoteVault": s(keys.quote_vault),
            "transitAuthority": s(keys.transit_authority),
            "transitCollateral": s(keys.transit_collateral),
            "transitQuote": s(keys.transit_quote),
            "lendingPool": s(lending.pool),
            "lendingLiquidityVault": s(lending.liquidity_vault),
            "lendingShareMint": s(lending.share_mint),
            "lendingBorrower": s(keys.lending_borrower()),
            "ammPool": s(amm.pool),
            "ammAuthority": s(amm.authority),
            "ammMintA": s(amm.mint_a),
            "ammMintB": s(amm.mint_b),
            "ammVaultA": s(amm.vault_a),
            "ammVaultB": s(amm.vault_b),
            "ammLpMint": s(amm.lp_mint),
            "userUsdc": s(wallet.usdc),
            "userLev": s(wallet.lev),
        },
        "accounts": {
            "market": B64.encode(&market_data),
            "lendingPool": B64.encode(&pool_data),
            "lendingBorrower": B64.encode(&borrower_data),
            "ammPool": B64.encode(&amm_pool_data),
            "oracle": B64.encode(&oracle_data),
            "levMint": B64.encode(&lev_mint_data),
        },
        "marketState": {
            "supply": state.supply.to_string(),
            "pendingFeeTokens": state.pending_fee_tokens().to_string(),
            "priceWad": state.price.wad.to_string(),
            "pricePublishTime": state.price_publish_time.to_string(),
            "priceConfBps": state.price_conf_bps.to_string(),
            "oracleAgeSecs": state.oracle_age().to_string(),
            "now": state.now.to_string(),
            "projectedIndex": state.projected_index().to_string(),
            "debt": state.debt().to_string(),
            "collateralValue": state.collateral_value().to_string(),
            "nav": nav.map(|n| n.to_string()),
            "navPerToken": state.nav_per_token().to_string(),
            "leverageBps": leverage.map(|l| l.to_string()),
            "trigger": trigger.map(|t| format!("{t:?}")),
            "triggerName": trigger_name(trigger),
            "rebalancePlanned": state.plan().is_some(),
        },
        "navReturnData": B64.encode(&nav_return),
        "instructions": instructions,
        "logs": logs,
        "events": [
            { "program": "leveragedToken", "name": "Minted", "data": {
                "market": s(minted.market), "user": s(minted.user), "usdcIn": minted.usdc_in.to_string(), "fee": minted.fee.to_string(),
                "borrowed": minted.borrowed.to_string(), "collateralBought": minted.collateral_bought.to_string(),
                "navAdded": minted.nav_added.to_string(), "tokens": minted.tokens.to_string(), "priceWad": minted.price_wad.to_string(),
                "leverageBps": minted.leverage_bps.to_string() } },
            { "program": "amm", "name": "Swapped", "data": {
                "pool": s(swapped.pool), "trader": s(swapped.trader), "aToB": swapped.a_to_b, "amountIn": swapped.amount_in.to_string(),
                "amountOut": swapped.amount_out.to_string(), "reserveA": swapped.reserve_a.to_string(), "reserveB": swapped.reserve_b.to_string() } },
            { "program": "leveragedToken", "name": "Rebalanced", "data": {
                "market": s(rebalanced.market), "keeper": s(rebalanced.keeper), "trigger": rebalanced.trigger, "relever": rebalanced.relever,
                "swapIn": rebalanced.swap_in.to_string(), "swapOut": rebalanced.swap_out.to_string(), "debtChange": rebalanced.debt_change.to_string(),
                "reward": rebalanced.reward.to_string(), "leverageBeforeBps": rebalanced.leverage_before_bps.to_string(),
                "leverageAfterBps": rebalanced.leverage_after_bps.to_string(), "priceWad": rebalanced.price_wad.to_string(),
                "aimBps": rebalanced.aim_bps.to_string() } },
        ],
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/test/fixtures/rust-client.json");
    let text = serde_json::to_string_pretty(&fixture).expect("json") + "\n";
    if std::env::args().any(|a| a == "--check") {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            eprintln!("STALE FIXTURE: web/test/fixtures/rust-client.json differs from what levtoken-client computes now; rerun without --check and commit it");
            std::process::exit(1);
        }
        eprintln!("web/test/fixtures/rust-client.json: up to date");
        return;
    }
    std::fs::create_dir_all(path.parent().expect("parent")).expect("fixtures dir");
    std::fs::write(&path, text).expect("write fixture");
    eprintln!("wrote web/test/fixtures/rust-client.json");
}
