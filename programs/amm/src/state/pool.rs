use anchor_lang::prelude::*;

pub const POOL_SEED: &[u8] = b"pool";
pub const AUTHORITY_SEED: &[u8] = b"authority";
pub const VAULT_SEED: &[u8] = b"vault";
pub const LP_MINT_SEED: &[u8] = b"lp_mint";
pub const MAX_FEE_BPS: u16 = 1_000;
pub const LP_DECIMALS: u8 = 6;

/// A constant-product pool. `mint_a < mint_b` (byte order, enforced by `initialize_pool`) so each
/// pair has one pool.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    pub mint_a: Pubkey,
    pub mint_b: Pubkey,
    pub vault_a: Pubkey,
    pub vault_b: Pubkey,
    pub lp_mint: Pubkey,
    /// Reserves as accounted by the pool (token balances may exceed them by donations).
    pub reserve_a: u64,
    pub reserve_b: u64,
    /// LP supply including the locked minimum liquidity.
    pub lp_supply: u64,
    pub fee_bps: u16,
    pub bump: u8,
    pub authority_bump: u8,
}

impl Pool {
    pub fn authority_seeds<'a>(pool: &'a Pubkey, bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
        [AUTHORITY_SEED, pool.as_ref(), bump]
    }
}
