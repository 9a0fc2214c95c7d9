use anchor_lang::prelude::*;
use lev_math::{Position, Price, Round};

use crate::{LevError, MarketParams};

pub const MARKET_SEED: &[u8] = b"market";
pub const LEV_MINT_SEED: &[u8] = b"lev_mint";
pub const COLLATERAL_VAULT_SEED: &[u8] = b"collateral";
pub const QUOTE_VAULT_SEED: &[u8] = b"quote";
/// Leveraged token decimals (same as USDC: 1 token = 1 USDC at launch).
pub const LEV_DECIMALS: u8 = 6;
/// How many swap venues may be allowlisted.
pub const MAX_SWAP_PROGRAMS: usize = 2;

/// One leveraged-token market. Seeds: `["market", market_id (u64 LE)]`. The market PDA is the
/// mint authority of the leveraged token, the owner of both vaults and the lending pool borrower.
#[account]
#[derive(InitSpace, Debug)]
pub struct Market {
    pub market_id: u64,
    pub admin: Pubkey,
    /// Set by `propose_admin`, becomes admin on `accept_admin`.
    pub pending_admin: Pubkey,
    /// May pause and unpause minting.
    pub guardian: Pubkey,

    pub collateral_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub lev_mint: Pubkey,
    pub collateral_vault: Pubkey,
    pub quote_vault: Pubkey,
    pub collateral_decimals: u8,
    pub quote_decimals: u8,
    pub collateral_token_program: Pubkey,
    pub quote_token_program: Pubkey,

    /// Fee destinations: USDC (mint/redeem fees) and leveraged tokens (streaming fee).
    pub treasury_quote: Pubkey,
    pub treasury_lev: Pubkey,

    pub lending_pool: Pubkey,
    pub lending_borrower: Pubkey,

    pub oracle: Pubkey,
    pub feed_id: [u8; 32],
    /// Allowlisted swap venues: program `swap_programs[i]` with pool `swap_pools[i]`.
    pub swap_programs: [Pubkey; MAX_SWAP_PROGRAMS],
    pub swap_pools: [Pubkey; MAX_SWAP_PROGRAMS],

    pub params: MarketParams,

    /// Collateral held, as accounted (a donation to the vault is ignored).
    pub collateral: u64,
    pub last_rebalance_ts: i64,
    pub last_fee_accrual_ts: i64,
    pub mint_paused: bool,
    pub bump: u8,
    pub lev_mint_bump: u8,
}

impl Market {
    pub fn signer_seeds<'a>(id_bytes: &'a [u8; 8], bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
        [MARKET_SEED, id_bytes, bump]
    }

    /// Whether `(program, pool)` is an allowlisted venue.
    pub fn swap_allowed(&self, program: &Pubkey, pool: &Pubkey) -> bool {
        *program != Pubkey::default() && self.swap_programs.iter().zip(self.swap_pools.iter()).any(|(p, q)| p == program && q == pool)
    }

    /// The position at `debt`.
    pub fn position(&self, debt: u64) -> Position {
        Position { collateral: self.collateral, debt }
    }
}

/// At least one venue; every named program has a pool and vice versa.
pub fn validate_venues(programs: &[Pubkey; MAX_SWAP_PROGRAMS], pools: &[Pubkey; MAX_SWAP_PROGRAMS]) -> Result<()> {
    let pairs_ok = programs.iter().zip(pools.iter()).all(|(p, q)| (*p == Pubkey::default()) == (*q == Pubkey::default()));
    require!(pairs_ok && programs.iter().any(|p| *p != Pubkey::default()), LevError::SwapProgramNotAllowed);
    Ok(())
}

/// Leverage of `pos` at `price`, rounded up (never reported safer than it is). `None` when NAV ≤ 0.
pub fn leverage_up(pos: &Position, price: Price) -> Option<u64> {
    pos.leverage_bps(price, Round::Up)
}

/// Error for a failed checked computation.
pub fn math_err() -> Error {
    error!(LevError::MathOverflow)
}
