//! The small interface every tool talks to a chain through, with two implementations: the
//! in-process bank (`bank` feature) and JSON-RPC (`rpc` feature).
#![allow(async_fn_in_trait)]

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;

/// A landed (or simulated) transaction.
#[derive(Clone, Debug, Default)]
pub struct Landed {
    /// Transaction signature (base58), when there is one.
    pub signature: Option<String>,
    pub logs: Vec<String>,
    pub return_data: Option<Vec<u8>>,
}

/// Why a chain call failed.
#[derive(Clone, Debug)]
pub enum ChainError {
    /// The transaction was executed and failed; `code` is the custom program error, if any.
    Failed { code: Option<u32>, message: String, logs: Vec<String> },
    /// The chain could not be reached or answered nonsense.
    Transport(String),
}

impl ChainError {
    pub fn code(&self) -> Option<u32> {
        match self {
            ChainError::Failed { code, .. } => *code,
            ChainError::Transport(_) => None,
        }
    }

    /// Worth retrying (transport trouble, blockhash expiry), as opposed to a program refusal.
    pub fn is_transient(&self) -> bool {
        matches!(self, ChainError::Transport(_))
    }
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // On chain an Anchor program logs its error's name and message; show that first.
        if let ChainError::Failed { logs, .. } = self {
            if let Some(l) = logs.iter().rev().find(|l| l.contains("AnchorError") && l.contains("Error Message:")) {
                let reason = l.split_once("Error Code: ").map(|(_, r)| r).unwrap_or(l);
                write!(f, "{reason} — ")?;
            }
        }
        match self {
            ChainError::Failed { code: Some(c), message, .. } => write!(f, "transaction failed with error {c}: {message}"),
            ChainError::Failed { code: None, message, .. } => write!(f, "transaction failed: {message}"),
            ChainError::Transport(m) => write!(f, "chain unreachable: {m}"),
        }
    }
}

impl std::error::Error for ChainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_programs_error_first() {
        let logs = vec![
            "Program GNyr8vogG7qqNc2BSPET9yxa51Dv2BZyJburFzv9Ra2T invoke [1]".to_string(),
            "Program log: AnchorError thrown in programs/leveraged-token/src/instructions/mint.rs:60. Error Code: TokensBelowMinimum. Error Number: 6004. Error Message: You would receive fewer tokens than the minimum you asked for.".to_string(),
        ];
        let e = ChainError::Failed { code: Some(6004), message: "custom program error: 0x1774".into(), logs };
        assert_eq!(
            e.to_string(),
            "TokensBelowMinimum. Error Number: 6004. Error Message: You would receive fewer tokens than the minimum you asked for. — transaction failed with error 6004: custom program error: 0x1774"
        );
        let e = ChainError::Failed { code: None, message: "blockhash not found".into(), logs: vec![] };
        assert_eq!(e.to_string(), "transaction failed: blockhash not found");
    }
}

/// What the CLI, the keeper, the backtest and the migrations need from a chain.
pub trait Chain {
    /// The fee payer (and default signer).
    fn payer(&self) -> Pubkey;
    /// Sign with the payer and `signers` and send.
    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Landed, ChainError>;
    /// Simulate without committing (reads return data, e.g. the `nav` view).
    async fn simulate(&mut self, ixs: &[Instruction]) -> Result<Landed, ChainError>;
    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError>;
    /// The cluster's clock.
    async fn unix_time(&mut self) -> Result<i64, ChainError>;
}

/// Decode an Anchor account from a chain.
pub async fn anchor_account<C: Chain, T: anchor_lang::AccountDeserialize>(chain: &mut C, key: &Pubkey) -> Result<T, ChainError> {
    let acc = chain.account(key).await?.ok_or_else(|| ChainError::Transport(format!("account {key} does not exist")))?;
    T::try_deserialize(&mut acc.data.as_slice()).map_err(|e| ChainError::Transport(format!("account {key}: {e}")))
}

/// Token amount of an SPL Token / Token-2022 account (0 when absent).
pub async fn token_balance<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<u64, ChainError> {
    Ok(match chain.account(key).await? {
        Some(a) if a.data.len() >= 72 => u64::from_le_bytes(a.data[64..72].try_into().expect("8 bytes")),
        _ => 0,
    })
}

/// Supply of a mint.
pub async fn mint_supply<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<u64, ChainError> {
    let a = chain.account(key).await?.ok_or_else(|| ChainError::Transport(format!("mint {key} does not exist")))?;
    Ok(u64::from_le_bytes(a.data[36..44].try_into().expect("8 bytes")))
}

#[cfg(feature = "bank")]
mod bank_impl {
    use super::*;
    use crate::bank::{Bank, TxFailure};

    impl From<TxFailure> for ChainError {
        fn from(f: TxFailure) -> Self {
            ChainError::Failed { code: f.custom_code(), message: format!("{:?}", f.error), logs: f.logs }
        }
    }

    impl Chain for Bank {
        fn payer(&self) -> Pubkey {
            self.payer_key()
        }

        async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Landed, ChainError> {
            let out = Bank::send(self, ixs, signers).await?;
            Ok(Landed { signature: None, logs: out.logs, return_data: out.return_data })
        }

        async fn simulate(&mut self, ixs: &[Instruction]) -> Result<Landed, ChainError> {
            let out = Bank::simulate(self, ixs).await?;
            Ok(Landed { signature: None, logs: out.logs, return_data: out.return_data })
        }

        async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
            Ok(Bank::account(self, key).await)
        }

        async fn unix_time(&mut self) -> Result<i64, ChainError> {
            Ok(self.now().await)
        }
    }
}

#[cfg(feature = "rpc")]
pub mod rpc {
    //! JSON-RPC implementation (Solana CLI conventions: `--url`, `--keypair`).

    use super::*;
    use solana_commitment_config::CommitmentConfig;
    use solana_rpc_client::nonblocking::rpc_client::RpcClient;
    use solana_signer::Signer;
    use solana_transaction::Transaction;

    pub struct RpcChain {
        pub client: RpcClient,
        pub payer: Keypair,
        /// Priority fee in micro-lamports per compute unit (`--with-compute-unit-price`).
        pub compute_unit_price: Option<u64>,
        /// Makes every transaction distinct (see [`RpcChain::sign`]).
        nonce: u32,
    }

    impl RpcChain {
        pub fn new(url: &str, payer: Keypair) -> Self {
            RpcChain { client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()), payer, compute_unit_price: None, nonce: 0 }
        }

        /// Over another transport (e.g. [`crate::rpc_bank::BankRpcSender`] in tests).
        pub fn with_sender(sender: impl solana_rpc_client::rpc_sender::RpcSender + Send + Sync + 'static, payer: Keypair) -> Self {
            let config = solana_rpc_client::rpc_client::RpcClientConfig::with_commitment(CommitmentConfig::confirmed());
            RpcChain { client: RpcClient::new_sender(sender, config), payer, compute_unit_price: None, nonce: 0 }
        }

        /// The log messages of a confirmed transaction (the events the commands report are in
        /// them). Empty if the node no longer has it or returns none.
        async fn logs_of(&self, sig: &solana_signature::Signature) -> Vec<String> {
            use solana_rpc_client::api::config::{RpcTransactionConfig, UiTransactionEncoding};
            let config = RpcTransactionConfig {
                encoding: Some(UiTransactionEncoding::Base64),
                commitment: Some(CommitmentConfig::confirmed()),
                max_supported_transaction_version: Some(0),
            };
            // A node may take a moment to serve a transaction it has just confirmed.
            for attempt in 0..5u64 {
                if let Ok(tx) = self.client.get_transaction_with_config(sig, config).await {
                    return tx.transaction.meta.and_then(|m| Option::<Vec<String>>::from(m.log_messages)).unwrap_or_default();
                }
                tokio::time::sleep(std::time::Duration::from_millis(200 * (attempt + 1))).await;
            }
            vec![]
        }

        /// Every transaction starts with its compute budget: nearly the maximum for a simulation
        /// (`used` = None), then what the simulation used plus a margin, and the priority fee if
        /// set. The limit differs from the previous transaction's ([`crate::budget::limit_with_jitter`]):
        /// two identical instructions sent within one blockhash's lifetime (a keeper retry, a
        /// second rebalance) would otherwise be byte-identical transactions, and the cluster drops
        /// the second as already processed.
        fn sign(&mut self, ixs: &[Instruction], signers: &[&Keypair], blockhash: solana_hash::Hash, used: Option<u64>) -> Transaction {
            self.nonce = self.nonce.wrapping_add(1);
            let limit = crate::budget::limit_with_jitter(used, self.nonce);
            let mut all = crate::budget::budget_ixs(limit, self.compute_unit_price);
            all.extend_from_slice(ixs);
            let ixs = &all[..];
            let mut keys: Vec<&Keypair> = vec![&self.payer];
            for s in signers {
                if !keys.iter().any(|k| k.pubkey() == s.pubkey()) {
                    keys.push(s);
                }
            }
            Transaction::new_signed_with_payer(ixs, Some(&self.payer.pubkey()), &keys, blockhash)
        }

        /// Simulate `tx`: its units, or the failure with the program's logs.
        async fn simulate_tx(&self, tx: &Transaction) -> Result<(u64, Vec<String>, Option<Vec<u8>>), ChainError> {
            let res = self.client.simulate_transaction(tx).await.map_err(failed)?.value;
            let logs = res.logs.unwrap_or_default();
            if let Some(err) = res.err {
                let err: solana_transaction_error::TransactionError = err.into();
                let code = match &err {
                    solana_transaction_error::TransactionError::InstructionError(_, solana_instruction::error::InstructionError::Custom(c)) => Some(*c),
                    _ => None,
                };
                return Err(ChainError::Failed { code, message: format!("{err:?}"), logs });
            }
            let return_data = res.return_data.and_then(|r| {
                use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine as _};
                STANDARD.decode(r.data.0).ok()
            });
            Ok((res.units_consumed.unwrap_or(crate::budget::MAX_COMPUTE_UNITS as u64), logs, return_data))
        }
    }

    fn transport(e: impl std::fmt::Display) -> ChainError {
        ChainError::Transport(e.to_string())
    }

    fn failed(e: solana_rpc_client::api::client_error::Error) -> ChainError {
        use solana_rpc_client::api::client_error::ErrorKind;
        use solana_transaction_error::TransactionError;
        let code = match e.get_transaction_error() {
            Some(TransactionError::InstructionError(_, solana_instruction::error::InstructionError::Custom(c))) => Some(c),
            _ => None,
        };
        // A refused transaction's logs come with the node's preflight simulation.
        let logs = match e.kind() {
            ErrorKind::RpcError(solana_rpc_client::api::request::RpcError::RpcResponseError {
                data: solana_rpc_client::api::request::RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                ..
            }) => sim.logs.clone().unwrap_or_default(),
            _ => vec![],
        };
        match e.kind() {
            ErrorKind::Io(_) | ErrorKind::Reqwest(_) => transport(e),
            _ => ChainError::Failed { code, message: e.to_string(), logs },
        }
    }

    impl Chain for RpcChain {
        fn payer(&self) -> Pubkey {
            self.payer.pubkey()
        }

        /// Simulate (a failure comes back with the program's logs and costs nothing), then send
        /// with the compute-unit limit sized from the simulation.
        async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Landed, ChainError> {
            let blockhash = self.client.get_latest_blockhash().await.map_err(transport)?;
            let probe = self.sign(ixs, signers, blockhash, None);
            let (used, _, _) = self.simulate_tx(&probe).await?;
            let tx = self.sign(ixs, signers, blockhash, Some(used));
            let (bytes, _) = crate::budget::message_size(&tx.message);
            if bytes > crate::budget::PACKET_BYTES {
                return Err(ChainError::Transport(format!("transaction too large: {bytes} bytes, over the {}-byte packet limit", crate::budget::PACKET_BYTES)));
            }
            let sig = self.client.send_and_confirm_transaction(&tx).await.map_err(failed)?;
            let logs = self.logs_of(&sig).await;
            Ok(Landed { signature: Some(sig.to_string()), logs, return_data: None })
        }

        async fn simulate(&mut self, ixs: &[Instruction]) -> Result<Landed, ChainError> {
            let blockhash = self.client.get_latest_blockhash().await.map_err(transport)?;
            let tx = self.sign(ixs, &[], blockhash, None);
            let (_, logs, return_data) = self.simulate_tx(&tx).await?;
            Ok(Landed { signature: None, logs, return_data })
        }

        async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
            let res = self.client.get_account_with_commitment(key, CommitmentConfig::confirmed()).await.map_err(transport)?;
            Ok(res.value)
        }

        async fn unix_time(&mut self) -> Result<i64, ChainError> {
            let slot = self.client.get_slot().await.map_err(transport)?;
            self.client.get_block_time(slot).await.map_err(transport)
        }
    }
}
