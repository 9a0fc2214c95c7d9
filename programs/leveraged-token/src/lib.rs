//! The 3x long ETH leveraged token.
//!
//! A market PDA holds wrapped-ETH collateral bought with its holders' USDC plus USDC borrowed from
//! the lending pool, and mints a Token-2022 token (ETHBULL3X) for NAV = collateral value − debt.
//! Mint and redeem are leverage-neutral and priced at the Pyth oracle; the minter or redeemer bears
//! their own swap cost. A permissionless `rebalance` keeps leverage in its band (emergency path at
//! the threshold) so holders are never liquidated. All economics come from `lev-math`.
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
pub mod market_core;
pub mod state;

pub use errors::LevError;
pub use events::*;
pub use instructions::*;
pub use market_core::*;
pub use state::*;

declare_id!("GNyr8vogG7qqNc2BSPET9yxa51Dv2BZyJburFzv9Ra2T");

#[program]
pub mod leveraged_token {
    use super::*;

    /// Create a market: vault PDA, Token-2022 mint with metadata, vaults, treasury account and the
    /// credit line at the lending pool.
    pub fn init_market(ctx: Context<InitMarket>, market_id: u64, args: InitMarketArgs) -> Result<()> {
        instructions::handle_init_market(ctx, market_id, args)
    }

    /// Deposit USDC for tokens at NAV (leverage-neutral); fails unless at least `min_tokens_out`.
    pub fn mint(ctx: Context<MintLev>, usdc_in: u64, min_tokens_out: u64) -> Result<()> {
        instructions::handle_mint(ctx, usdc_in, min_tokens_out)
    }

    /// Burn tokens for USDC at NAV; fails unless at least `min_usdc_out`.
    pub fn redeem(ctx: Context<Redeem>, tokens_in: u64, min_usdc_out: u64) -> Result<()> {
        instructions::handle_redeem(ctx, tokens_in, min_usdc_out)
    }

    /// Burn tokens for their pro-rata collateral while repaying their pro-rata debt from your own
    /// USDC: the exit that needs no swap venue and no oracle.
    pub fn redeem_in_kind(ctx: Context<RedeemInKind>, tokens_in: u64, min_collateral_out: u64) -> Result<()> {
        instructions::handle_redeem_in_kind(ctx, tokens_in, min_collateral_out)
    }

    /// Permissionless: bring leverage back toward the target when allowed; pays a bounded reward.
    pub fn rebalance(ctx: Context<Rebalance>) -> Result<()> {
        instructions::handle_rebalance(ctx)
    }

    /// Anyone, while NAV ≤ 0: sell the collateral, repay, and write the rest of the debt off at
    /// the pool so all lenders share the loss at once; then holders redeem for what is left.
    pub fn settle(ctx: Context<Settle>) -> Result<()> {
        instructions::handle_settle(ctx)
    }

    /// Read-only NAV, NAV per token, leverage, debt and collateral (use with simulate).
    pub fn nav(ctx: Context<Nav>) -> Result<NavView> {
        instructions::handle_nav(ctx)
    }

    /// Guardian or admin: pause or resume minting.
    pub fn set_pause(ctx: Context<SetPause>, mint_paused: bool) -> Result<()> {
        instructions::handle_set_pause(ctx, mint_paused)
    }

    /// Admin: propose a successor.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::handle_propose_admin(ctx, new_admin)
    }

    /// Proposed admin: accept.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::handle_accept_admin(ctx)
    }

    /// Admin: queue a parameter, venue, oracle, treasury, guardian or timelock change; it takes
    /// effect only when executed after `timelock_secs`.
    pub fn queue_change(ctx: Context<QueueChange>, change: AdminChange) -> Result<()> {
        instructions::handle_queue_change(ctx, change)
    }

    /// Anyone: apply the queued change once its timelock has elapsed.
    pub fn execute_change<'info>(ctx: Context<'info, ExecuteChange<'info>>) -> Result<()> {
        instructions::handle_execute_change(ctx)
    }

    /// Guardian or admin: cancel the queued change.
    pub fn cancel_change(ctx: Context<CancelChange>) -> Result<()> {
        instructions::handle_cancel_change(ctx)
    }

    /// Treasury: claim the accrued mint/redeem fees (USDC) and streaming-fee tokens.
    pub fn claim_fees(ctx: Context<ClaimFees>) -> Result<()> {
        instructions::handle_claim_fees(ctx)
    }

    /// Anyone: return the lamports a griefer sent to a not-yet-created PDA of this program, so the
    /// `init` that follows in the same transaction can create it.
    pub fn reclaim_prefunded(ctx: Context<ReclaimPrefunded>, seeds: Vec<Vec<u8>>) -> Result<()> {
        instructions::handle_reclaim_prefunded(ctx, seeds)
    }
}

// Profiling entrypoint (SBF_FEATURES=cu-trace,no-entrypoint): marks before and after the runtime's
// input deserialisation and around Anchor's dispatch.
#[cfg(all(feature = "cu-trace", feature = "no-entrypoint", target_os = "solana"))]
mod cu_trace_entry {
    use anchor_lang::solana_program::entrypoint::{deserialize, SUCCESS};
    /// # Safety
    /// Called by the runtime with its serialized input.
    #[no_mangle]
    pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
        program_utils::cu_mark!("e:start");
        let (program_id, accounts, data) = unsafe { deserialize(input) };
        program_utils::cu_mark!("e:deser");
        let r = match crate::entry(program_id, &accounts, data) {
            Ok(()) => SUCCESS,
            Err(e) => e.into(),
        };
        program_utils::cu_mark!("e:end");
        r
    }
    anchor_lang::solana_program::entrypoint::custom_heap_default!();
    anchor_lang::solana_program::entrypoint::custom_panic_default!();
}
