//! Constant-product ETH/USDC pool: the swap venue the leveraged-token vault calls by CPI on
//! localnet. Reserves are tracked in the pool account (a donation to a vault changes nothing);
//! the curve math lives in `lev-math::cpmm`.
#![allow(unexpected_cfgs)]

// Linked into SBF builds only (sbf/build.sh): compiler builtins and i128 libcalls.
#[cfg(target_os = "solana")]
use sbf_i128_libcalls as _;
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

pub use errors::AmmError;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("9KycMiGorNo5grHP3pBrbQtNJoQr7DZLGFvFJvS34db6");

#[program]
pub mod amm {
    use super::*;

    /// Create a pool for `mint_a`/`mint_b` with a swap fee in basis points (at most 10%).
    pub fn initialize_pool(ctx: Context<InitializePool>, fee_bps: u16) -> Result<()> {
        instructions::handle_initialize_pool(ctx, fee_bps)
    }

    /// Deposit both tokens in proportion (any ratio for the first deposit) for LP tokens.
    pub fn add_liquidity(ctx: Context<AddLiquidity>, max_a: u64, max_b: u64, min_lp: u64) -> Result<()> {
        instructions::handle_add_liquidity(ctx, max_a, max_b, min_lp)
    }

    /// Burn LP tokens for the pro-rata reserves.
    pub fn remove_liquidity(ctx: Context<RemoveLiquidity>, lp_amount: u64, min_a: u64, min_b: u64) -> Result<()> {
        instructions::handle_remove_liquidity(ctx, lp_amount, min_a, min_b)
    }

    /// Exact-in swap in either direction; fails unless at least `min_out` is received.
    pub fn swap(ctx: Context<Swap>, amount_in: u64, min_out: u64) -> Result<()> {
        instructions::handle_swap(ctx, amount_in, min_out)
    }

    /// Anyone: return the lamports a griefer sent to a not-yet-created PDA of this program, so the
    /// `init` that follows in the same transaction can create it.
    pub fn reclaim_prefunded(ctx: Context<ReclaimPrefunded>, seeds: Vec<Vec<u8>>) -> Result<()> {
        instructions::handle_reclaim_prefunded(ctx, seeds)
    }
}
