//! A wallet's view of a market: its associated token accounts and quotes for the
//! `--max-slippage-bps` flags.

use anchor_lang::prelude::Pubkey;
use lev_math::{fee_up, mint_borrow_amount, nav_added_down, redeem_share, swap_out_down, tokens_for_nav_down, Round, BPS};
use solana_instruction::{AccountMeta, Instruction};

use crate::{market::associated_token_address, market::MarketKeys, state::MarketState};

/// `CreateIdempotent` of the associated-token-account program.
pub fn create_ata_idempotent_ix(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Instruction {
    let ata = associated_token_address(owner, mint, token_program);
    Instruction {
        program_id: anchor_spl::associated_token::ID,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(ata, false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
            AccountMeta::new_readonly(*token_program, false),
        ],
        data: vec![1],
    }
}

/// The wallet's USDC and ETHBULL3X associated token accounts for a market.
#[derive(Clone, Copy, Debug)]
pub struct WalletAccounts {
    pub owner: Pubkey,
    pub usdc: Pubkey,
    pub lev: Pubkey,
}

impl WalletAccounts {
    pub fn of(owner: Pubkey, keys: &MarketKeys) -> Self {
        WalletAccounts {
            owner,
            usdc: associated_token_address(&owner, &keys.quote_mint, &keys.quote_token_program),
            lev: associated_token_address(&owner, &keys.lev_mint, &crate::TOKEN_2022_ID),
        }
    }

    /// Instructions that create both accounts if missing (no-ops otherwise).
    pub fn ensure_ixs(&self, payer: &Pubkey, keys: &MarketKeys) -> Vec<Instruction> {
        vec![
            create_ata_idempotent_ix(payer, &self.owner, &keys.quote_mint, &keys.quote_token_program),
            create_ata_idempotent_ix(payer, &self.owner, &keys.lev_mint, &crate::TOKEN_2022_ID),
        ]
    }
}

/// AMM reserves as (collateral, quote).
pub fn venue_reserves(pool: &amm::Pool, collateral_mint: &Pubkey) -> (u64, u64) {
    if pool.mint_a == *collateral_mint {
        (pool.reserve_a, pool.reserve_b)
    } else {
        (pool.reserve_b, pool.reserve_a)
    }
}

/// Tokens a mint of `usdc_in` would give now, quoting the venue's current curve (what the program
/// will compute if nothing moves before it lands). `None` if the program would refuse.
pub fn quote_mint(state: &MarketState, pool: &amm::Pool, usdc_in: u64) -> Option<u64> {
    let params = state.market.params;
    let pos = state.position();
    let price = state.price;
    let empty = pos.collateral == 0 && pos.debt == 0;
    let nav_before = if empty { 0 } else { pos.nav(price, Round::Up)? };
    let net = usdc_in.checked_sub(fee_up(usdc_in, params.mint_fee_bps)?)?;
    let borrowed = mint_borrow_amount(&pos, price, net, params.target_leverage_bps)?;
    let (r_eth, r_usdc) = venue_reserves(pool, &state.market.collateral_mint);
    let bought = swap_out_down(net.checked_add(borrowed)?, r_usdc, r_eth, pool.fee_bps as u64)?;
    let added = nav_added_down(price, bought, borrowed)?;
    tokens_for_nav_down(added, nav_before, state.supply.saturating_add(state.pending_fee_tokens()))
}

/// USDC a redemption of `tokens` would pay now.
pub fn quote_redeem(state: &MarketState, pool: &amm::Pool, tokens: u64) -> Option<u64> {
    let params = state.market.params;
    let share = redeem_share(&state.position(), tokens, state.supply.saturating_add(state.pending_fee_tokens()))?;
    let (r_eth, r_usdc) = venue_reserves(pool, &state.market.collateral_mint);
    let proceeds = swap_out_down(share.collateral_out, r_eth, r_usdc, pool.fee_bps as u64)?;
    let payout = proceeds.checked_sub(share.debt_repaid)?;
    payout.checked_sub(fee_up(payout, params.redeem_fee_bps)?)
}

/// `quote × (1 − max_slippage)`, rounded up: the min-out argument for a quote.
pub fn min_out(quote: u64, max_slippage_bps: u64) -> u64 {
    let keep = BPS.saturating_sub(max_slippage_bps) as u128;
    (quote as u128 * keep).div_ceil(BPS as u128) as u64
}
