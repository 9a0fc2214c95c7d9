//! `levtoken localnet` over the wire: a node on ephemeral ports, driven by the real
#![allow(deprecated)] // program-test marks its API unstable; get_program_accounts_with_config returns decoded accounts
//! `solana-rpc-client` and `solana-pubsub-client` (the clients the `solana` CLI uses).

use std::time::Duration;

use anchor_lang::{AccountDeserialize, Discriminator};
use futures_util::StreamExt;
use levtoken_client::{
    market::MarketKeys,
    oracle::decode_price_update,
    user::{create_ata_idempotent_ix, WalletAccounts},
    Pubkey,
};
use levtoken_localnet::{remote, Config, Localnet, Programs};
use serde_json::{json, Value};
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_rpc_client::{
    api::{
        client_error::ErrorKind,
        config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcTransactionConfig},
        filter::{Memcmp, RpcFilterType},
        request::{RpcError, RpcRequest, RpcResponseErrorData},
    },
    nonblocking::rpc_client::RpcClient,
};
use solana_signer::Signer;
use solana_transaction::{versioned::VersionedTransaction, Transaction};

const USD: u64 = 1_000_000;
const SOL: u64 = 1_000_000_000;

async fn node() -> (Localnet, RpcClient) {
    let cfg = Config { rpc_port: 0, programs: Programs::from_env(), slot_ms: 100, quiet: true, ..Config::default() };
    let node = Localnet::start(cfg).await.expect("start the node");
    let client = RpcClient::new_with_commitment(node.rpc_url().to_string(), CommitmentConfig::confirmed());
    (node, client)
}

fn market_keys(node: &Localnet) -> MarketKeys {
    node.world.keys
}

/// A keypair with 10 SOL and 1,000 demo USDC, through the node's faucet extension.
async fn funded_user(node: &Localnet) -> Keypair {
    let user = Keypair::new();
    let r = remote::faucet(node.rpc_url(), &user.pubkey().to_string(), 1_000.0).await.unwrap();
    assert_eq!(r["usdcBalance"], json!(1000.0), "{r}");
    assert_eq!(r["solAirdropped"], json!(10.0), "{r}");
    user
}

fn compute(units: u32) -> solana_instruction::Instruction {
    levtoken_client::compute_unit_limit_ix(units)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_serves_reads_airdrops_and_program_accounts() {
    let (node, rpc) = node().await;
    let keys = market_keys(&node);

    assert_eq!(rpc.get_health().await.ok(), Some(()));
    assert_eq!(rpc.get_version().await.unwrap().solana_core, "3.1.12");
    assert_eq!(rpc.get_genesis_hash().await.unwrap(), node.world.bank.lock().await.ctx.genesis_config().hash());
    assert_eq!(rpc.get_minimum_balance_for_rent_exemption(165).await.unwrap(), anchor_lang::prelude::Rent::default().minimum_balance(165));
    // Slots advance with the wall clock; block height with them.
    let (s0, h0) = (rpc.get_slot().await.unwrap(), rpc.get_block_height().await.unwrap());
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (s1, h1) = (rpc.get_slot().await.unwrap(), rpc.get_block_height().await.unwrap());
    assert!(s1 >= s0 + 2 && h1 >= h0 + 2, "slots {s0}→{s1}, heights {h0}→{h1}");
    // Each slot brings a new blockhash.
    let b0 = rpc.get_latest_blockhash().await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_ne!(rpc.get_latest_blockhash().await.unwrap(), b0);
    let epoch = rpc.get_epoch_info().await.unwrap();
    assert!(epoch.absolute_slot >= s1 && epoch.slots_in_epoch > 0);

    // Airdrop → balance.
    let kp = Keypair::new();
    let sig = rpc.request_airdrop(&kp.pubkey(), 2 * SOL).await.unwrap();
    rpc.poll_for_signature(&sig).await.unwrap();
    assert_eq!(rpc.get_balance(&kp.pubkey()).await.unwrap(), 2 * SOL);
    let status = rpc.get_signature_statuses(&[sig]).await.unwrap().value[0].clone().unwrap();
    assert!(status.err.is_none() && status.satisfies_commitment(CommitmentConfig::finalized()));

    // The demo market, as an account and through getProgramAccounts filters.
    let acc = rpc.get_account(&keys.market).await.unwrap();
    assert_eq!(acc.owner, leveraged_token::ID);
    let market = leveraged_token::Market::try_deserialize(&mut acc.data.as_slice()).unwrap();
    assert_eq!((market.market_id, market.collateral_mint, market.quote_mint), (1, keys.collateral_mint, keys.quote_mint));
    let filtered = |filters: Vec<RpcFilterType>| RpcProgramAccountsConfig {
        filters: Some(filters),
        account_config: RpcAccountInfoConfig { encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64), ..Default::default() },
        ..Default::default()
    };
    let by_kind = rpc
        .get_program_accounts_with_config(
            &leveraged_token::ID,
            filtered(vec![
                RpcFilterType::DataSize(acc.data.len() as u64),
                RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, leveraged_token::Market::DISCRIMINATOR.to_vec())),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(by_kind.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![keys.market]);
    let none = rpc
        .get_program_accounts_with_config(&leveraged_token::ID, filtered(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, vec![0xde, 0xad]))]))
        .await
        .unwrap();
    assert!(none.is_empty());
    // The payer's demo token accounts, by owner at offset 32 of SPL Token accounts.
    let payer = node.world.payer.pubkey();
    let tokens = rpc
        .get_program_accounts_with_config(
            &levtoken_client::SPL_TOKEN_ID,
            filtered(vec![RpcFilterType::DataSize(165), RpcFilterType::Memcmp(Memcmp::new_raw_bytes(32, payer.to_bytes().to_vec()))]),
        )
        .await
        .unwrap();
    assert!(tokens.iter().any(|(k, _)| *k == node.world.deployment.lp_usdc), "{tokens:?}");
    assert!(tokens.iter().all(|(_, a)| a.data[32..64] == payer.to_bytes()));

    // Fees, blockhash validity, priority fees.
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let msg =
        solana_message::Message::new_with_blockhash(&[solana_system_interface::instruction::transfer(&kp.pubkey(), &payer, 1)], Some(&kp.pubkey()), &blockhash);
    assert_eq!(rpc.get_fee_for_message(&msg).await.unwrap(), 5_000);
    assert!(rpc.is_blockhash_valid(&blockhash, CommitmentConfig::confirmed()).await.unwrap());
    assert!(!rpc.is_blockhash_valid(&solana_hash::Hash::new_from_array([7; 32]), CommitmentConfig::confirmed()).await.unwrap());
    let fees = rpc.get_recent_prioritization_fees(&[kp.pubkey()]).await.unwrap();
    assert!(fees.iter().any(|f| f.slot >= s1 && f.prioritization_fee == 0), "{fees:?}");

    let many = rpc.get_multiple_accounts(&[keys.market, Pubkey::new_unique(), keys.oracle]).await.unwrap();
    assert!(many[0].is_some() && many[1].is_none() && many[2].is_some());
    // The mint's metadata points at the node, which serves it (as a wallet fetches it).
    let mint = rpc.get_account(&keys.lev_mint).await.unwrap();
    let uri = format!("{}/ethbull3x.json", node.rpc_url());
    assert!(mint.data.windows(uri.len()).any(|w| w == uri.as_bytes()), "the mint's metadata URI is {uri}");
    let body = http_get(node.rpc_addr, "/ethbull3x.json").await;
    let meta: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((meta["symbol"].as_str(), meta["image"].as_str()), (Some("ETHBULL3X"), Some(format!("{}/ethbull3x.svg", node.rpc_url()).as_str())));
    assert!(http_get(node.rpc_addr, "/ethbull3x.svg").await.starts_with("<svg"));
    // A web app on another origin may call it (CORS preflight).
    let preflight = http(
        node.rpc_addr,
        "OPTIONS / HTTP/1.1\r\nOrigin: http://localhost:5173\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type",
    )
    .await;
    assert!(preflight.to_ascii_lowercase().contains("access-control-allow-origin: *"), "{preflight}");
    assert_eq!(http_get(node.rpc_addr, "/health").await, "ok");
    // Unknown methods get the node's error.
    let err = rpc.send::<Value>(RpcRequest::Custom { method: "getFrobnicated" }, json!([])).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::RpcError(RpcError::RpcResponseError { code: -32601, .. })), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_mint_lands_and_a_refusal_carries_the_programs_logs() {
    let (node, rpc) = node().await;
    let keys = market_keys(&node);
    let user = funded_user(&node).await;
    let me = user.pubkey();
    let wa = WalletAccounts::of(me, &keys);

    // A mint built with the Rust client's instruction builders, signed by the user.
    let mut ixs = vec![compute(400_000)];
    ixs.extend(wa.ensure_ixs(&me, &keys));
    ixs.push(keys.mint(me, wa.usdc, wa.lev, 100 * USD, 1));
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(&ixs, Some(&me), &[&user], blockhash);
    let sig = rpc.send_and_confirm_transaction(&tx).await.unwrap();
    let status = rpc.get_signature_statuses(&[sig]).await.unwrap().value[0].clone().unwrap();
    assert!(status.err.is_none());
    let lev = rpc.get_token_account_balance(&wa.lev).await.unwrap();
    assert_eq!(lev.decimals, 6);
    let tokens: u64 = lev.amount.parse().unwrap();
    assert!(tokens > 90 * USD && tokens < 110 * USD, "{tokens}");
    assert_eq!(rpc.get_token_account_balance(&wa.usdc).await.unwrap().amount, (900 * USD).to_string());
    let mine = rpc.get_token_accounts_by_owner(&me, solana_rpc_client::api::request::TokenAccountsFilter::Mint(keys.lev_mint)).await.unwrap();
    assert_eq!(mine.iter().map(|a| a.pubkey.clone()).collect::<Vec<_>>(), vec![wa.lev.to_string()]);

    // The landed transaction with its logs, fee and token balances.
    let cfg = RpcTransactionConfig {
        encoding: Some(solana_transaction_status_client_types::UiTransactionEncoding::Json),
        max_supported_transaction_version: Some(0),
        ..Default::default()
    };
    let got = rpc.get_transaction_with_config(&sig, cfg).await.unwrap();
    let meta = got.transaction.meta.unwrap();
    assert_eq!(meta.fee, 5_000);
    let logs: Vec<String> = Option::from(meta.log_messages).unwrap();
    assert!(logs.iter().any(|l| l.contains(&leveraged_token::ID.to_string()) && l.contains("success")), "{logs:?}");
    // Its inner instructions: the market's CPIs into the lending pool, the AMM and the token programs.
    let inner: Vec<solana_transaction_status_client_types::UiInnerInstructions> = Option::from(meta.inner_instructions).unwrap();
    assert!(inner.iter().any(|i| i.instructions.len() >= 5), "{inner:?}");
    let post: Vec<solana_transaction_status_client_types::UiTransactionTokenBalance> = Option::from(meta.post_token_balances).unwrap();
    assert!(post.iter().any(|b| b.mint == keys.lev_mint.to_string() && b.ui_token_amount.amount == tokens.to_string()));
    let history = rpc.get_signatures_for_address(&me).await.unwrap();
    assert!(history.iter().any(|h| h.signature == sig.to_string()));

    // A refused mint: the node's preflight error with the program's logs, and nothing lands.
    let ixs = [compute(400_000), keys.mint(me, wa.usdc, wa.lev, 100 * USD, u64::MAX)];
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(&ixs, Some(&me), &[&user], blockhash);
    let err = rpc.send_transaction(&tx).await.unwrap_err();
    let code = u32::from(leveraged_token::LevError::TokensBelowMinimum);
    match err.kind() {
        ErrorKind::RpcError(RpcError::RpcResponseError { code: -32002, message, data: RpcResponseErrorData::SendTransactionPreflightFailure(sim) }) => {
            assert!(message.starts_with("Transaction simulation failed: Error processing Instruction 1: custom program error"), "{message}");
            let logs = sim.logs.clone().unwrap();
            // Natively the runtime does not capture Anchor's error line; on SBF it names the error.
            if matches!(Programs::from_env(), Programs::Sbf(_)) {
                assert!(logs.iter().any(|l| l.contains("TokensBelowMinimum")), "{logs:?}");
            }
            let err: solana_transaction_error::TransactionError = sim.err.clone().unwrap().into();
            assert_eq!(err, solana_transaction_error::TransactionError::InstructionError(1, solana_instruction::error::InstructionError::Custom(code)));
            assert!(logs.iter().any(|l| l.ends_with(&format!("failed: custom program error: {code:#x}"))), "{logs:?}");
        }
        other => panic!("expected a preflight failure, got {other:?}"),
    }
    assert_eq!(rpc.get_signature_statuses(&[tx.signatures[0]]).await.unwrap().value[0], None);
    assert_eq!(rpc.get_token_account_balance(&wa.usdc).await.unwrap().amount, (900 * USD).to_string());

    // simulateTransaction as wallets and Kit call it: base58 with sigVerify, and base64 with
    // replaceRecentBlockhash on a transaction whose blockhash the node never gave out.
    let redeem = [compute(400_000), keys.redeem(me, wa.usdc, wa.lev, tokens / 2, 1)];
    let tx = Transaction::new_signed_with_payer(&redeem, Some(&me), &[&user], blockhash);
    let b58 = bs58_of(&tx);
    let sim: Value = rpc.send(RpcRequest::SimulateTransaction, json!([b58, { "encoding": "base58", "sigVerify": true }])).await.unwrap();
    assert_eq!(sim["value"]["err"], Value::Null, "{sim}");
    assert!(sim["value"]["unitsConsumed"].as_u64().unwrap() > 10_000);
    let mut stale = Transaction::new_with_payer(&redeem, Some(&me));
    stale.message.recent_blockhash = solana_hash::Hash::new_from_array([9; 32]);
    let b64 = anchor_lang::__private::base64::Engine::encode(&anchor_lang::__private::base64::engine::general_purpose::STANDARD, bincode_of(&stale));
    let sim: Value =
        rpc.send(RpcRequest::SimulateTransaction, json!([b64, { "encoding": "base64", "replaceRecentBlockhash": true, "sigVerify": false }])).await.unwrap();
    assert_eq!(sim["value"]["err"], Value::Null, "{sim}");
    assert!(sim["value"]["replacementBlockhash"]["blockhash"].is_string(), "{sim}");
    let sim: Value = rpc.send(RpcRequest::SimulateTransaction, json!([b64, { "encoding": "base64" }])).await.unwrap();
    assert_eq!(sim["value"]["err"], json!("BlockhashNotFound"), "{sim}");
    let bad = rpc.send::<Value>(RpcRequest::SimulateTransaction, json!([b64, { "encoding": "base64", "sigVerify": true }])).await.unwrap_err();
    assert!(matches!(bad.kind(), ErrorKind::RpcError(RpcError::RpcResponseError { code: -32003, .. })), "{bad}");

    // A v0 transaction (no lookup table) lands too, and getTransaction reports its version.
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let msg =
        solana_message::v0::Message::try_compile(&me, &[solana_system_interface::instruction::transfer(&me, &Pubkey::new_unique(), SOL / 10)], &[], blockhash)
            .unwrap();
    let v0 = VersionedTransaction::try_new(solana_message::VersionedMessage::V0(msg), &[&user]).unwrap();
    let sig = rpc.send_and_confirm_transaction(&v0).await.unwrap();
    let got = rpc.get_transaction_with_config(&sig, cfg).await.unwrap();
    assert_eq!(got.transaction.version, Some(solana_transaction::versioned::TransactionVersion::Number(0)));
    let no_v0 = rpc.get_transaction_with_config(&sig, RpcTransactionConfig { max_supported_transaction_version: None, ..cfg }).await.unwrap_err();
    assert!(matches!(no_v0.kind(), ErrorKind::RpcError(RpcError::RpcResponseError { code: -32015, .. })), "{no_v0}");
}

/// A raw HTTP/1.1 exchange (a test probe; the node's server is axum): the whole response.
async fn http(addr: std::net::SocketAddr, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}

/// The body of a plain HTTP GET.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    http(addr, &format!("GET {path} HTTP/1.1")).await.split_once("\r\n\r\n").unwrap().1.to_string()
}

fn bincode_of(tx: &Transaction) -> Vec<u8> {
    bincode::serialize(tx).unwrap()
}

fn bs58_of(tx: &Transaction) -> String {
    bs58::encode(bincode_of(tx)).into_string()
}

fn oracle_price(data: &[u8]) -> (i64, i64) {
    let u = decode_price_update(data).unwrap();
    (u.price_message.price, u.price_message.publish_time)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_set_price_moves_the_oracle_and_arbitrages_the_amm() {
    let (node, rpc) = node().await;
    let keys = market_keys(&node);
    let (p0, _) = oracle_price(&rpc.get_account(&keys.oracle).await.unwrap().data);
    assert_eq!(p0, 3_000 * 100_000_000);
    let pool = |data: Vec<u8>| amm::Pool::try_deserialize(&mut data.as_slice()).unwrap();
    let before = pool(rpc.get_account(&keys.amm.pool).await.unwrap().data);

    let moved = remote::set_price(node.rpc_url(), "+20%").await.unwrap();
    assert_eq!(moved["previousUsd"], json!(3000.0), "{moved}");
    assert_eq!(moved["priceUsd"], json!(3600.0), "{moved}");
    assert!(moved["arbitrageSignature"].is_string(), "{moved}");
    let (p1, t1) = oracle_price(&rpc.get_account(&keys.oracle).await.unwrap().data);
    assert_eq!(p1, 3_600 * 100_000_000);
    assert!(t1 >= rpc.get_block_time(rpc.get_slot().await.unwrap()).await.unwrap() - 5);
    // The AMM now quotes ETH at the oracle's price (within its fee).
    let after = pool(rpc.get_account(&keys.amm.pool).await.unwrap().data);
    let (eth, usdc) = levtoken_client::amm::reserves_of(&after, &keys.collateral_mint);
    let spot = usdc as f64 / 1e6 / (eth as f64 / 1e8);
    assert!((spot - 3600.0).abs() < 3600.0 * 0.001, "AMM spot {spot}");
    assert_ne!(levtoken_client::amm::reserves_of(&before, &keys.collateral_mint), (eth, usdc));

    let moved = remote::set_price(node.rpc_url(), "2500").await.unwrap();
    assert_eq!(moved["priceUsd"], json!(2500.0));
    assert_eq!(remote::get_price(node.rpc_url()).await.unwrap()["priceUsd"], json!(2500.0));
    let bad = remote::set_price(node.rpc_url(), "-100%").await.unwrap_err();
    assert!(bad.to_string().contains("price must be positive"), "{bad}");

    // The oracle stays fresh while the price is fixed (republished as its age passes 5 s).
    let info = remote::info(node.rpc_url()).await.unwrap();
    assert_eq!(info["market"], json!(keys.market.to_string()));
    assert_eq!(info["priceUsd"], json!(2500.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_websocket_notifies_signatures_slots_and_accounts() {
    use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
    let (node, rpc) = node().await;
    let keys = market_keys(&node);
    let user = funded_user(&node).await;
    // A blockhash taken now is still good seconds later (a wallet's user takes that long).
    let early = rpc.get_latest_blockhash().await.unwrap();
    let ws = PubsubClient::new(node.ws_url()).await.unwrap();
    let within = Duration::from_secs(10);

    let (mut slots, unsub_slots) = ws.slot_subscribe().await.unwrap();
    let a = tokio::time::timeout(within, slots.next()).await.unwrap().unwrap();
    let b = tokio::time::timeout(within, slots.next()).await.unwrap().unwrap();
    assert!(b.slot > a.slot && b.parent == b.slot - 1, "{a:?} {b:?}");
    unsub_slots().await;

    let (mut oracle, unsub_oracle) = ws
        .account_subscribe(
            &keys.oracle,
            Some(RpcAccountInfoConfig { encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64), ..Default::default() }),
        )
        .await
        .unwrap();
    // The AMM's pools, by their account discriminator: the arbitrage swap changes the demo pool.
    let pools = RpcProgramAccountsConfig {
        filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, amm::Pool::DISCRIMINATOR.to_vec()))]),
        account_config: RpcAccountInfoConfig { encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64), ..Default::default() },
        ..Default::default()
    };
    let (mut amm_accounts, unsub_amm) = ws.program_subscribe(&amm::ID, Some(pools)).await.unwrap();
    remote::set_price(node.rpc_url(), "3300").await.unwrap();
    let note = tokio::time::timeout(within, oracle.next()).await.unwrap().unwrap();
    let data = note.value.data.decode().unwrap();
    assert_eq!(oracle_price(&data).0, 3_300 * 100_000_000);
    unsub_oracle().await;
    let note = tokio::time::timeout(within, amm_accounts.next()).await.unwrap().unwrap();
    assert_eq!(note.value.pubkey, keys.amm.pool.to_string());
    let pool = amm::Pool::try_deserialize(&mut note.value.account.data.decode().unwrap().as_slice()).unwrap();
    let (eth, usdc) = levtoken_client::amm::reserves_of(&pool, &keys.collateral_mint);
    assert!((usdc as f64 / 1e6 / (eth as f64 / 1e8) - 3300.0).abs() < 5.0);
    unsub_amm().await;

    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let me = user.pubkey();
    let ixs = [
        create_ata_idempotent_ix(&me, &me, &keys.lev_mint, &levtoken_client::TOKEN_2022_ID),
        solana_system_interface::instruction::transfer(&me, &Pubkey::new_unique(), SOL),
    ];
    let tx = Transaction::new_signed_with_payer(&ixs, Some(&me), &[&user], early);
    let (mut confirmed, _unsub) = ws.signature_subscribe(&tx.signatures[0], None).await.unwrap();
    rpc.send_transaction(&tx).await.unwrap();
    let note = tokio::time::timeout(within, confirmed.next()).await.unwrap().unwrap();
    match note.value {
        solana_rpc_client::api::response::RpcSignatureResult::ProcessedSignature(r) => assert!(r.err.is_none()),
        other => panic!("unexpected {other:?}"),
    }
    // Subscribing after it landed notifies at once.
    let (mut late, _unsub) = ws.signature_subscribe(&tx.signatures[0], None).await.unwrap();
    tokio::time::timeout(within, late.next()).await.unwrap().unwrap();
}

/// A price file replayed at speed: the oracle follows it, the AMM is arbitraged to every point
/// and the built-in keeper brings a position back to 3x after the jump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_replay_moves_the_price_and_the_keeper_rebalances() {
    // Hourly closes: $3,000 for twenty hours, then $3,600; an hour of history every 0.4 s (time to
    // mint before the jump, even on a busy machine).
    let t0 = 1_620_000_000;
    let points: Vec<(i64, f64)> = (0..25).map(|i| (t0 + i * 3_600, if i < 20 { 3_000.0 } else { 3_600.0 })).collect();
    let replay = levtoken_localnet::Replay { points, speed: 9_000.0, repeat: false, source: "test".into() };
    let cfg = Config {
        rpc_port: 0,
        programs: Programs::from_env(),
        slot_ms: 100,
        quiet: true,
        keeper: true,
        keeper_interval: Duration::from_millis(250),
        replay: Some(replay),
        ..Config::default()
    };
    let node = Localnet::start(cfg).await.unwrap();
    assert!(node.info.replay.as_deref().unwrap().starts_with("test (25 points over 1.0 days) at 9000x"), "{:?}", node.info.replay);
    let keys = market_keys(&node);
    let user = funded_user(&node).await;
    let mut chain = levtoken_client::chain::rpc::RpcChain::new(node.rpc_url(), user.insecure_clone());
    let me = user.pubkey();
    let wa = WalletAccounts::of(me, &keys);
    let mut ixs = wa.ensure_ixs(&me, &keys);
    ixs.push(keys.mint(me, wa.usdc, wa.lev, 500 * USD, 1));
    levtoken_client::chain::Chain::send(&mut chain, &ixs, &[]).await.expect("mint before the jump");
    let state = levtoken_client::state::MarketState::load(&mut chain, &keys).await.unwrap();
    assert_eq!(state.price.value(100_000_000, lev_math::Round::Down), Some(3_000_000_000), "minted at $3,000");

    // After the jump (8 s in) and a keeper look or two.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let lev = loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let s = levtoken_client::state::MarketState::load(&mut chain, &keys).await.unwrap();
        let lev = s.leverage_bps().unwrap() as f64 / 1e4;
        if s.price.value(100_000_000, lev_math::Round::Down) == Some(3_600_000_000) && (lev - 3.0).abs() < 0.01 {
            break lev;
        }
        assert!(std::time::Instant::now() < deadline, "price {:?}, leverage {lev}", s.price.value(100_000_000, lev_math::Round::Down));
    };
    assert!((lev - 3.0).abs() < 0.01);
    // The keeper's rebalance is on chain, paid by its own key.
    let keeper: Pubkey = node.info.keeper.as_deref().unwrap().parse().unwrap();
    let history = rpc_of(&node).get_signatures_for_address(&keys.market).await.unwrap();
    let mut by_keeper = 0;
    for h in &history {
        let sig = h.signature.parse().unwrap();
        let tx = rpc_of(&node)
            .get_transaction_with_config(
                &sig,
                RpcTransactionConfig {
                    encoding: Some(solana_transaction_status_client_types::UiTransactionEncoding::Base64),
                    max_supported_transaction_version: Some(0),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if tx.transaction.transaction.decode().unwrap().message.static_account_keys()[0] == keeper {
            by_keeper += 1;
        }
    }
    assert!(by_keeper >= 1, "{history:?}");
    // The AMM was arbitraged to the replayed price.
    let pool = amm::Pool::try_deserialize(&mut rpc_of(&node).get_account(&keys.amm.pool).await.unwrap().data.as_slice()).unwrap();
    let (eth, usdc) = levtoken_client::amm::reserves_of(&pool, &keys.collateral_mint);
    let spot = usdc as f64 / 1e6 / (eth as f64 / 1e8);
    assert!((spot - 3600.0).abs() < 3600.0 * 0.002, "AMM spot {spot}");
}

fn rpc_of(node: &Localnet) -> RpcClient {
    RpcClient::new_with_commitment(node.rpc_url().to_string(), CommitmentConfig::confirmed())
}

/// A blockhash lives 150 of the node's slots, as on a cluster: `getLatestBlockhash` says until
/// which block height, `isBlockhashValid` turns false after it and the transaction is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localnet_blockhashes_expire_after_150_slots() {
    let cfg = Config { rpc_port: 0, programs: Programs::from_env(), slot_ms: 40, quiet: true, ..Config::default() };
    let node = Localnet::start(cfg).await.unwrap();
    let rpc = rpc_of(&node);
    let transfer = |payer: &Keypair, blockhash, lamports| {
        let ix = solana_system_interface::instruction::transfer(&payer.pubkey(), &Pubkey::new_unique(), lamports);
        Transaction::new_signed_with_payer(&[ix], Some(&payer.pubkey()), &[payer], blockhash)
    };
    let payer = Keypair::new();
    let sig = rpc.request_airdrop(&payer.pubkey(), SOL).await.unwrap();
    rpc.poll_for_signature(&sig).await.unwrap();
    let (blockhash, last_valid) = rpc.get_latest_blockhash_with_commitment(CommitmentConfig::confirmed()).await.unwrap();
    let height = rpc.get_block_height().await.unwrap();
    assert!((height + 145..=height + 150).contains(&last_valid), "height {height}, last valid {last_valid}");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut landed_late = false;
    loop {
        let h = rpc.get_block_height().await.unwrap();
        if h > last_valid {
            break;
        }
        // Slots keep coming between two requests: a "no" is right only once the height has
        // passed the blockhash's last valid one.
        if !rpc.is_blockhash_valid(&blockhash, CommitmentConfig::confirmed()).await.unwrap() {
            let after = rpc.get_block_height().await.unwrap();
            assert!(after > last_valid, "blockhash refused at height {after}, valid through {last_valid}");
            break;
        }
        // Near the end of its life the bank still takes it (one blockhash a slot, no more).
        if !landed_late && h + 40 >= last_valid && h + 15 < last_valid {
            rpc.send_and_confirm_transaction(&transfer(&payer, blockhash, 1_000_000)).await.expect("a blockhash 110 slots old");
            landed_late = true;
        }
        assert!(std::time::Instant::now() < deadline, "the node's slots stalled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(landed_late, "never sent near the end of the blockhash's life");
    assert!(!rpc.is_blockhash_valid(&blockhash, CommitmentConfig::confirmed()).await.unwrap());
    let err = rpc.send_transaction(&transfer(&payer, blockhash, 2_000_000)).await.unwrap_err();
    assert!(err.to_string().contains("Blockhash not found"), "{err}");
}
