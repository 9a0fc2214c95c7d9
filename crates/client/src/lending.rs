//! The lending pool: addresses and instructions.

use anchor_lang::prelude::Pubkey;
use lending_pool::{accounts, instruction, PoolConfig, BORROWER_SEED, LIQUIDITY_SEED, POOL_SEED, SHARE_MINT_SEED};
use solana_instruction::Instruction;

use crate::anchor_ix;

/// Every address of one lending pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LendingPoolKeys {
    pub pool: Pubkey,
    pub mint: Pubkey,
    pub liquidity_vault: Pubkey,
    pub share_mint: Pubkey,
    pub token_program: Pubkey,
}

impl LendingPoolKeys {
    pub fn derive(mint: Pubkey, token_program: Pubkey) -> Self {
        let pid = lending_pool::ID;
        let (pool, _) = Pubkey::find_program_address(&[POOL_SEED, mint.as_ref()], &pid);
        let (liquidity_vault, _) = Pubkey::find_program_address(&[LIQUIDITY_SEED, pool.as_ref()], &pid);
        let (share_mint, _) = Pubkey::find_program_address(&[SHARE_MINT_SEED, pool.as_ref()], &pid);
        LendingPoolKeys { pool, mint, liquidity_vault, share_mint, token_program }
    }

    /// The credit-line record of `authority`.
    pub fn borrower(&self, authority: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(&[BORROWER_SEED, self.pool.as_ref(), authority.as_ref()], &lending_pool::ID).0
    }

    /// Create the pool; `admin` must be the lending program's upgrade authority (the deployer).
    /// Only leveraged-token markets may borrow from it, and admin changes wait `timelock_secs`.
    pub fn init_pool(&self, admin: Pubkey, config: PoolConfig, timelock_secs: i64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::InitPool {
                admin,
                program_data: crate::program_data_address(&lending_pool::ID),
                pool: self.pool,
                mint: self.mint,
                liquidity_vault: self.liquidity_vault,
                share_mint: self.share_mint,
                token_program: self.token_program,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitPool { config, borrower_program: leveraged_token::ID, timelock_secs },
        )
    }

    pub fn deposit(&self, lender: Pubkey, lender_token: Pubkey, lender_shares: Pubkey, amount: u64, min_shares: u64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::Deposit {
                lender,
                pool: self.pool,
                mint: self.mint,
                share_mint: self.share_mint,
                liquidity_vault: self.liquidity_vault,
                lender_token,
                lender_shares,
                token_program: self.token_program,
            },
            instruction::Deposit { amount, min_shares },
        )
    }

    pub fn withdraw(&self, lender: Pubkey, lender_token: Pubkey, lender_shares: Pubkey, shares: u64, min_amount: u64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::Withdraw {
                lender,
                pool: self.pool,
                mint: self.mint,
                share_mint: self.share_mint,
                liquidity_vault: self.liquidity_vault,
                lender_token,
                lender_shares,
                token_program: self.token_program,
            },
            instruction::Withdraw { shares, min_amount },
        )
    }

    pub fn register_borrower(&self, admin: Pubkey, authority: Pubkey, credit_limit: u64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::RegisterBorrower {
                admin,
                pool: self.pool,
                market: authority,
                borrower: self.borrower(&authority),
                system_program: anchor_lang::system_program::ID,
            },
            instruction::RegisterBorrower { authority, credit_limit },
        )
    }

    pub fn set_credit_limit(&self, admin: Pubkey, authority: Pubkey, credit_limit: u64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::SetCreditLimit { admin, pool: self.pool, borrower: self.borrower(&authority) },
            instruction::SetCreditLimit { credit_limit },
        )
    }

    pub fn queue_config(&self, admin: Pubkey, config: PoolConfig) -> Instruction {
        anchor_ix(lending_pool::ID, accounts::QueueConfig { admin, pool: self.pool }, instruction::QueueConfig { config })
    }

    pub fn execute_config(&self) -> Instruction {
        anchor_ix(lending_pool::ID, accounts::ExecuteConfig { pool: self.pool }, instruction::ExecuteConfig {})
    }

    pub fn cancel_config(&self, admin: Pubkey) -> Instruction {
        anchor_ix(lending_pool::ID, accounts::CancelConfig { admin, pool: self.pool }, instruction::CancelConfig {})
    }

    pub fn borrow(&self, authority: Pubkey, destination: Pubkey, amount: u64) -> Instruction {
        anchor_ix(lending_pool::ID, self.borrow_accounts(authority, destination), instruction::Borrow { amount })
    }

    pub fn borrow_accounts(&self, authority: Pubkey, destination: Pubkey) -> accounts::Borrow {
        accounts::Borrow {
            authority,
            pool: self.pool,
            borrower: self.borrower(&authority),
            mint: self.mint,
            liquidity_vault: self.liquidity_vault,
            destination,
            token_program: self.token_program,
        }
    }

    /// Repay `amount` of `borrower_authority`'s debt from `source` (owned by `payer`).
    pub fn repay(&self, payer: Pubkey, borrower_authority: Pubkey, source: Pubkey, amount: u64) -> Instruction {
        anchor_ix(
            lending_pool::ID,
            accounts::Repay {
                payer,
                pool: self.pool,
                borrower: self.borrower(&borrower_authority),
                mint: self.mint,
                liquidity_vault: self.liquidity_vault,
                source,
                token_program: self.token_program,
            },
            instruction::Repay { amount },
        )
    }

    pub fn accrue_interest(&self) -> Instruction {
        anchor_ix(lending_pool::ID, accounts::AccrueInterest { pool: self.pool }, instruction::AccrueInterest {})
    }
}
