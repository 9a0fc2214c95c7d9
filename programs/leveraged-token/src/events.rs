use anchor_lang::prelude::*;

use crate::{AdminChange, MarketParams};

#[event]
pub struct MarketInitialized {
    pub market: Pubkey,
    pub market_id: u64,
    pub admin: Pubkey,
    pub lev_mint: Pubkey,
    pub params: MarketParams,
}

#[event]
pub struct Minted {
    pub market: Pubkey,
    pub user: Pubkey,
    pub usdc_in: u64,
    pub fee: u64,
    pub borrowed: u64,
    pub collateral_bought: u64,
    pub nav_added: u64,
    pub tokens: u64,
    pub price_wad: u128,
    pub leverage_bps: u64,
}

#[event]
pub struct Redeemed {
    pub market: Pubkey,
    pub user: Pubkey,
    pub tokens: u64,
    pub collateral_sold: u64,
    pub debt_repaid: u64,
    pub usdc_out: u64,
    pub fee: u64,
    pub price_wad: u128,
    pub leverage_bps: u64,
}

impl Redeemed {
    /// A redemption of a settled market: its residual USDC, nothing sold, repaid or priced.
    pub fn settled(market: Pubkey, user: Pubkey, tokens: u64, usdc_out: u64) -> Self {
        Redeemed { market, user, tokens, collateral_sold: 0, debt_repaid: 0, usdc_out, fee: 0, price_wad: 0, leverage_bps: 0 }
    }
}

#[event]
pub struct Rebalanced {
    pub market: Pubkey,
    pub keeper: Pubkey,
    /// 0 = emergency, 1 = outside band, 2 = scheduled.
    pub trigger: u8,
    /// True when the vault borrowed and bought collateral.
    pub relever: bool,
    pub swap_in: u64,
    pub swap_out: u64,
    pub debt_change: u64,
    pub reward: u64,
    pub leverage_before_bps: u64,
    pub leverage_after_bps: u64,
    pub price_wad: u128,
    /// The leverage this rebalance aimed at (the target, or a partial recentre's point in the band).
    pub aim_bps: u64,
}

#[event]
pub struct FeesAccrued {
    pub market: Pubkey,
    pub tokens_accrued: u64,
    pub elapsed_secs: u64,
}

#[event]
pub struct PauseSet {
    pub market: Pubkey,
    pub by: Pubkey,
    pub mint_paused: bool,
}

#[event]
pub struct ParamsUpdated {
    pub market: Pubkey,
    pub params: MarketParams,
}

#[event]
pub struct AdminProposed {
    pub market: Pubkey,
    pub pending_admin: Pubkey,
}

#[event]
pub struct AdminAccepted {
    pub market: Pubkey,
    pub admin: Pubkey,
}

#[event]
pub struct SwapVenuesSet {
    pub market: Pubkey,
    pub programs: [Pubkey; 2],
    pub pools: [Pubkey; 2],
}

#[event]
pub struct GuardianSet {
    pub market: Pubkey,
    pub guardian: Pubkey,
}

/// Lamports a griefer parked on a not-yet-created PDA, returned to `payer` (see `reclaim_prefunded`).
#[event]
pub struct PrefundReclaimed {
    pub pda: Pubkey,
    pub lamports: u64,
    pub payer: Pubkey,
}

/// An admin change was queued; anyone may execute it from `eta` on.
#[event]
pub struct ChangeQueued {
    pub market: Pubkey,
    pub change: AdminChange,
    pub eta: i64,
}

#[event]
pub struct ChangeExecuted {
    pub market: Pubkey,
    pub change: AdminChange,
    pub by: Pubkey,
}

#[event]
pub struct ChangeCancelled {
    pub market: Pubkey,
    pub change: AdminChange,
    pub by: Pubkey,
}

#[event]
pub struct TreasurySet {
    pub market: Pubkey,
    pub treasury: Pubkey,
}

#[event]
pub struct OracleSet {
    pub market: Pubkey,
    pub feed_id: [u8; 32],
    pub oracle: Pubkey,
}

#[event]
pub struct TimelockSet {
    pub market: Pubkey,
    pub timelock_secs: i64,
}

/// The token's metadata URI changed (through the timelock).
#[event]
pub struct MetadataUriSet {
    pub market: Pubkey,
    pub uri: String,
}

/// Mint/redeem fees (USDC) and streaming-fee tokens paid out to the treasury's accounts.
#[event]
pub struct FeesClaimed {
    pub market: Pubkey,
    pub treasury: Pubkey,
    pub quote: u64,
    pub tokens: u64,
}

/// One step of an insolvent vault's settlement: collateral sold, debt repaid from the proceeds.
#[event]
pub struct SettleStep {
    pub market: Pubkey,
    pub settler: Pubkey,
    pub collateral_sold: u64,
    pub proceeds: u64,
    pub debt_repaid: u64,
    pub collateral_left: u64,
    pub price_wad: u128,
}

/// The settlement is complete: the debt left after selling everything was written off at the
/// lending pool (shared by all its lenders at once) and holders redeem for `residual_quote`.
#[event]
pub struct MarketSettled {
    pub market: Pubkey,
    pub debt_written_off: u64,
    pub residual_quote: u64,
}

/// A redemption in kind: collateral out, debt repaid by the holder, no swap and no price.
#[event]
pub struct RedeemedInKind {
    pub market: Pubkey,
    pub user: Pubkey,
    pub tokens: u64,
    pub collateral_out: u64,
    /// The redeem fee, taken in collateral and left in the vault for the remaining holders.
    pub fee_collateral: u64,
    pub debt_repaid: u64,
}
