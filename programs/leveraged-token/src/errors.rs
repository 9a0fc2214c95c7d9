use anchor_lang::prelude::*;

#[error_code]
pub enum LevError {
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("A market parameter is outside its hard bounds")]
    InvalidParams,
    #[msg("Minting is paused; redemptions remain open")]
    MintPaused,
    #[msg("This mint would exceed the token supply cap")]
    SupplyCapExceeded,
    #[msg("You would receive fewer tokens than the minimum you asked for")]
    TokensBelowMinimum,
    #[msg("You would receive less USDC than the minimum you asked for")]
    UsdcBelowMinimum,
    #[msg("The oracle price is older than the market allows")]
    OracleStale,
    #[msg("The oracle account carries a different price feed")]
    OracleWrongFeed,
    #[msg("The oracle's confidence interval is too wide")]
    OracleConfidenceTooWide,
    #[msg("The oracle price is not usable (non-positive or unverified)")]
    OracleInvalid,
    #[msg("The swap program and pool are not an allowlisted venue of this market")]
    SwapProgramNotAllowed,
    #[msg("The swap returned less than the oracle price allows after max slippage")]
    SlippageExceeded,
    #[msg("The swap moved the vault's balances in an unexpected way")]
    SwapBalanceMismatch,
    #[msg("Leverage is inside the band and no scheduled recentre is due")]
    RebalanceNotNeeded,
    #[msg("Leverage is already on target; nothing to trade")]
    NothingToTrade,
    #[msg("The rebalance did not move leverage toward the target, or overshot it")]
    RebalanceOvershoot,
    #[msg("The vault's NAV is not positive")]
    VaultInsolvent,
    #[msg("Minting is closed while leverage is at the emergency threshold; rebalance first")]
    MintBlockedInEmergency,
    #[msg("The deposit is too small to mint any tokens")]
    DepositTooSmall,
    #[msg("The redemption is too small or the swap did not cover the debt share")]
    RedeemTooSmall,
    #[msg("Only the market admin may do this")]
    NotAdmin,
    #[msg("Only the guardian or the admin may do this")]
    NotGuardian,
    #[msg("Only the proposed admin may accept")]
    NotPendingAdmin,
    #[msg("The lending pool's liquidation leverage leaves no room for this emergency threshold")]
    EmergencyAboveLiquidation,
    #[msg("Metadata string too long or malformed (name ≤ 32, symbol ≤ 10, uri ≤ 200 bytes of UTF-8)")]
    MetadataTooLong,
    #[msg("The clock went backwards")]
    InvalidClock,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Not an uninitialised, system-owned PDA of this program holding lamports")]
    NotAPrefundedPda,
    #[msg("The swap venue changed an account it must not touch (owner, delegate, close authority, state or balance)")]
    VenueTamperedWithAccount,
    #[msg("The swap venue's price is too far from the oracle to trade now; arbitrage will bring it back")]
    VenuePriceOffOracle,
    #[msg("The token mint uses a Token-2022 extension this market does not accept (transfer fee, hook, permanent delegate, default-frozen, …)")]
    MintExtensionNotAllowed,
    #[msg("Timelock outside its bounds (0 ..= 30 days)")]
    InvalidTimelock,
    #[msg("Another admin change is already queued; execute or cancel it first")]
    ChangeAlreadyQueued,
    #[msg("No admin change is queued")]
    NoChangeQueued,
    #[msg("The queued admin change's timelock has not elapsed yet")]
    TimelockNotElapsed,
    #[msg("The guardian cannot cancel its own replacement; only the admin can")]
    GuardianCannotCancelItsReplacement,
    #[msg("You would receive less collateral than the minimum you asked for")]
    CollateralBelowMinimum,
    #[msg("The queued change lapsed: it was not executed within 7 days of its time; cancel it and queue it again")]
    ChangeExpired,
    #[msg("The new oracle feed does not price the collateral like the current one (pass fresh updates of both)")]
    OracleFeedsDisagree,
    #[msg("Only the treasury may claim the fees")]
    NotTreasury,
    #[msg("The market has settled after insolvency: minting and rebalancing are over; tokens redeem for what is left")]
    MarketSettled,
    #[msg("The vault's NAV is still positive: settlement is only for an insolvent vault")]
    NotInsolvent,
    #[msg("The lending pool now considers borrowers unsafe below this market's emergency threshold; minting is closed until the parameters are re-validated")]
    PoolRiskChanged,
    #[msg("The lending pool accrued interest differently from the market's projection (has the lending program changed?); nothing was done")]
    LendingIndexMismatch,
    #[msg("A metadata change needs the Token-2022 program (the mint's owner) as its one extra account, and must leave the supply as it is")]
    MetadataProgramMismatch,
}
