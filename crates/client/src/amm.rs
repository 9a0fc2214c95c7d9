//! The constant-product pool: addresses and instructions.

use amm::{accounts, instruction, AUTHORITY_SEED, LP_MINT_SEED, POOL_SEED, VAULT_SEED};
use anchor_lang::prelude::Pubkey;
use solana_instruction::Instruction;

use crate::anchor_ix;

/// `pool`'s reserves as (the side of `mint`, the other side).
pub fn reserves_of(pool: &amm::Pool, mint: &Pubkey) -> (u64, u64) {
    if pool.mint_a == *mint {
        (pool.reserve_a, pool.reserve_b)
    } else {
        (pool.reserve_b, pool.reserve_a)
    }
}

/// Every address of one AMM pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmmPool {
    pub pool: Pubkey,
    pub authority: Pubkey,
    pub mint_a: Pubkey,
    pub mint_b: Pubkey,
    pub vault_a: Pubkey,
    pub vault_b: Pubkey,
    pub lp_mint: Pubkey,
    pub token_program_a: Pubkey,
    pub token_program_b: Pubkey,
    pub lp_token_program: Pubkey,
}

impl AmmPool {
    /// The one pool of a pair. The program takes the mints in byte order (`mint_a < mint_b`);
    /// the two mints (with their token programs) may be given in either order and are sorted
    /// here, so side A is not necessarily the first mint given: use [`AmmPool::is_a`].
    pub fn derive(mint_x: Pubkey, token_program_x: Pubkey, mint_y: Pubkey, token_program_y: Pubkey, lp_token_program: Pubkey) -> Self {
        let ((mint_a, token_program_a), (mint_b, token_program_b)) =
            if mint_y < mint_x { ((mint_y, token_program_y), (mint_x, token_program_x)) } else { ((mint_x, token_program_x), (mint_y, token_program_y)) };
        Self::derive_unordered(mint_a, token_program_a, mint_b, token_program_b, lp_token_program)
    }

    /// The addresses for `mint_a`/`mint_b` exactly as given, even out of canonical order (which
    /// the program refuses to initialise: for tests of that refusal).
    pub fn derive_unordered(mint_a: Pubkey, token_program_a: Pubkey, mint_b: Pubkey, token_program_b: Pubkey, lp_token_program: Pubkey) -> Self {
        let pid = amm::ID;
        let (pool, _) = Pubkey::find_program_address(&[POOL_SEED, mint_a.as_ref(), mint_b.as_ref()], &pid);
        let (authority, _) = Pubkey::find_program_address(&[AUTHORITY_SEED, pool.as_ref()], &pid);
        let (vault_a, _) = Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref(), mint_a.as_ref()], &pid);
        let (vault_b, _) = Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref(), mint_b.as_ref()], &pid);
        let (lp_mint, _) = Pubkey::find_program_address(&[LP_MINT_SEED, pool.as_ref()], &pid);
        AmmPool { pool, authority, mint_a, mint_b, vault_a, vault_b, lp_mint, token_program_a, token_program_b, lp_token_program }
    }

    /// Create the pool; `payer` must be the AMM's upgrade authority (the deployer).
    pub fn initialize(&self, payer: Pubkey, fee_bps: u16) -> Instruction {
        anchor_ix(
            amm::ID,
            accounts::InitializePool {
                payer,
                program_data: crate::program_data_address(&amm::ID),
                pool: self.pool,
                authority: self.authority,
                mint_a: self.mint_a,
                mint_b: self.mint_b,
                vault_a: self.vault_a,
                vault_b: self.vault_b,
                lp_mint: self.lp_mint,
                token_program_a: self.token_program_a,
                token_program_b: self.token_program_b,
                lp_token_program: self.lp_token_program,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitializePool { fee_bps },
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_liquidity(&self, owner: Pubkey, owner_a: Pubkey, owner_b: Pubkey, owner_lp: Pubkey, max_a: u64, max_b: u64, min_lp: u64) -> Instruction {
        anchor_ix(
            amm::ID,
            accounts::AddLiquidity {
                owner,
                pool: self.pool,
                authority: self.authority,
                mint_a: self.mint_a,
                mint_b: self.mint_b,
                vault_a: self.vault_a,
                vault_b: self.vault_b,
                lp_mint: self.lp_mint,
                owner_a,
                owner_b,
                owner_lp,
                token_program_a: self.token_program_a,
                token_program_b: self.token_program_b,
                lp_token_program: self.lp_token_program,
            },
            instruction::AddLiquidity { max_a, max_b, min_lp },
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn remove_liquidity(&self, owner: Pubkey, owner_a: Pubkey, owner_b: Pubkey, owner_lp: Pubkey, lp_amount: u64, min_a: u64, min_b: u64) -> Instruction {
        anchor_ix(
            amm::ID,
            accounts::RemoveLiquidity {
                owner,
                pool: self.pool,
                authority: self.authority,
                mint_a: self.mint_a,
                mint_b: self.mint_b,
                vault_a: self.vault_a,
                vault_b: self.vault_b,
                lp_mint: self.lp_mint,
                owner_a,
                owner_b,
                owner_lp,
                token_program_a: self.token_program_a,
                token_program_b: self.token_program_b,
                lp_token_program: self.lp_token_program,
            },
            instruction::RemoveLiquidity { lp_amount, min_a, min_b },
        )
    }

    /// The swap's account list (also what the leveraged-token vault passes through).
    pub fn swap_accounts(&self, user: Pubkey, source: Pubkey, destination: Pubkey, a_to_b: bool) -> accounts::Swap {
        let (input_vault, output_vault, input_mint, output_mint, input_tp, output_tp) = if a_to_b {
            (self.vault_a, self.vault_b, self.mint_a, self.mint_b, self.token_program_a, self.token_program_b)
        } else {
            (self.vault_b, self.vault_a, self.mint_b, self.mint_a, self.token_program_b, self.token_program_a)
        };
        accounts::Swap {
            user,
            pool: self.pool,
            authority: self.authority,
            user_source: source,
            user_destination: destination,
            input_vault,
            output_vault,
            input_mint,
            output_mint,
            input_token_program: input_tp,
            output_token_program: output_tp,
        }
    }

    pub fn swap(&self, user: Pubkey, source: Pubkey, destination: Pubkey, a_to_b: bool, amount_in: u64, min_out: u64) -> Instruction {
        anchor_ix(amm::ID, self.swap_accounts(user, source, destination, a_to_b), instruction::Swap { amount_in, min_out })
    }

    /// True when `mint` is this pool's side A (so `a_to_b` is true when `mint` goes in).
    pub fn is_a(&self, mint: &Pubkey) -> bool {
        *mint == self.mint_a
    }

    /// The pool's vault of `mint` (side B's vault for any mint that is not side A).
    pub fn vault_of(&self, mint: &Pubkey) -> Pubkey {
        if self.is_a(mint) {
            self.vault_a
        } else {
            self.vault_b
        }
    }

    /// `(x, y)` in the pool's (A, B) order, where `x` belongs to `mint`: the argument order
    /// `add_liquidity` and `remove_liquidity` take.
    pub fn in_ab_order<T>(&self, mint: &Pubkey, x: T, y: T) -> (T, T) {
        if self.is_a(mint) {
            (x, y)
        } else {
            (y, x)
        }
    }
}
