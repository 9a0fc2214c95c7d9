use anchor_lang::prelude::*;

#[error_code]
pub enum LendingError {
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("The pool does not have enough idle cash for this withdrawal or borrow")]
    InsufficientLiquidity,
    #[msg("This borrow would take the borrower over its credit limit")]
    CreditLimitExceeded,
    #[msg("Fewer share tokens than the minimum you asked for")]
    SharesBelowMinimum,
    #[msg("Less USDC than the minimum you asked for")]
    AmountBelowMinimum,
    #[msg("The deposit is too small to mint a share")]
    DepositTooSmall,
    #[msg("Only the pool admin may do this")]
    Unauthorized,
    #[msg("The signer is not the registered borrower")]
    NotBorrower,
    #[msg("Interest-rate model or liquidation leverage outside its hard bounds")]
    InvalidConfig,
    #[msg("The borrower has no debt to repay")]
    NothingToRepay,
    #[msg("The clock went backwards")]
    InvalidClock,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Credit lines are only for markets of this pool's leveraged-token program")]
    NotAMarket,
    #[msg("A credit line may not exceed 10^15 base units")]
    CreditLimitTooHigh,
    #[msg("A config change is already queued; execute or cancel it first")]
    ConfigAlreadyQueued,
    #[msg("No config change is queued")]
    NoConfigQueued,
    #[msg("The queued change's timelock has not elapsed yet")]
    TimelockNotElapsed,
    #[msg("Not an uninitialised, system-owned PDA of this program holding lamports")]
    NotAPrefundedPda,
    #[msg("The token mint uses a Token-2022 extension this program does not accept (transfer fee, transfer hook, permanent delegate, default frozen state, non-transferable, close authority, pause, interest, confidential transfers, …); only metadata and group extensions are allowed")]
    MintExtensionNotAllowed,
    #[msg("Only the program's upgrade authority (the deployer) may create pools")]
    NotDeployer,
}
