//! A JSON-RPC transport served by the in-process bank, so the [`RpcChain`](crate::chain::rpc::RpcChain)
//! path (the real `solana-rpc-client`: request building, response parsing, confirmation, error
//! decoding, transaction log retrieval) runs in tests without a validator. Each request is answered
//! from the bank with the same JSON shapes a node returns (built from the RPC crates' own response
//! types); transactions execute for real in the bank.
//!
//! Served: `getLatestBlockhash`, `isBlockhashValid`, `sendTransaction` (a refused transaction comes
//! back as the node's preflight failure, with logs), `getSignatureStatuses`, `getTransaction` (log
//! messages and status), `simulateTransaction`, `getAccountInfo`, `getSlot`, `getBlockTime`.
//! Anything else is an error naming the method.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine as _};
use anchor_lang::prelude::Pubkey;
use serde_json::{json, Value};
use solana_account_decoder_client_types::{UiAccount, UiAccountData, UiAccountEncoding};
use solana_program_test::BanksClient;
use solana_rpc_client::{
    api::{
        client_error::{Error as ClientError, Result as ClientResult},
        request::{RpcError, RpcRequest, RpcResponseErrorData},
        response::{Response, RpcBlockhash, RpcResponseContext, RpcSimulateTransactionResult},
    },
    rpc_sender::{RpcSender, RpcTransportStats},
};
use solana_signature::Signature;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, EncodedTransactionWithStatusMeta,
    TransactionBinaryEncoding, TransactionConfirmationStatus, TransactionStatus, UiReturnDataEncoding, UiTransactionReturnData, UiTransactionStatusMeta,
};

/// What the bank recorded of a landed transaction.
#[derive(Clone)]
struct Landed {
    slot: u64,
    tx_base64: String,
    logs: Vec<String>,
    fee: u64,
}

/// An [`RpcSender`] answering from a bank (a clone of its `BanksClient`: the test keeps using the
/// bank directly as well).
#[derive(Clone)]
pub struct BankRpcSender {
    banks: BanksClient,
    landed: Arc<Mutex<HashMap<Signature, Landed>>>,
    stats: Arc<Mutex<RpcTransportStats>>,
}

impl BankRpcSender {
    pub fn new(banks: BanksClient) -> Self {
        BankRpcSender { banks, landed: Arc::default(), stats: Arc::default() }
    }

    /// Number of requests served so far.
    pub fn requests(&self) -> usize {
        self.stats.lock().expect("stats").request_count
    }

    async fn context(&self) -> ClientResult<RpcResponseContext> {
        Ok(RpcResponseContext { slot: self.banks.get_root_slot().await.map_err(bank_err)?, api_version: None })
    }

    async fn respond<T: serde::Serialize>(&self, value: T) -> ClientResult<Value> {
        Ok(serde_json::to_value(Response { context: self.context().await?, value })?)
    }

    async fn serve(&self, request: RpcRequest, params: &Value) -> ClientResult<Value> {
        match request {
            RpcRequest::GetLatestBlockhash => {
                let blockhash = self.banks.get_latest_blockhash().await.map_err(bank_err)?;
                let height = self.banks.get_root_block_height().await.map_err(bank_err)?;
                self.respond(RpcBlockhash { blockhash: blockhash.to_string(), last_valid_block_height: height + 150 }).await
            }
            RpcRequest::IsBlockhashValid => self.respond(true).await,
            RpcRequest::GetSlot => Ok(json!(self.banks.get_root_slot().await.map_err(bank_err)?)),
            RpcRequest::GetBlockTime => {
                let clock: solana_clock::Clock = self.banks.get_sysvar().await.map_err(bank_err)?;
                Ok(json!(clock.unix_timestamp))
            }
            RpcRequest::GetAccountInfo => {
                let key: Pubkey = param_str(params, 0)?.parse().map_err(|e| parse_err(format!("pubkey: {e}")))?;
                let account = self.banks.get_account(key).await.map_err(bank_err)?.map(|a| UiAccount {
                    lamports: a.lamports,
                    data: UiAccountData::Binary(STANDARD.encode(&a.data), UiAccountEncoding::Base64),
                    owner: a.owner.to_string(),
                    executable: a.executable,
                    rent_epoch: a.rent_epoch,
                    space: Some(a.data.len() as u64),
                });
                self.respond(account).await
            }
            RpcRequest::SimulateTransaction => {
                let (tx, _) = decode_tx(params)?;
                let res = self.banks.simulate_transaction(tx).await.map_err(bank_err)?;
                let (logs, units, return_data) = match res.simulation_details {
                    Some(d) => (d.logs, d.units_consumed, d.return_data),
                    None => (vec![], 0, None),
                };
                let err = match res.result {
                    Some(Ok(())) => None,
                    Some(Err(e)) => Some(e),
                    None => Some(TransactionError::BlockhashNotFound),
                };
                self.respond(RpcSimulateTransactionResult {
                    err: err.map(Into::into),
                    logs: Some(logs),
                    units_consumed: Some(units),
                    return_data: return_data.map(|r| UiTransactionReturnData {
                        program_id: r.program_id.to_string(),
                        data: (STANDARD.encode(&r.data), UiReturnDataEncoding::Base64),
                    }),
                    ..empty_simulation()
                })
                .await
            }
            RpcRequest::SendTransaction => {
                let (tx, tx_base64) = decode_tx(params)?;
                let sig = tx.signatures[0];
                let fee = self.banks.get_fee_for_message(tx.message.clone()).await.map_err(bank_err)?.unwrap_or(0);
                let res = self.banks.process_transaction_with_metadata(tx).await.map_err(bank_err)?;
                let logs = res.metadata.map(|m| m.log_messages).unwrap_or_default();
                match res.result {
                    Ok(()) => {
                        let slot = self.banks.get_root_slot().await.map_err(bank_err)?;
                        self.landed.lock().expect("landed").insert(sig, Landed { slot, tx_base64, logs, fee });
                        Ok(json!(sig.to_string()))
                    }
                    // A node runs the transaction first (preflight) and refuses it with the
                    // simulation's error and logs.
                    Err(e) => Err(RpcError::RpcResponseError {
                        code: -32002,
                        message: format!("Transaction simulation failed: {e}"),
                        data: RpcResponseErrorData::SendTransactionPreflightFailure(RpcSimulateTransactionResult {
                            err: Some(e.into()),
                            logs: Some(logs),
                            ..empty_simulation()
                        }),
                    }
                    .into()),
                }
            }
            RpcRequest::GetSignatureStatuses => {
                let sigs = params.get(0).and_then(Value::as_array).ok_or_else(|| parse_err("signatures".into()))?;
                let landed = self.landed.lock().expect("landed").clone();
                let statuses: Vec<Option<TransactionStatus>> = sigs
                    .iter()
                    .map(|s| {
                        let sig: Signature = s.as_str()?.parse().ok()?;
                        landed.get(&sig).map(|l| TransactionStatus {
                            slot: l.slot,
                            confirmations: None,
                            status: Ok(()),
                            err: None,
                            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                        })
                    })
                    .collect();
                self.respond(statuses).await
            }
            RpcRequest::GetTransaction => {
                let sig: Signature = param_str(params, 0)?.parse().map_err(|e| parse_err(format!("signature: {e}")))?;
                let Some(l) = self.landed.lock().expect("landed").get(&sig).cloned() else {
                    return Ok(Value::Null);
                };
                let clock: solana_clock::Clock = self.banks.get_sysvar().await.map_err(bank_err)?;
                Ok(serde_json::to_value(EncodedConfirmedTransactionWithStatusMeta {
                    slot: l.slot,
                    transaction: EncodedTransactionWithStatusMeta {
                        transaction: EncodedTransaction::Binary(l.tx_base64, TransactionBinaryEncoding::Base64),
                        meta: Some(UiTransactionStatusMeta {
                            err: None,
                            status: Ok(()),
                            fee: l.fee,
                            pre_balances: vec![],
                            post_balances: vec![],
                            inner_instructions: OptionSerializer::None,
                            log_messages: OptionSerializer::Some(l.logs),
                            pre_token_balances: OptionSerializer::None,
                            post_token_balances: OptionSerializer::None,
                            rewards: OptionSerializer::None,
                            loaded_addresses: OptionSerializer::Skip,
                            return_data: OptionSerializer::Skip,
                            compute_units_consumed: OptionSerializer::Skip,
                            cost_units: OptionSerializer::Skip,
                        }),
                        version: None,
                    },
                    block_time: Some(clock.unix_timestamp),
                })?)
            }
            other => Err(RpcError::ForUser(format!("{other} is not served by the in-process bank")).into()),
        }
    }
}

#[async_trait::async_trait]
impl RpcSender for BankRpcSender {
    async fn send(&self, request: RpcRequest, params: Value) -> ClientResult<Value> {
        self.stats.lock().expect("stats").request_count += 1;
        self.serve(request, &params).await
    }

    fn get_transport_stats(&self) -> RpcTransportStats {
        self.stats.lock().expect("stats").clone()
    }

    fn url(&self) -> String {
        "in-process bank".into()
    }
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

fn param_str(params: &Value, i: usize) -> ClientResult<&str> {
    params.get(i).and_then(Value::as_str).ok_or_else(|| parse_err(format!("parameter {i}")))
}

/// The base64 transaction of `sendTransaction` / `simulateTransaction` (the client's encoding).
fn decode_tx(params: &Value) -> ClientResult<(Transaction, String)> {
    let b64 = param_str(params, 0)?;
    let encoding = params.get(1).and_then(|c| c.get("encoding")).and_then(Value::as_str).unwrap_or("base58");
    if encoding != "base64" {
        return Err(parse_err(format!("transaction encoding {encoding} (the client sends base64)")));
    }
    let bytes = STANDARD.decode(b64).map_err(|e| parse_err(format!("base64: {e}")))?;
    let tx: Transaction = bincode::deserialize(&bytes).map_err(|e| parse_err(format!("transaction: {e}")))?;
    Ok((tx, b64.to_string()))
}

fn parse_err(what: String) -> ClientError {
    RpcError::ParseError(what).into()
}

fn bank_err(e: solana_program_test::BanksClientError) -> ClientError {
    RpcError::RpcRequestError(format!("bank: {e}")).into()
}
