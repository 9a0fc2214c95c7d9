//! The in-process Solana runtime ("local validator" here): `solana-program-test` with our three
//! programs registered natively (their Anchor `entry` wrapped for `processor!`) and the real SPL
//! Token / Token-2022 programs it ships as BPF. With `SBF_OUT_DIR` set, our programs run as SBF
//! bytecode instead, loaded from `$SBF_OUT_DIR/<name>.so` (built by `sbf/build.sh`).
//!
//! solana-program-test 3.x marks its whole API "unstable" by deprecation; acknowledged once here.
#![allow(deprecated)]

use anchor_lang::{prelude::Pubkey, AccountDeserialize};
use anchor_spl::token_2022::spl_token_2022;
use solana_account::{Account, AccountSharedData};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::oracle::{price_update_data, PriceObservation, PYTH_RECEIVER_ID};

type ProgramResult = Result<(), anchor_lang::prelude::ProgramError>;

// `processor!` wants a plain `fn(&Pubkey, &[AccountInfo], &[u8])`; Anchor's `entry` ties all three
// to one `'info`. The runtime keeps the accounts alive for the whole call, so shortening the
// account slice's lifetime to the call's is sound.
macro_rules! native_entry {
    ($name:ident, $program:ident) => {
        fn $name<'a, 'b, 'c, 'info>(program_id: &'a Pubkey, accounts: &'b [anchor_lang::prelude::AccountInfo<'info>], data: &'c [u8]) -> ProgramResult {
            // SAFETY: all three borrows live for the whole call; only their names differ.
            let (accounts, data) = unsafe {
                (
                    core::mem::transmute::<&'b [anchor_lang::prelude::AccountInfo<'info>], &'a [anchor_lang::prelude::AccountInfo<'a>]>(accounts),
                    core::mem::transmute::<&'c [u8], &'a [u8]>(data),
                )
            };
            $program::entry(program_id, accounts, data)
        }
    };
}
native_entry!(amm_entry, amm);
native_entry!(lending_pool_entry, lending_pool);
native_entry!(leveraged_token_entry, leveraged_token);

/// A `ProgramTest` with the three programs: registered natively, or, when `SBF_OUT_DIR` is set,
/// loaded from `$SBF_OUT_DIR/{amm,lending_pool,leveraged_token}.so` and run by the SBF VM
/// (program-test panics if a file is missing). Program-test deploys those with the non-upgradeable
/// loader, so in both modes no ProgramData exists until [`Bank::start_with`] writes one.
pub fn program_test() -> ProgramTest {
    if !sbf_mode() {
        return program_test_native();
    }
    quiet_runtime_logs();
    let mut pt = ProgramTest::default();
    pt.prefer_bpf(true);
    pt.add_program("amm", amm::ID, None);
    pt.add_program("lending_pool", lending_pool::ID, None);
    pt.add_program("leveraged_token", leveraged_token::ID, None);
    pt
}

/// The three programs registered natively, whatever `SBF_OUT_DIR` says.
pub fn program_test_native() -> ProgramTest {
    quiet_runtime_logs();
    let mut pt = ProgramTest::default();
    pt.prefer_bpf(false);
    pt.add_program("amm", amm::ID, processor!(amm_entry));
    pt.add_program("lending_pool", lending_pool::ID, processor!(lending_pool_entry));
    pt.add_program("leveraged_token", leveraged_token::ID, processor!(leveraged_token_entry));
    pt
}

/// The (non-upgradeable) BPF loader program-test deploys SBF programs with.
const BPF_LOADER_ID: Pubkey = Pubkey::from_str_const("BPFLoader2111111111111111111111111111111111");

/// The file names of the three programs' SBF builds.
pub const SBF_FILES: [&str; 3] = ["amm.so", "lending_pool.so", "leveraged_token.so"];

/// The three programs' SBF builds from `dir` (`amm.so`, `lending_pool.so`, `leveraged_token.so`),
/// deployed as program-test deploys them (BPF loader, executable), whatever `SBF_OUT_DIR` says.
pub fn program_test_sbf_in(dir: &std::path::Path) -> std::io::Result<ProgramTest> {
    quiet_runtime_logs();
    let mut pt = ProgramTest::default();
    for (file, id) in SBF_FILES.iter().zip([amm::ID, lending_pool::ID, leveraged_token::ID]) {
        let data = std::fs::read(dir.join(file)).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.join(file).display())))?;
        let lamports = anchor_lang::prelude::Rent::default().minimum_balance(data.len()).max(1);
        pt.add_account(id, Account { lamports, data, owner: BPF_LOADER_ID, executable: true, rent_epoch: 0 });
    }
    Ok(pt)
}

/// Whether [`program_test`] loads the programs' SBF builds (`SBF_OUT_DIR` is set).
pub fn sbf_mode() -> bool {
    std::env::var_os("SBF_OUT_DIR").is_some()
}

/// A ProgramData account with `upgrade_authority`. From `existing` when that is a ProgramData of
/// the upgradeable loader (a program deployed upgradeable): its slot, lamports and ELF bytes are
/// kept and only the authority changes. Otherwise a bare header at slot 0 (no ELF behind it).
fn program_data_account(existing: Option<Account>, upgrade_authority: Option<Pubkey>) -> Account {
    use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
    let header_len = UpgradeableLoaderState::size_of_programdata_metadata();
    if let Some(mut acc) = existing.filter(|a| a.owner == bpf_loader_upgradeable::ID && a.data.len() >= header_len) {
        if let Ok(UpgradeableLoaderState::ProgramData { slot, .. }) = bincode::deserialize(&acc.data[..header_len]) {
            let state = UpgradeableLoaderState::ProgramData { slot, upgrade_authority_address: upgrade_authority };
            let header = bincode::serialize(&state).expect("ProgramData serialises");
            acc.data[..header.len()].copy_from_slice(&header);
            acc.data[header.len()..header_len].fill(0);
            return acc;
        }
    }
    let state = UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: upgrade_authority };
    let data = bincode::serialize(&state).expect("ProgramData serialises");
    let lamports = anchor_lang::prelude::Rent::default().minimum_balance(data.len());
    Account { lamports, data, owner: bpf_loader_upgradeable::ID, executable: false, rent_epoch: 0 }
}

/// The runtime logs every instruction at debug level unless `RUST_LOG` says otherwise; default it
/// to errors only (set `RUST_LOG` to see the runtime's logs).
fn quiet_runtime_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            // SAFETY: done once, before the runtime starts its threads; std serialises env access.
            unsafe { std::env::set_var("RUST_LOG", "error") };
        }
    });
}

/// `ixs` behind a compute-unit-limit instruction asking for the transaction maximum (1.4M): what
/// simulations run with, before [`Bank::send`] sizes the limit from what they used.
fn with_max_compute(ixs: &[Instruction]) -> Vec<Instruction> {
    let mut all = crate::budget::budget_ixs(crate::budget::MAX_COMPUTE_UNITS, None);
    all.extend_from_slice(ixs);
    all
}

/// A transaction's logs and compute units.
#[derive(Clone, Debug, Default)]
pub struct TxOutcome {
    pub logs: Vec<String>,
    pub compute_units: u64,
    /// The compute-unit limit the transaction was sent with (0 for simulations).
    pub cu_limit: u32,
    /// Wire size in bytes and account keys of the transaction as sent (0 for simulations).
    pub tx_bytes: usize,
    pub tx_accounts: usize,
    /// Return data of the last instruction that set it (Anchor return values).
    pub return_data: Option<Vec<u8>>,
}

/// A transaction the bank ran, kept while [`Bank::journal`] is on (for `levtoken bench-cu`).
#[derive(Clone, Debug)]
pub struct Journaled {
    pub outcome: TxOutcome,
    /// A simulation (nothing committed), e.g. the `nav` view.
    pub simulated: bool,
}

/// A failed transaction: the runtime error and the logs up to the failure.
#[derive(Clone, Debug)]
pub struct TxFailure {
    pub error: TransactionError,
    pub logs: Vec<String>,
}

impl TxFailure {
    /// The custom program error code, if the failure was one.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.error {
            TransactionError::InstructionError(_, solana_instruction::error::InstructionError::Custom(c)) => Some(*c),
            _ => None,
        }
    }
}

impl std::fmt::Display for TxFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}\n{}", self.error, self.logs.join("\n"))
    }
}

impl std::error::Error for TxFailure {}

/// The running bank and its funded payer.
pub struct Bank {
    pub ctx: ProgramTestContext,
    nonce: u32,
    /// Priority fee in micro-lamports per compute unit (`--with-compute-unit-price`).
    pub compute_unit_price: Option<u64>,
    /// When `Some`, every successful transaction and simulation is appended here.
    pub journal: Option<Vec<Journaled>>,
    /// Size each transaction's compute-unit limit from a simulation first, as wallets do (the
    /// default). The backtest turns it off: it sends tens of thousands of transactions and has no
    /// use for the limit, so it asks for nearly the maximum instead and runs each once.
    pub simulate_first: bool,
}

impl Bank {
    /// Start a fresh bank.
    pub async fn start() -> Self {
        Self::start_with(program_test()).await
    }

    /// Start `pt`. Neither native registration nor program-test's SBF loading (non-upgradeable
    /// loader) writes a ProgramData account: write one for the AMM and the lending pool with the
    /// payer as upgrade authority, as a deployment would have (only the deployer may create their
    /// pools). Should `pt` have deployed them upgradeable, only the authority is changed.
    pub async fn start_with(pt: ProgramTest) -> Self {
        let mut bank = Bank { ctx: pt.start_with_context().await, nonce: 0, compute_unit_price: None, journal: None, simulate_first: true };
        let payer = bank.payer_key();
        for program in [amm::ID, lending_pool::ID] {
            let address = crate::program_data_address(&program);
            let existing = bank.account(&address).await;
            bank.set_account(&address, program_data_account(existing, Some(payer)));
        }
        bank
    }

    /// Write `program`'s ProgramData account (at [`crate::program_data_address`], owned by the
    /// upgradeable loader) with `upgrade_authority`; `None` is an immutable program. Writes a bare
    /// header (no ELF): right for the programs as [`program_test`] loads them, natively or SBF.
    pub fn set_program_data(&mut self, program: &Pubkey, upgrade_authority: Option<Pubkey>) {
        self.set_account(&crate::program_data_address(program), program_data_account(None, upgrade_authority));
    }

    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    pub fn payer_key(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    /// Sign with the payer and `signers`, send, and return logs, or the failure.
    ///
    /// As a wallet would: the transaction is simulated with the maximum compute-unit limit first,
    /// then sent asking for what that used plus a margin ([`crate::budget::limit_from_simulation`]),
    /// with the priority fee if one is set. A transaction that fails in simulation is still sent
    /// (with the maximum) so it lands as a failure, fee and all. The limit also differs by a few
    /// units from one transaction to the next, so two identical transactions in the same slot are
    /// never deduplicated by the runtime.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<TxOutcome, TxFailure> {
        let payer = self.ctx.payer.insecure_clone();
        self.send_as(ixs, &payer, signers).await
    }

    /// Send with another fee payer (the bank's payer does not sign): for missing-signer tests.
    pub async fn send_paid_by(&mut self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> Result<TxOutcome, TxFailure> {
        self.send_as(ixs, payer, signers).await
    }

    async fn send_as(&mut self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair]) -> Result<TxOutcome, TxFailure> {
        use crate::budget::{budget_ixs, tx_size, MAX_COMPUTE_UNITS};
        self.nonce = self.nonce.wrapping_add(1);
        let mut keys: Vec<&Keypair> = vec![payer];
        for s in signers {
            if s.pubkey() != payer.pubkey() && !keys.iter().any(|k| k.pubkey() == s.pubkey()) {
                keys.push(s);
            }
        }
        // The runtime advances slots in the background; a long session outlives a blockhash.
        if self.nonce.is_multiple_of(256) {
            if let Ok(h) = self.ctx.banks_client.get_latest_blockhash().await {
                self.ctx.last_blockhash = h;
            }
        }
        let price = self.compute_unit_price;
        let build = |limit: u32| {
            let mut all = budget_ixs(limit, price);
            all.extend_from_slice(ixs);
            all
        };
        let used = if self.simulate_first {
            let sim = Transaction::new_signed_with_payer(&build(MAX_COMPUTE_UNITS), Some(&payer.pubkey()), &keys, self.ctx.last_blockhash);
            match self.ctx.banks_client.simulate_transaction(sim).await {
                Ok(r) if matches!(r.result, Some(Ok(()))) => r.simulation_details.map(|d| d.units_consumed),
                _ => None,
            }
        } else {
            None
        };
        let limit = crate::budget::limit_with_jitter(used, self.nonce);
        let all = build(limit);
        let (tx_bytes, tx_accounts) = tx_size(&all, &payer.pubkey());
        // Like solana-program-test, this bank runs transactions over the 1,232-byte packet limit (a
        // cluster would refuse them); `tx_bytes` reports the size so tests and `bench-cu` check it.
        let tx = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, self.ctx.last_blockhash);
        match self.ctx.banks_client.process_transaction_with_metadata(tx).await {
            Ok(res) => {
                let (logs, compute_units, return_data) =
                    res.metadata.map(|m| (m.log_messages, m.compute_units_consumed, m.return_data.map(|r| r.data))).unwrap_or_default();
                match res.result {
                    Ok(()) => {
                        let outcome = TxOutcome { logs, compute_units, cu_limit: limit, tx_bytes, tx_accounts, return_data };
                        if let Some(j) = self.journal.as_mut() {
                            j.push(Journaled { outcome: outcome.clone(), simulated: false });
                        }
                        Ok(outcome)
                    }
                    Err(error) => Err(TxFailure { error, logs }),
                }
            }
            Err(BanksClientError::TransactionError(error)) => Err(TxFailure { error, logs: vec![] }),
            Err(BanksClientError::SimulationError { err, logs, .. }) => Err(TxFailure { error: err, logs }),
            Err(e) => panic!("bank transport error: {e}"),
        }
    }

    /// Simulate without committing (for read-only views such as `nav`).
    pub async fn simulate(&mut self, ixs: &[Instruction]) -> Result<TxOutcome, TxFailure> {
        self.simulate_signed(ixs, &[]).await
    }

    /// Simulate with extra signers, without committing.
    pub async fn simulate_signed(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<TxOutcome, TxFailure> {
        let payer = &self.ctx.payer;
        let mut keys: Vec<&Keypair> = vec![payer];
        keys.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
        let ixs = with_max_compute(ixs);
        let tx = Transaction::new_signed_with_payer(&ixs, Some(&payer.pubkey()), &keys, self.ctx.last_blockhash);
        let res = self
            .ctx
            .banks_client
            .simulate_transaction(tx)
            .await
            .map_err(|e| TxFailure { error: TransactionError::AccountNotFound, logs: vec![format!("simulation transport error: {e}")] })?;
        let (logs, compute_units, return_data) = res.simulation_details.map(|d| (d.logs, d.units_consumed, d.return_data.map(|r| r.data))).unwrap_or_default();
        match res.result {
            Some(Ok(())) => {
                let outcome = TxOutcome { logs, compute_units, return_data, ..Default::default() };
                if let Some(j) = self.journal.as_mut() {
                    j.push(Journaled { outcome: outcome.clone(), simulated: true });
                }
                Ok(outcome)
            }
            Some(Err(error)) => Err(TxFailure { error, logs }),
            None => Err(TxFailure { error: TransactionError::BlockhashNotFound, logs }),
        }
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.expect("bank get_account")
    }

    /// Deserialize an Anchor account; panics if absent or of another type.
    pub async fn anchor_account<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let acc = self.account(key).await.unwrap_or_else(|| panic!("account {key} missing"));
        T::try_deserialize(&mut acc.data.as_slice()).unwrap_or_else(|e| panic!("account {key}: {e}"))
    }

    /// Token amount of an SPL Token or Token-2022 account (0 if the account does not exist).
    pub async fn token_balance(&mut self, key: &Pubkey) -> u64 {
        match self.account(key).await {
            Some(a) if a.data.len() >= 72 => u64::from_le_bytes(a.data[64..72].try_into().unwrap()),
            _ => 0,
        }
    }

    /// Supply of an SPL Token or Token-2022 mint.
    pub async fn mint_supply(&mut self, mint: &Pubkey) -> u64 {
        let a = self.account(mint).await.expect("mint exists");
        u64::from_le_bytes(a.data[36..44].try_into().unwrap())
    }

    /// Write raw account state (oracle accounts, attack fixtures).
    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.ctx.set_account(key, &AccountSharedData::from(account));
    }

    /// Write a Pyth `PriceUpdateV2` account owned by the Pyth receiver program.
    pub fn set_price(&mut self, key: &Pubkey, obs: &PriceObservation) {
        let data = price_update_data(obs, 1);
        self.set_account(key, Account { lamports: 10_000_000, data, owner: PYTH_RECEIVER_ID, executable: false, rent_epoch: 0 });
    }

    /// Current cluster time.
    pub async fn now(&mut self) -> i64 {
        self.clock().await.unix_timestamp
    }

    pub async fn clock(&mut self) -> solana_clock::Clock {
        self.ctx.banks_client.get_sysvar::<solana_clock::Clock>().await.expect("clock")
    }

    /// Move the cluster clock forward by `secs` (interest, fees, staleness).
    pub async fn warp_seconds(&mut self, secs: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp += secs;
        self.ctx.set_sysvar(&clock);
    }

    /// Set the cluster clock to `unix_timestamp`.
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    /// A new keypair holding `lamports` SOL base units.
    pub async fn funded_keypair(&mut self, lamports: u64) -> Keypair {
        let kp = Keypair::new();
        let ix = solana_system_interface::instruction::transfer(&self.payer_key(), &kp.pubkey(), lamports);
        self.send(&[ix], &[]).await.expect("fund keypair");
        kp
    }

    /// A new mint under `token_program` whose mint authority is the payer.
    pub async fn create_mint(&mut self, token_program: &Pubkey, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await.unwrap();
        let space = 82;
        let payer = self.payer_key();
        let ixs = [
            solana_system_interface::instruction::create_account(&payer, &mint.pubkey(), rent.minimum_balance(space), space as u64, token_program),
            spl_token_2022::instruction::initialize_mint2(token_program, &mint.pubkey(), &payer, None, decimals).unwrap(),
        ];
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// A new token account for `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey, token_program: &Pubkey) -> Pubkey {
        let acct = Keypair::new();
        let rent = self.ctx.banks_client.get_rent().await.unwrap();
        let space = 165;
        let payer = self.payer_key();
        let ixs = [
            solana_system_interface::instruction::create_account(&payer, &acct.pubkey(), rent.minimum_balance(space), space as u64, token_program),
            spl_token_2022::instruction::initialize_account3(token_program, &acct.pubkey(), mint, owner).unwrap(),
        ];
        self.send(&ixs, &[&acct]).await.expect("create token account");
        acct.pubkey()
    }

    /// Mint `amount` of a payer-controlled mint to `dest`.
    pub async fn mint_to(&mut self, mint: &Pubkey, dest: &Pubkey, amount: u64, token_program: &Pubkey) {
        let payer = self.payer_key();
        let ix = spl_token_2022::instruction::mint_to(token_program, mint, dest, &payer, &[], amount).unwrap();
        self.send(&[ix], &[]).await.expect("mint_to");
    }

    /// Snapshot of the given accounts (for "a failed instruction changed nothing" checks).
    pub async fn snapshot(&mut self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.account(k).await);
        }
        out
    }
}
