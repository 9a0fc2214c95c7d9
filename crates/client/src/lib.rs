//! Client side of the leveraged-token programs, shared by the CLI, the keeper, the backtest, the
//! migrations script and the tests: PDA derivations, instruction builders, event decoding and (with
//! the `bank` feature) the in-process Solana runtime with all three programs registered.

pub mod amm;
#[cfg(feature = "bank")]
pub mod bank;
pub mod budget;
pub mod chain;
pub mod deploy;
pub mod events;
pub mod lending;
pub mod market;
pub mod oracle;
pub mod prefund;
pub mod rng;
#[cfg(feature = "rpc-bank")]
pub mod rpc_bank;
pub mod state;
pub mod user;

pub use anchor_lang::prelude::Pubkey;
use solana_instruction::Instruction;

/// USDC base units per dollar.
pub const USDC_DECIMALS: u8 = 6;
/// Wrapped ETH decimals used by the tests, the demo and the backtest.
pub const ETH_DECIMALS: u8 = 8;

pub const SPL_TOKEN_ID: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022_ID: Pubkey = anchor_spl::token_2022::ID;

/// `SetComputeUnitLimit` (solana-compute-budget-interface).
pub fn compute_unit_limit_ix(units: u32) -> Instruction {
    solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(units)
}

/// The ProgramData account of an upgradeable program: its upgrade authority is the deployer, who
/// alone may create lending and AMM pools.
pub fn program_data_address(program_id: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[program_id.as_ref()], &anchor_lang::solana_program::bpf_loader_upgradeable::ID).0
}

/// Build an Anchor instruction from its accounts struct and its data struct.
pub fn anchor_ix(program_id: Pubkey, accounts: impl anchor_lang::ToAccountMetas, data: impl anchor_lang::InstructionData) -> Instruction {
    Instruction { program_id, accounts: accounts.to_account_metas(None), data: data.data() }
}
