//! Solana's JSON-RPC API served by the in-process bank: [`BankRpc`] answers requests by method
//! name with the JSON a node returns (built from the RPC crates' own types), and transactions
//! execute for real in the bank. Two transports use it: [`BankRpcSender`], an
//! [`RpcSender`] so the real `solana-rpc-client` (and [`RpcChain`](crate::chain::rpc::RpcChain))
//! runs in tests without a validator, and `levtoken localnet` (crates/localnet), which serves it
//! over HTTP and websockets.
//!
//! Served (the methods the `solana` CLI, `@solana/kit` and wallets call):
//! `getLatestBlockhash`, `isBlockhashValid`, `getAccountInfo`, `getMultipleAccounts`,
//! `getProgramAccounts`, `getBalance`, `getTokenAccountBalance`, `getTokenSupply`,
//! `getTokenAccountsByOwner`, `simulateTransaction`, `sendTransaction`, `getSignatureStatuses`,
//! `getTransaction`, `getSignaturesForAddress`, `requestAirdrop` (with a faucet),
//! `getMinimumBalanceForRentExemption`, `getSlot`, `getBlockHeight`, `getEpochInfo`,
//! `getEpochSchedule`, `getVersion`, `getHealth`, `getIdentity`, `getGenesisHash` (when set),
//! `getFeeForMessage`, `getBlockTime`, `getRecentPrioritizationFees`, `getTransactionCount`,
//! `getFirstAvailableBlock`, `minimumLedgerSlot`. Anything else is the node's "Method not found".
//!
//! What differs from a validator:
//! - The bank cannot list its accounts, so `getProgramAccounts` and `getTokenAccountsByOwner` look
//!   only at the keys this server has seen: every account of every transaction it landed, and
//!   those registered with [`BankRpc::track`] (the localnet's start-up world).
//! - Every landed transaction is final at once (`confirmationStatus: "finalized"`); commitment
//!   levels and `minContextSlot` are accepted and ignored.
//! - `simulateTransaction` does not return post-simulation `accounts` (the bank's simulation
//!   discards them); inner instructions are returned when asked for. `getTransaction`'s inner
//!   instructions are the preflight simulation's (none with `skipPreflight`), and `jsonParsed`
//!   transactions come back as raw JSON messages.
//! - Lookup tables are read from their accounts without checking their deactivation.
//! - The last [`MAX_LANDED`] transactions that landed through this server are kept; older ones
//!   are forgotten (`getTransaction` returns null, statuses none), as a pruned ledger.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine as _};
use anchor_lang::prelude::Pubkey;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use solana_account::Account;
use solana_account_decoder::{
    encode_ui_account,
    parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2},
};
use solana_account_decoder_client_types::{
    token::{real_number_string_trimmed, UiTokenAmount},
    UiAccount, UiAccountEncoding, UiDataSliceConfig,
};
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_message::{v0::LoadedAddresses, Message, VersionedMessage};
use solana_program_test::BanksClient;
use solana_rpc_client::{
    api::{
        client_error::{Error as ClientError, Result as ClientResult},
        config::{
            RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
            RpcTokenAccountsFilter, RpcTransactionConfig,
        },
        filter::RpcFilterType,
        request::{RpcError, RpcRequest, RpcResponseErrorData},
        response::{RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount, RpcPrioritizationFee, RpcSimulateTransactionResult},
    },
    rpc_sender::{RpcSender, RpcTransportStats},
};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, EncodedTransactionWithStatusMeta,
    TransactionBinaryEncoding, TransactionConfirmationStatus, TransactionStatus, UiCompiledInstruction, UiInnerInstructions, UiInstruction, UiLoadedAddresses,
    UiMessage, UiRawMessage, UiReturnDataEncoding, UiTransaction, UiTransactionEncoding, UiTransactionReturnData, UiTransactionStatusMeta,
    UiTransactionTokenBalance,
};
use tokio::sync::broadcast;

/// Landed transactions kept for `getTransaction`, statuses and `getSignaturesForAddress` (the
/// oldest are forgotten beyond this, as a node's ledger is pruned).
pub const MAX_LANDED: usize = 20_000;

/// Blocks a blockhash is valid for (the runtime's `MAX_PROCESSING_AGE`).
const MAX_BLOCKHASH_AGE: u64 = 150;

/// The node version reported by `getVersion` and in response contexts (the runtime's crates).
pub const NODE_VERSION: &str = "3.1.12";

/// JSON-RPC error codes a node uses (solana-rpc-client-api's `custom_error`).
pub mod codes {
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
    pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
    pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;
}

/// A JSON-RPC error object: `{"code", "message", "data"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcFault {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcFault {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcFault { code, message: message.into(), data: None }
    }

    pub fn invalid_params(message: impl std::fmt::Display) -> Self {
        Self::new(codes::INVALID_PARAMS, format!("Invalid params: {message}"))
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(codes::INTERNAL_ERROR, format!("Internal error: {message}"))
    }

    /// `sendTransaction`'s refusal: the preflight simulation's error, logs and units.
    pub fn preflight(result: RpcSimulateTransactionResult) -> Self {
        let message = match result.err.clone().map(TransactionError::from) {
            Some(e) => format!("Transaction simulation failed: {e}"),
            None => "Transaction simulation failed".into(),
        };
        RpcFault { code: codes::SEND_TRANSACTION_PREFLIGHT_FAILURE, message, data: serde_json::to_value(result).ok() }
    }

    /// The error object as JSON.
    pub fn to_json(&self) -> Value {
        match &self.data {
            Some(d) => json!({ "code": self.code, "message": self.message, "data": d }),
            None => json!({ "code": self.code, "message": self.message }),
        }
    }

    /// As `solana-rpc-client`'s HTTP transport decodes it.
    pub fn into_client_error(self) -> ClientError {
        let data = match self.code {
            codes::SEND_TRANSACTION_PREFLIGHT_FAILURE => self
                .data
                .and_then(|d| serde_json::from_value::<RpcSimulateTransactionResult>(d).ok())
                .map(RpcResponseErrorData::SendTransactionPreflightFailure)
                .unwrap_or(RpcResponseErrorData::Empty),
            _ => RpcResponseErrorData::Empty,
        };
        RpcError::RpcResponseError { code: self.code, message: self.message, data }.into()
    }
}

impl std::fmt::Display for RpcFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for RpcFault {}

type RpcResult<T = Value> = Result<T, RpcFault>;

/// What happened in the bank, for subscriptions (the localnet's websocket server).
#[derive(Clone, Debug)]
pub enum NodeEvent {
    /// A transaction landed (succeeded or failed).
    Signature { signature: Signature, slot: u64, err: Option<TransactionError> },
    /// These accounts may have changed.
    Accounts(Vec<Pubkey>),
    /// A new slot began.
    Slot { slot: u64, parent: u64, root: u64 },
}

/// A token account's balance as a transaction's meta shows it.
#[derive(Clone)]
struct TokenBalance {
    index: u8,
    mint: Pubkey,
    owner: Pubkey,
    program: Pubkey,
    amount: u64,
    decimals: u8,
}

/// What the server recorded of a landed transaction.
#[derive(Clone)]
struct Landed {
    slot: u64,
    block_time: i64,
    tx: VersionedTransaction,
    err: Option<TransactionError>,
    logs: Vec<String>,
    fee: u64,
    units: u64,
    return_data: Option<UiTransactionReturnData>,
    keys: Vec<Pubkey>,
    loaded: Option<LoadedAddresses>,
    pre_balances: Vec<u64>,
    post_balances: Vec<u64>,
    pre_tokens: Vec<TokenBalance>,
    post_tokens: Vec<TokenBalance>,
    priority_fee: u64,
    /// From the preflight simulation (none when sent with `skipPreflight`).
    inner: Option<Vec<UiInnerInstructions>>,
    /// Keys the transaction could write.
    writable: Vec<Pubkey>,
}

#[derive(Default)]
struct Shared {
    landed: Mutex<HashMap<Signature, Landed>>,
    /// Signatures in landing order.
    order: Mutex<Vec<Signature>>,
    /// Every account key seen (the bank cannot enumerate its accounts).
    known: Mutex<BTreeSet<Pubkey>>,
    /// Blockhashes handed out, with their last valid block height.
    blockhashes: Mutex<HashMap<Hash, u64>>,
    /// Cluster time of slots in which something happened.
    slot_times: Mutex<BTreeMap<u64, i64>>,
    faucet: Mutex<Option<Arc<Keypair>>>,
    genesis_hash: Mutex<Option<Hash>>,
    events: Mutex<Option<broadcast::Sender<NodeEvent>>>,
    /// Serialises everything that writes to the bank (see [`BankRpc::write_lock`]).
    write: tokio::sync::Mutex<()>,
    airdrops: AtomicU64,
    transactions: AtomicU64,
    /// Slots counted beyond the bank's own (see [`BankRpc::advance_slot`]).
    extra_slots: AtomicU64,
}

/// The JSON-RPC API over a bank's `BanksClient`. Cheap to clone (shared state).
#[derive(Clone)]
pub struct BankRpc {
    banks: BanksClient,
    shared: Arc<Shared>,
}

fn parse<T: DeserializeOwned>(v: &Value, what: &str) -> RpcResult<T> {
    serde_json::from_value(v.clone()).map_err(|e| RpcFault::invalid_params(format!("{what}: {e}")))
}

/// Parameter `i`, or `None` when absent or null.
fn opt<T: DeserializeOwned>(params: &Value, i: usize) -> RpcResult<Option<T>> {
    match params.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => parse(v, &format!("parameter {i}")).map(Some),
    }
}

fn req<T: DeserializeOwned>(params: &Value, i: usize) -> RpcResult<T> {
    opt(params, i)?.ok_or_else(|| RpcFault::invalid_params(format!("missing parameter {i}")))
}

fn pubkey_param(params: &Value, i: usize) -> RpcResult<Pubkey> {
    let s: String = req(params, i)?;
    s.parse().map_err(|_| RpcFault::invalid_params(format!("invalid pubkey {s:?}")))
}

fn bank_fault(e: solana_program_test::BanksClientError) -> RpcFault {
    RpcFault::internal(format!("bank: {e}"))
}

fn is_token_program(p: &Pubkey) -> bool {
    *p == crate::SPL_TOKEN_ID || *p == crate::TOKEN_2022_ID
}

/// A token account's (mint, owner, amount), for SPL Token and Token-2022 accounts.
fn token_account_fields(acc: &Account) -> Option<(Pubkey, Pubkey, u64)> {
    if !is_token_program(&acc.owner) || acc.data.len() < 165 {
        return None;
    }
    // A Token-2022 account with extensions carries its account type (2) at byte 165.
    if acc.data.len() > 165 && acc.data[165] != 2 {
        return None;
    }
    // Uninitialized (state 0) is not an account yet.
    if acc.data[108] == 0 {
        return None;
    }
    let key = |r: std::ops::Range<usize>| Pubkey::new_from_array(acc.data[r].try_into().expect("32 bytes"));
    Some((key(0..32), key(32..64), u64::from_le_bytes(acc.data[64..72].try_into().expect("8 bytes"))))
}

/// Whether `account` passes `getProgramAccounts` filters.
pub fn filters_match(filters: &[RpcFilterType], account: &Account) -> bool {
    filters.iter().all(|f| match f {
        RpcFilterType::DataSize(n) => account.data.len() as u64 == *n,
        RpcFilterType::Memcmp(m) => m.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => token_account_fields(account).is_some(),
    })
}

fn ui_amount(amount: u64, decimals: u8) -> UiTokenAmount {
    UiTokenAmount {
        ui_amount: Some(amount as f64 / 10f64.powi(decimals as i32)),
        decimals,
        amount: amount.to_string(),
        ui_amount_string: real_number_string_trimmed(amount, decimals),
    }
}

/// The compute-unit price (micro-lamports) a message sets, 0 if none.
fn priority_fee(message: &VersionedMessage) -> u64 {
    let keys = message.static_account_keys();
    message
        .instructions()
        .iter()
        .filter(|ix| keys.get(ix.program_id_index as usize) == Some(&solana_compute_budget_interface::ID))
        .find_map(|ix| (ix.data.first() == Some(&3) && ix.data.len() >= 9).then(|| u64::from_le_bytes(ix.data[1..9].try_into().expect("8 bytes"))))
        .unwrap_or(0)
}

fn encode_tx(tx: &VersionedTransaction, encoding: UiTransactionEncoding) -> EncodedTransaction {
    let bytes = bincode::serialize(tx).expect("transaction serialises");
    match encoding {
        UiTransactionEncoding::Binary => EncodedTransaction::LegacyBinary(bs58::encode(bytes).into_string()),
        UiTransactionEncoding::Base58 => EncodedTransaction::Binary(bs58::encode(bytes).into_string(), TransactionBinaryEncoding::Base58),
        UiTransactionEncoding::Base64 => EncodedTransaction::Binary(STANDARD.encode(bytes), TransactionBinaryEncoding::Base64),
        UiTransactionEncoding::Json | UiTransactionEncoding::JsonParsed => EncodedTransaction::Json(UiTransaction {
            signatures: tx.signatures.iter().map(ToString::to_string).collect(),
            message: UiMessage::Raw(UiRawMessage {
                header: *tx.message.header(),
                account_keys: tx.message.static_account_keys().iter().map(ToString::to_string).collect(),
                recent_blockhash: tx.message.recent_blockhash().to_string(),
                instructions: tx.message.instructions().iter().map(|ix| UiCompiledInstruction::from(ix, None)).collect(),
                address_table_lookups: tx.message.address_table_lookups().map(|l| l.iter().map(Into::into).collect()),
            }),
        }),
    }
}

fn token_balances_json(list: &[TokenBalance]) -> Vec<UiTransactionTokenBalance> {
    list.iter()
        .map(|t| UiTransactionTokenBalance {
            account_index: t.index,
            mint: t.mint.to_string(),
            ui_token_amount: ui_amount(t.amount, t.decimals),
            owner: OptionSerializer::Some(t.owner.to_string()),
            program_id: OptionSerializer::Some(t.program.to_string()),
        })
        .collect()
}

/// The runtime's recorded inner instructions (one list per top-level instruction) as a node shows them.
fn ui_inner_instructions(all: Vec<solana_message::inner_instruction::InnerInstructions>) -> Vec<UiInnerInstructions> {
    all.into_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
        .map(|(i, list)| UiInnerInstructions {
            index: i as u8,
            instructions: list.iter().map(|ii| UiInstruction::Compiled(UiCompiledInstruction::from(&ii.instruction, Some(ii.stack_height as u32)))).collect(),
        })
        .collect()
}

fn empty_simulation() -> RpcSimulateTransactionResult {
    RpcSimulateTransactionResult {
        err: None,
        logs: None,
        accounts: None,
        units_consumed: None,
        loaded_accounts_data_size: None,
        return_data: None,
        inner_instructions: None,
        replacement_blockhash: None,
        fee: None,
        pre_balances: None,
        post_balances: None,
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: None,
    }
}

impl BankRpc {
    pub fn new(banks: BanksClient) -> Self {
        BankRpc { banks, shared: Arc::default() }
    }

    /// The keypair `requestAirdrop` pays from.
    pub fn set_faucet(&self, faucet: Keypair) {
        *self.shared.faucet.lock().expect("faucet") = Some(Arc::new(faucet));
    }

    /// The hash `getGenesisHash` reports.
    pub fn set_genesis_hash(&self, hash: Hash) {
        *self.shared.genesis_hash.lock().expect("genesis") = Some(hash);
    }

    /// Register account keys for `getProgramAccounts` / `getTokenAccountsByOwner`.
    pub fn track(&self, keys: impl IntoIterator<Item = Pubkey>) {
        self.shared.known.lock().expect("known").extend(keys);
    }

    /// Every key registered or seen so far.
    pub fn known_keys(&self) -> Vec<Pubkey> {
        self.shared.known.lock().expect("known").iter().copied().collect()
    }

    /// Events of landed transactions, changed accounts and new slots.
    pub fn subscribe(&self) -> broadcast::Receiver<NodeEvent> {
        let mut ev = self.shared.events.lock().expect("events");
        ev.get_or_insert_with(|| broadcast::channel(4096).0).subscribe()
    }

    /// Tell subscribers (no-op without any).
    pub fn emit(&self, event: NodeEvent) {
        if let Some(tx) = self.shared.events.lock().expect("events").as_ref() {
            let _ = tx.send(event);
        }
    }

    /// Held while a transaction is processed; whoever else writes to the bank (account writes,
    /// slot warps) takes it too, so a bank is never frozen under a running transaction.
    pub async fn write_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.shared.write.lock().await
    }

    pub fn banks(&self) -> &BanksClient {
        &self.banks
    }

    /// Whether `signature` landed through this server, and its error if it failed.
    pub fn landed_status(&self, signature: &Signature) -> Option<(u64, Option<TransactionError>)> {
        self.shared.landed.lock().expect("landed").get(signature).map(|l| (l.slot, l.err.clone()))
    }

    /// The logs of a transaction that landed through this server.
    pub fn landed_logs(&self, signature: &Signature) -> Option<Vec<String>> {
        self.shared.landed.lock().expect("landed").get(signature).map(|l| l.logs.clone())
    }

    /// The account keys of a transaction that landed through this server.
    pub fn landed_keys(&self, signature: &Signature) -> Option<Vec<Pubkey>> {
        self.shared.landed.lock().expect("landed").get(signature).map(|l| l.keys.clone())
    }

    /// An account as `getAccountInfo` encodes it, with the current slot.
    pub async fn encoded_account(&self, key: &Pubkey, encoding: UiAccountEncoding) -> RpcResult<(u64, Option<UiAccount>)> {
        let slot = self.slot().await?;
        let account = match self.account(key).await? {
            Some(a) => Some(self.ui_account(key, &a, encoding, None).await?),
            None => None,
        };
        Ok((slot, account))
    }

    /// Record the cluster time of `slot` (for `getBlockTime`).
    pub fn note_slot_time(&self, slot: u64, unix_timestamp: i64) {
        self.shared.slot_times.lock().expect("slot times").insert(slot, unix_timestamp);
    }

    /// The slot this server reports: the bank's, plus the slots [`BankRpc::advance_slot`] added.
    pub async fn slot(&self) -> RpcResult<u64> {
        Ok(self.banks.get_root_slot().await.map_err(bank_fault)? + self.shared.extra_slots.load(Ordering::SeqCst))
    }

    /// The block height this server reports (the bank's plus the added slots).
    pub async fn block_height(&self) -> RpcResult<u64> {
        Ok(self.banks.get_root_block_height().await.map_err(bank_fault)? + self.shared.extra_slots.load(Ordering::SeqCst))
    }

    /// Count one more slot (and block) than the bank's own, without a new bank: for a node that
    /// keeps one bank and registers a new blockhash each of its slots (`levtoken localnet`), so a
    /// blockhash's last valid block height (150 after it) is counted in these slots. The new slot.
    pub async fn advance_slot(&self) -> RpcResult<u64> {
        self.shared.extra_slots.fetch_add(1, Ordering::SeqCst);
        self.slot().await
    }

    async fn clock(&self) -> RpcResult<solana_clock::Clock> {
        self.banks.get_sysvar::<solana_clock::Clock>().await.map_err(bank_fault)
    }

    async fn with_context(&self, value: impl serde::Serialize) -> RpcResult {
        let slot = self.slot().await?;
        Ok(json!({ "context": { "slot": slot, "apiVersion": NODE_VERSION }, "value": serde_json::to_value(value).map_err(RpcFault::internal)? }))
    }

    async fn account(&self, key: &Pubkey) -> RpcResult<Option<Account>> {
        self.banks.get_account(*key).await.map_err(bank_fault)
    }

    async fn accounts(&self, keys: &[Pubkey]) -> RpcResult<Vec<Option<Account>>> {
        let reads = keys.iter().map(|k| self.account(k));
        futures::future::join_all(reads).await.into_iter().collect()
    }

    async fn mint_decimals(&self, mint: &Pubkey, cache: &mut HashMap<Pubkey, u8>) -> RpcResult<u8> {
        if let Some(d) = cache.get(mint) {
            return Ok(*d);
        }
        let d = match self.account(mint).await? {
            Some(a) if is_token_program(&a.owner) && a.data.len() >= 82 => a.data[44],
            _ => 0,
        };
        cache.insert(*mint, d);
        Ok(d)
    }

    /// An account as the node encodes it; `jsonParsed` token accounts get their mint's decimals.
    async fn ui_account(&self, key: &Pubkey, acc: &Account, encoding: UiAccountEncoding, slice: Option<UiDataSliceConfig>) -> RpcResult<UiAccount> {
        let mut additional = None;
        if encoding == UiAccountEncoding::JsonParsed {
            if let Some((mint, _, _)) = token_account_fields(acc) {
                let decimals = self.mint_decimals(&mint, &mut HashMap::new()).await?;
                additional = Some(AccountAdditionalDataV3 { spl_token_additional_data: Some(SplTokenAdditionalDataV2::with_decimals(decimals)) });
            }
        }
        Ok(encode_ui_account(key, acc, encoding, additional, slice))
    }

    fn encoding_of(cfg: &RpcAccountInfoConfig) -> UiAccountEncoding {
        cfg.encoding.unwrap_or(UiAccountEncoding::Binary)
    }

    /// Accounts under `owner` among the known keys, with `filters`.
    async fn scan(&self, owner: Option<&Pubkey>, filters: &[RpcFilterType]) -> RpcResult<Vec<(Pubkey, Account)>> {
        let keys = self.known_keys();
        let accounts = self.accounts(&keys).await?;
        Ok(keys
            .into_iter()
            .zip(accounts)
            .filter_map(|(k, a)| a.map(|a| (k, a)))
            .filter(|(_, a)| owner.is_none_or(|o| a.owner == *o) && filters_match(filters, a))
            .collect())
    }

    /// An account as the bank holds it.
    pub async fn raw_account(&self, key: &Pubkey) -> RpcResult<Option<Account>> {
        self.account(key).await
    }

    /// `account` encoded as `getAccountInfo` would.
    pub async fn encode_account(&self, key: &Pubkey, account: &Account, encoding: UiAccountEncoding) -> RpcResult<UiAccount> {
        self.ui_account(key, account, encoding, None).await
    }

    /// A transaction parameter in `encoding` (base58 unless said otherwise), as the node decodes it.
    fn decode_tx(params: &Value, encoding: Option<UiTransactionEncoding>) -> RpcResult<VersionedTransaction> {
        let s: String = req(params, 0)?;
        let bytes = match encoding.unwrap_or(UiTransactionEncoding::Base58) {
            UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary => {
                bs58::decode(&s).into_vec().map_err(|e| RpcFault::invalid_params(format!("invalid base58 encoding: {e}")))?
            }
            UiTransactionEncoding::Base64 => STANDARD.decode(&s).map_err(|e| RpcFault::invalid_params(format!("invalid base64 encoding: {e}")))?,
            other => return Err(RpcFault::invalid_params(format!("unsupported encoding: {other}. Supported encodings: base58, base64"))),
        };
        let tx: VersionedTransaction =
            bincode::deserialize(&bytes).map_err(|e| RpcFault::invalid_params(format!("failed to deserialize VersionedTransaction: {e}")))?;
        tx.sanitize().map_err(|e| RpcFault::invalid_params(format!("invalid transaction: {e}")))?;
        Ok(tx)
    }

    /// The addresses a v0 message loads from lookup tables.
    async fn loaded_addresses(&self, message: &VersionedMessage) -> RpcResult<Option<LoadedAddresses>> {
        let Some(lookups) = message.address_table_lookups() else { return Ok(None) };
        let mut loaded = LoadedAddresses::default();
        for l in lookups {
            let table = self.account(&l.account_key).await?.ok_or_else(|| RpcFault::invalid_params(format!("lookup table {} not found", l.account_key)))?;
            let addresses: Vec<Pubkey> =
                table.data.get(56..).unwrap_or_default().chunks_exact(32).map(|c| Pubkey::new_from_array(c.try_into().expect("32"))).collect();
            let pick = |idx: &[u8]| -> RpcResult<Vec<Pubkey>> {
                idx.iter().map(|i| addresses.get(*i as usize).copied().ok_or_else(|| RpcFault::invalid_params("lookup index out of range"))).collect()
            };
            loaded.writable.extend(pick(&l.writable_indexes)?);
            loaded.readonly.extend(pick(&l.readonly_indexes)?);
        }
        Ok(Some(loaded))
    }

    fn all_keys(message: &VersionedMessage, loaded: &Option<LoadedAddresses>) -> Vec<Pubkey> {
        let mut keys = message.static_account_keys().to_vec();
        if let Some(l) = loaded {
            keys.extend(l.writable.iter().chain(l.readonly.iter()));
        }
        keys
    }

    /// The fee a message pays (signatures and priority fee), or `None` for an unknown blockhash.
    async fn fee_for(&self, message: &VersionedMessage, loaded: &Option<LoadedAddresses>) -> RpcResult<Option<u64>> {
        // The bank prices legacy messages; a v0 message pays the same as the legacy message with
        // its loaded addresses appended (fees depend on signatures and compute-budget instructions).
        let legacy = Message {
            header: *message.header(),
            account_keys: Self::all_keys(message, loaded),
            recent_blockhash: *message.recent_blockhash(),
            instructions: message.instructions().to_vec(),
        };
        self.banks.get_fee_for_message(legacy).await.map_err(bank_fault)
    }

    async fn blockhash_valid(&self, hash: &Hash) -> RpcResult<bool> {
        let height = self.block_height().await?;
        let last_valid = self.shared.blockhashes.lock().expect("blockhashes").get(hash).copied();
        if last_valid.is_some_and(|lv| height > lv) {
            return Ok(false);
        }
        // In the bank's queue at all (the bank's fee lookup fails for unknown blockhashes).
        let probe = Message::new_with_blockhash(&[], Some(&Pubkey::new_from_array([1; 32])), hash);
        Ok(self.banks.get_fee_for_message(probe).await.map_err(bank_fault)?.is_some())
    }

    /// The latest blockhash and its last valid block height, remembered for `isBlockhashValid`.
    pub async fn latest_blockhash(&self) -> RpcResult<(Hash, u64)> {
        let (hash, last_valid) = self
            .banks
            .get_latest_blockhash_with_commitment(solana_commitment_config::CommitmentLevel::Processed)
            .await
            .map_err(bank_fault)?
            .ok_or_else(|| RpcFault::internal("no blockhash"))?;
        let last_valid = last_valid + self.shared.extra_slots.load(Ordering::SeqCst);
        let mut known = self.shared.blockhashes.lock().expect("blockhashes");
        known.entry(hash).or_insert(last_valid);
        if known.len() > 4 * MAX_BLOCKHASH_AGE as usize {
            // Long expired: the bank's queue has forgotten them too.
            known.retain(|_, lv| *lv + MAX_BLOCKHASH_AGE >= last_valid);
        }
        Ok((hash, last_valid))
    }

    async fn token_balances(&self, keys: &[Pubkey], accounts: &[Option<Account>], cache: &mut HashMap<Pubkey, u8>) -> RpcResult<Vec<TokenBalance>> {
        let mut out = Vec::new();
        for (i, (k, a)) in keys.iter().zip(accounts).enumerate() {
            let _ = k;
            if let Some((mint, owner, amount)) = a.as_ref().and_then(token_account_fields) {
                let decimals = self.mint_decimals(&mint, cache).await?;
                out.push(TokenBalance { index: i as u8, mint, owner, program: a.as_ref().expect("some").owner, amount, decimals });
            }
        }
        Ok(out)
    }

    /// Check, run (unless `preflight` fails) and record a transaction; its signature. Takes
    /// [`BankRpc::write_lock`].
    pub async fn submit(&self, tx: VersionedTransaction, preflight: bool) -> RpcResult<Signature> {
        let _guard = self.shared.write.lock().await;
        self.submit_locked(tx, preflight).await
    }

    async fn submit_locked(&self, tx: VersionedTransaction, preflight: bool) -> RpcResult<Signature> {
        if tx.verify_with_results().iter().any(|ok| !ok) {
            return Err(RpcFault::new(codes::TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"));
        }
        let signature = tx.signatures[0];
        let loaded = self.loaded_addresses(&tx.message).await?;
        let keys = Self::all_keys(&tx.message, &loaded);
        let refused = |err: TransactionError, logs: Vec<String>, units: Option<u64>| {
            RpcFault::preflight(RpcSimulateTransactionResult { err: Some(err.into()), logs: Some(logs), units_consumed: units, ..empty_simulation() })
        };
        let mut inner = None;
        if preflight {
            if !self.blockhash_valid(tx.message.recent_blockhash()).await? {
                return Err(refused(TransactionError::BlockhashNotFound, vec![], Some(0)));
            }
            let sim = self.banks.simulate_transaction(tx.clone()).await.map_err(bank_fault)?;
            if let Some(Err(err)) = sim.result {
                let (logs, units) = sim.simulation_details.map(|d| (d.logs, d.units_consumed)).unwrap_or_default();
                return Err(refused(err, logs, Some(units)));
            }
            // The bank's execution does not report inner instructions; the preflight, run on the
            // same state under the write lock, recorded them.
            inner = sim.simulation_details.and_then(|d| d.inner_instructions).map(ui_inner_instructions);
        }
        let fee = self.fee_for(&tx.message, &loaded).await?.unwrap_or(0);
        let mut decimals = HashMap::new();
        let pre = self.accounts(&keys).await?;
        let res = self.banks.process_transaction_with_metadata(tx.clone()).await.map_err(bank_fault)?;
        let Some(meta) = res.metadata else {
            // Not executed (unknown blockhash, already processed, cannot pay the fee...).
            let err = res.result.err().unwrap_or(TransactionError::AccountNotFound);
            if err == TransactionError::AlreadyProcessed && self.landed_status(&signature).is_some() {
                return Ok(signature);
            }
            return Err(refused(err, vec![], Some(0)));
        };
        let post = self.accounts(&keys).await?;
        let slot = self.slot().await?;
        let block_time = self.clock().await?.unix_timestamp;
        let pre_tokens = self.token_balances(&keys, &pre, &mut decimals).await?;
        let post_tokens = self.token_balances(&keys, &post, &mut decimals).await?;
        let changed: Vec<Pubkey> = keys.iter().zip(pre.iter().zip(&post)).filter(|(_, (a, b))| a != b).map(|(k, _)| *k).collect();
        let reserved = std::collections::HashSet::new();
        let writable: Vec<Pubkey> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| match &loaded {
                Some(l) => {
                    let n = tx.message.static_account_keys().len();
                    if *i < n {
                        tx.message.is_maybe_writable(*i, Some(&reserved))
                    } else {
                        *i < n + l.writable.len()
                    }
                }
                None => tx.message.is_maybe_writable(*i, Some(&reserved)),
            })
            .map(|(_, k)| *k)
            .collect();
        let landed = Landed {
            slot,
            block_time,
            err: res.result.clone().err(),
            logs: meta.log_messages,
            fee,
            units: meta.compute_units_consumed,
            return_data: meta
                .return_data
                .filter(|r| !r.data.is_empty())
                .map(|r| UiTransactionReturnData { program_id: r.program_id.to_string(), data: (STANDARD.encode(&r.data), UiReturnDataEncoding::Base64) }),
            keys: keys.clone(),
            loaded,
            pre_balances: pre.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect(),
            post_balances: post.iter().map(|a| a.as_ref().map_or(0, |a| a.lamports)).collect(),
            pre_tokens,
            post_tokens,
            priority_fee: priority_fee(&tx.message),
            inner,
            writable,
            tx,
        };
        let err = landed.err.clone();
        {
            let mut all = self.shared.landed.lock().expect("landed");
            let mut order = self.shared.order.lock().expect("order");
            all.insert(signature, landed);
            order.push(signature);
            if order.len() > MAX_LANDED {
                let excess = order.len() - MAX_LANDED;
                for old in order.drain(..excess) {
                    all.remove(&old);
                }
            }
        }
        self.shared.transactions.fetch_add(1, Ordering::Relaxed);
        self.note_slot_time(slot, block_time);
        self.track(keys);
        self.emit(NodeEvent::Signature { signature, slot, err });
        if !changed.is_empty() {
            self.emit(NodeEvent::Accounts(changed));
        }
        Ok(signature)
    }

    /// Send `lamports` from the faucet to `to`.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> RpcResult<Signature> {
        let faucet = self
            .shared
            .faucet
            .lock()
            .expect("faucet")
            .clone()
            .ok_or_else(|| RpcFault::new(codes::INVALID_REQUEST, "Invalid request: this node has no faucet"))?;
        let n = self.shared.airdrops.fetch_add(1, Ordering::Relaxed);
        let (blockhash, _) = self.latest_blockhash().await?;
        // A distinct compute-unit limit keeps two equal airdrops in one slot distinct.
        let ixs = [crate::compute_unit_limit_ix(10_000 + (n % 100_000) as u32), solana_system_interface::instruction::transfer(&faucet.pubkey(), to, lamports)];
        let tx = solana_transaction::Transaction::new_signed_with_payer(&ixs, Some(&faucet.pubkey()), &[faucet.as_ref()], blockhash);
        self.submit(tx.into(), true).await
    }

    /// Answer one JSON-RPC call.
    pub async fn call(&self, method: &str, params: &Value) -> RpcResult {
        let params = if params.is_null() { &Value::Array(vec![]) } else { params };
        match method {
            "getHealth" => Ok(json!("ok")),
            "getVersion" => Ok(json!({ "solana-core": NODE_VERSION, "feature-set": 0 })),
            "getIdentity" => {
                let id = self.shared.faucet.lock().expect("faucet").as_ref().map(|k| k.pubkey()).unwrap_or_default();
                Ok(json!({ "identity": id.to_string() }))
            }
            "getGenesisHash" => match *self.shared.genesis_hash.lock().expect("genesis") {
                Some(h) => Ok(json!(h.to_string())),
                None => Err(RpcFault::internal("no genesis hash")),
            },
            "getSlot" => Ok(json!(self.slot().await?)),
            "getBlockHeight" => Ok(json!(self.block_height().await?)),
            "getTransactionCount" => Ok(json!(self.shared.transactions.load(Ordering::Relaxed))),
            "getFirstAvailableBlock" | "minimumLedgerSlot" => Ok(json!(0)),
            "getBlockTime" => {
                let slot: u64 = req(params, 0)?;
                let recorded = self.shared.slot_times.lock().expect("slot times").range(..=slot).next_back().map(|(_, t)| *t);
                match recorded {
                    Some(t) if slot < self.slot().await? => Ok(json!(t)),
                    _ => Ok(json!(self.clock().await?.unix_timestamp)),
                }
            }
            "getEpochSchedule" | "getEpochInfo" => {
                let es = self.banks.get_sysvar::<anchor_lang::prelude::EpochSchedule>().await.map_err(bank_fault)?;
                if method == "getEpochSchedule" {
                    return Ok(json!({
                        "slotsPerEpoch": es.slots_per_epoch,
                        "leaderScheduleSlotOffset": es.leader_schedule_slot_offset,
                        "warmup": es.warmup,
                        "firstNormalEpoch": es.first_normal_epoch,
                        "firstNormalSlot": es.first_normal_slot,
                    }));
                }
                let slot = self.slot().await?;
                let (epoch, slot_index) = es.get_epoch_and_slot_index(slot);
                Ok(json!({
                    "absoluteSlot": slot,
                    "blockHeight": self.block_height().await?,
                    "epoch": epoch,
                    "slotIndex": slot_index,
                    "slotsInEpoch": es.get_slots_in_epoch(epoch),
                    "transactionCount": self.shared.transactions.load(Ordering::Relaxed),
                }))
            }
            "getLatestBlockhash" => {
                let (blockhash, last_valid_block_height) = self.latest_blockhash().await?;
                self.with_context(RpcBlockhash { blockhash: blockhash.to_string(), last_valid_block_height }).await
            }
            "isBlockhashValid" => {
                let s: String = req(params, 0)?;
                let hash: Hash = s.parse().map_err(|_| RpcFault::invalid_params(format!("invalid blockhash {s:?}")))?;
                let valid = self.blockhash_valid(&hash).await?;
                self.with_context(valid).await
            }
            "getMinimumBalanceForRentExemption" => {
                let size: usize = opt(params, 0)?.unwrap_or(0);
                Ok(json!(self.banks.get_rent().await.map_err(bank_fault)?.minimum_balance(size)))
            }
            "getFeeForMessage" => {
                let s: String = req(params, 0)?;
                let bytes = STANDARD.decode(&s).map_err(|e| RpcFault::invalid_params(format!("invalid base64 encoding: {e}")))?;
                let message: VersionedMessage = bincode::deserialize(&bytes).map_err(|e| RpcFault::invalid_params(format!("invalid message: {e}")))?;
                let loaded = self.loaded_addresses(&message).await?;
                let fee = self.fee_for(&message, &loaded).await?;
                self.with_context(fee).await
            }
            "getBalance" => {
                let key = pubkey_param(params, 0)?;
                let lamports = self.account(&key).await?.map_or(0, |a| a.lamports);
                self.with_context(lamports).await
            }
            "getAccountInfo" => {
                let key = pubkey_param(params, 0)?;
                let cfg: RpcAccountInfoConfig = opt(params, 1)?.unwrap_or_default();
                let value = match self.account(&key).await? {
                    Some(a) => Some(self.ui_account(&key, &a, Self::encoding_of(&cfg), cfg.data_slice).await?),
                    None => None,
                };
                self.with_context(value).await
            }
            "getMultipleAccounts" => {
                let keys: Vec<String> = req(params, 0)?;
                let keys: Vec<Pubkey> =
                    keys.iter().map(|s| s.parse().map_err(|_| RpcFault::invalid_params(format!("invalid pubkey {s:?}")))).collect::<RpcResult<_>>()?;
                let cfg: RpcAccountInfoConfig = opt(params, 1)?.unwrap_or_default();
                let accounts = self.accounts(&keys).await?;
                let mut value = Vec::with_capacity(keys.len());
                for (k, a) in keys.iter().zip(accounts) {
                    value.push(match a {
                        Some(a) => Some(self.ui_account(k, &a, Self::encoding_of(&cfg), cfg.data_slice).await?),
                        None => None,
                    });
                }
                self.with_context(value).await
            }
            "getProgramAccounts" => {
                let program = pubkey_param(params, 0)?;
                let cfg: RpcProgramAccountsConfig = opt(params, 1)?.unwrap_or_default();
                let filters = cfg.filters.clone().unwrap_or_default();
                for f in &filters {
                    f.verify().map_err(|e| RpcFault::invalid_params(format!("filter: {e}")))?;
                }
                let mut value = Vec::new();
                for (k, a) in self.scan(Some(&program), &filters).await? {
                    let account = self.ui_account(&k, &a, Self::encoding_of(&cfg.account_config), cfg.account_config.data_slice).await?;
                    value.push(RpcKeyedAccount { pubkey: k.to_string(), account });
                }
                if cfg.with_context.unwrap_or(false) {
                    self.with_context(value).await
                } else {
                    Ok(serde_json::to_value(value).map_err(RpcFault::internal)?)
                }
            }
            "getTokenAccountBalance" => {
                let key = pubkey_param(params, 0)?;
                let acc = self.account(&key).await?.ok_or_else(|| RpcFault::invalid_params("could not find account"))?;
                let (mint, _, amount) = token_account_fields(&acc).ok_or_else(|| RpcFault::invalid_params("not a Token account"))?;
                let decimals = self.mint_decimals(&mint, &mut HashMap::new()).await?;
                self.with_context(ui_amount(amount, decimals)).await
            }
            "getTokenSupply" => {
                let key = pubkey_param(params, 0)?;
                let acc = self.account(&key).await?.ok_or_else(|| RpcFault::invalid_params("could not find mint"))?;
                if !is_token_program(&acc.owner) || acc.data.len() < 82 {
                    return Err(RpcFault::invalid_params("not a Token mint"));
                }
                let supply = u64::from_le_bytes(acc.data[36..44].try_into().expect("8 bytes"));
                self.with_context(ui_amount(supply, acc.data[44])).await
            }
            "getTokenAccountsByOwner" => {
                let owner = pubkey_param(params, 0)?;
                let filter: RpcTokenAccountsFilter = req(params, 1)?;
                let cfg: RpcAccountInfoConfig = opt(params, 2)?.unwrap_or_default();
                let (mint, program) = match filter {
                    RpcTokenAccountsFilter::Mint(m) => (Some(m.parse::<Pubkey>().map_err(|_| RpcFault::invalid_params("invalid mint"))?), None),
                    RpcTokenAccountsFilter::ProgramId(p) => {
                        let p: Pubkey = p.parse().map_err(|_| RpcFault::invalid_params("invalid program id"))?;
                        if !is_token_program(&p) {
                            return Err(RpcFault::invalid_params(format!("unrecognized Token program id {p}")));
                        }
                        (None, Some(p))
                    }
                };
                let mut value = Vec::new();
                for (k, a) in self.scan(program.as_ref(), &[]).await? {
                    match token_account_fields(&a) {
                        Some((m, o, _)) if o == owner && mint.is_none_or(|want| want == m) => {
                            let account = self.ui_account(&k, &a, Self::encoding_of(&cfg), cfg.data_slice).await?;
                            value.push(RpcKeyedAccount { pubkey: k.to_string(), account });
                        }
                        _ => {}
                    }
                }
                self.with_context(value).await
            }
            "simulateTransaction" => self.simulate(params).await,
            "sendTransaction" => {
                let cfg: RpcSendTransactionConfig = opt(params, 1)?.unwrap_or_default();
                let tx = Self::decode_tx(params, cfg.encoding)?;
                Ok(json!(self.submit(tx, !cfg.skip_preflight).await?.to_string()))
            }
            "requestAirdrop" => {
                let to = pubkey_param(params, 0)?;
                let lamports: u64 = req(params, 1)?;
                Ok(json!(self.airdrop(&to, lamports).await?.to_string()))
            }
            "getSignatureStatuses" => {
                let sigs: Vec<String> = req(params, 0)?;
                let mut value: Vec<Option<TransactionStatus>> = Vec::with_capacity(sigs.len());
                for s in sigs {
                    let sig: Signature = s.parse().map_err(|_| RpcFault::invalid_params(format!("invalid signature {s:?}")))?;
                    let status = match self.landed_status(&sig) {
                        Some((slot, err)) => Some(TransactionStatus {
                            slot,
                            confirmations: None,
                            status: err.clone().map_or(Ok(()), Err),
                            err,
                            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                        }),
                        // Sent to the bank by other means (e.g. directly by a test).
                        None => self.banks.get_transaction_status(sig).await.map_err(bank_fault)?.map(|t| TransactionStatus {
                            slot: t.slot,
                            confirmations: None,
                            status: t.err.clone().map_or(Ok(()), Err),
                            err: t.err,
                            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                        }),
                    };
                    value.push(status);
                }
                self.with_context(value).await
            }
            "getTransaction" => self.get_transaction(params),
            "getSignaturesForAddress" => {
                let address = pubkey_param(params, 0)?;
                let cfg: RpcSignaturesForAddressConfig = opt(params, 1)?.unwrap_or_default();
                let limit = cfg.limit.unwrap_or(1000).min(1000);
                let landed = self.shared.landed.lock().expect("landed");
                let order = self.shared.order.lock().expect("order");
                let mut started = cfg.before.is_none();
                let mut out = Vec::new();
                for sig in order.iter().rev() {
                    let s = sig.to_string();
                    if !started {
                        started = cfg.before.as_deref() == Some(s.as_str());
                        continue;
                    }
                    if cfg.until.as_deref() == Some(s.as_str()) || out.len() >= limit {
                        break;
                    }
                    let l = &landed[sig];
                    if l.keys.contains(&address) {
                        out.push(RpcConfirmedTransactionStatusWithSignature {
                            signature: s,
                            slot: l.slot,
                            err: l.err.clone().map(Into::into),
                            memo: None,
                            block_time: Some(l.block_time),
                            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                        });
                    }
                }
                Ok(serde_json::to_value(out).map_err(RpcFault::internal)?)
            }
            "getRecentPrioritizationFees" => {
                let accounts: Vec<String> = opt(params, 0)?.unwrap_or_default();
                let accounts: Vec<Pubkey> = accounts.iter().filter_map(|s| s.parse().ok()).collect();
                let slot = self.slot().await?;
                let mut by_slot: BTreeMap<u64, u64> = BTreeMap::new();
                for l in self.shared.landed.lock().expect("landed").values() {
                    if l.slot + 150 < slot || !(accounts.is_empty() || accounts.iter().any(|a| l.writable.contains(a))) {
                        continue;
                    }
                    let e = by_slot.entry(l.slot).or_insert(u64::MAX);
                    *e = (*e).min(l.priority_fee);
                }
                by_slot.entry(slot).or_insert(0);
                let fees: Vec<RpcPrioritizationFee> = by_slot.into_iter().map(|(slot, fee)| RpcPrioritizationFee { slot, prioritization_fee: fee }).collect();
                Ok(serde_json::to_value(fees).map_err(RpcFault::internal)?)
            }
            other => Err(RpcFault::new(codes::METHOD_NOT_FOUND, format!("Method not found: {other}"))),
        }
    }

    async fn simulate(&self, params: &Value) -> RpcResult {
        let cfg: RpcSimulateTransactionConfig = opt(params, 1)?.unwrap_or_default();
        let mut tx = Self::decode_tx(params, cfg.encoding)?;
        if cfg.sig_verify && cfg.replace_recent_blockhash {
            return Err(RpcFault::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
        }
        if cfg.sig_verify && tx.verify_with_results().iter().any(|ok| !ok) {
            return Err(RpcFault::new(codes::TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"));
        }
        let mut replacement = None;
        if cfg.replace_recent_blockhash {
            let (hash, last_valid_block_height) = self.latest_blockhash().await?;
            tx.message.set_recent_blockhash(hash);
            replacement = Some(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height });
        }
        let loaded = self.loaded_addresses(&tx.message).await?;
        let fee = self.fee_for(&tx.message, &loaded).await?;
        // The bank's simulation does not check the blockhash; a node does.
        if replacement.is_none() && !self.blockhash_valid(tx.message.recent_blockhash()).await? {
            return self
                .with_context(RpcSimulateTransactionResult {
                    err: Some(TransactionError::BlockhashNotFound.into()),
                    logs: Some(vec![]),
                    units_consumed: Some(0),
                    ..empty_simulation()
                })
                .await;
        }
        let res = self.banks.simulate_transaction(tx).await.map_err(bank_fault)?;
        let details = res.simulation_details;
        let err = match res.result {
            Some(Ok(())) => None,
            Some(Err(e)) => Some(e),
            None => Some(TransactionError::BlockhashNotFound),
        };
        let inner = if cfg.inner_instructions { details.as_ref().and_then(|d| d.inner_instructions.clone()).map(ui_inner_instructions) } else { None };
        let (logs, units, return_data, data_size) = match details {
            Some(d) => (d.logs, d.units_consumed, d.return_data, d.loaded_accounts_data_size),
            None => (vec![], 0, None, 0),
        };
        self.with_context(RpcSimulateTransactionResult {
            err: err.map(Into::into),
            logs: Some(logs),
            units_consumed: Some(units),
            loaded_accounts_data_size: Some(data_size),
            return_data: return_data
                .map(|r| UiTransactionReturnData { program_id: r.program_id.to_string(), data: (STANDARD.encode(&r.data), UiReturnDataEncoding::Base64) }),
            inner_instructions: inner,
            replacement_blockhash: replacement,
            fee,
            loaded_addresses: loaded.as_ref().map(UiLoadedAddresses::from),
            ..empty_simulation()
        })
        .await
    }

    fn get_transaction(&self, params: &Value) -> RpcResult {
        let s: String = req(params, 0)?;
        let sig: Signature = s.parse().map_err(|_| RpcFault::invalid_params(format!("invalid signature {s:?}")))?;
        let cfg: RpcTransactionConfig = match params.get(1) {
            Some(Value::String(_)) => RpcTransactionConfig { encoding: opt(params, 1)?, ..Default::default() },
            _ => opt(params, 1)?.unwrap_or_default(),
        };
        let Some(l) = self.shared.landed.lock().expect("landed").get(&sig).cloned() else {
            return Ok(Value::Null);
        };
        let version = match (l.tx.version(), cfg.max_supported_transaction_version) {
            (solana_transaction::versioned::TransactionVersion::Legacy(_), None) => None,
            (v @ solana_transaction::versioned::TransactionVersion::Legacy(_), Some(_)) => Some(v),
            (solana_transaction::versioned::TransactionVersion::Number(n), Some(max)) if n <= max => Some(l.tx.version()),
            (solana_transaction::versioned::TransactionVersion::Number(n), _) => {
                return Err(RpcFault::new(
                    codes::UNSUPPORTED_TRANSACTION_VERSION,
                    format!("Transaction version ({n}) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": {n}"),
                ))
            }
        };
        let encoded = EncodedConfirmedTransactionWithStatusMeta {
            slot: l.slot,
            transaction: EncodedTransactionWithStatusMeta {
                transaction: encode_tx(&l.tx, cfg.encoding.unwrap_or(UiTransactionEncoding::Json)),
                meta: Some(UiTransactionStatusMeta {
                    err: l.err.clone().map(Into::into),
                    status: match &l.err {
                        Some(e) => Err(e.clone().into()),
                        None => Ok(()),
                    },
                    fee: l.fee,
                    pre_balances: l.pre_balances.clone(),
                    post_balances: l.post_balances.clone(),
                    inner_instructions: l.inner.clone().map_or(OptionSerializer::None, OptionSerializer::Some),
                    log_messages: OptionSerializer::Some(l.logs.clone()),
                    pre_token_balances: OptionSerializer::Some(token_balances_json(&l.pre_tokens)),
                    post_token_balances: OptionSerializer::Some(token_balances_json(&l.post_tokens)),
                    rewards: OptionSerializer::Some(vec![]),
                    loaded_addresses: OptionSerializer::Some(
                        l.loaded.as_ref().map(UiLoadedAddresses::from).unwrap_or_else(|| UiLoadedAddresses { writable: vec![], readonly: vec![] }),
                    ),
                    return_data: l.return_data.clone().map_or(OptionSerializer::Skip, OptionSerializer::Some),
                    compute_units_consumed: OptionSerializer::Some(l.units),
                    cost_units: OptionSerializer::Skip,
                }),
                version,
            },
            block_time: Some(l.block_time),
        };
        serde_json::to_value(encoded).map_err(RpcFault::internal)
    }
}

/// An [`RpcSender`] answering from a bank (a clone of its `BanksClient`: the test keeps using the
/// bank directly as well).
#[derive(Clone)]
pub struct BankRpcSender {
    rpc: BankRpc,
    stats: Arc<Mutex<RpcTransportStats>>,
}

impl BankRpcSender {
    pub fn new(banks: BanksClient) -> Self {
        Self::over(BankRpc::new(banks))
    }

    /// Over an existing [`BankRpc`] (sharing its record of landed transactions).
    pub fn over(rpc: BankRpc) -> Self {
        BankRpcSender { rpc, stats: Arc::default() }
    }

    pub fn rpc(&self) -> &BankRpc {
        &self.rpc
    }

    /// Number of requests served so far.
    pub fn requests(&self) -> usize {
        self.stats.lock().expect("stats").request_count
    }
}

#[async_trait::async_trait]
impl RpcSender for BankRpcSender {
    async fn send(&self, request: RpcRequest, params: Value) -> ClientResult<Value> {
        self.stats.lock().expect("stats").request_count += 1;
        self.rpc.call(&request.to_string(), &params).await.map_err(RpcFault::into_client_error)
    }

    fn get_transport_stats(&self) -> RpcTransportStats {
        self.stats.lock().expect("stats").clone()
    }

    fn url(&self) -> String {
        "in-process bank".into()
    }
}
