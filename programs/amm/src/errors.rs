use anchor_lang::prelude::*;

#[error_code]
pub enum AmmError {
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Swap output is below the minimum you asked for (slippage exceeded)")]
    SlippageExceeded,
    #[msg("The fee must be at most 1000 basis points (10%)")]
    FeeTooHigh,
    #[msg("The two mints of a pool must differ")]
    IdenticalMints,
    #[msg("The token account is not one of this pool's vaults, or source and destination are the same side")]
    InvalidVault,
    #[msg("The mint does not match the pool or the token account")]
    InvalidMint,
    #[msg("The pool has no liquidity")]
    EmptyPool,
    #[msg("The deposit is too small to mint any LP tokens")]
    DepositTooSmall,
    #[msg("LP tokens minted are below the minimum you asked for")]
    LpBelowMinimum,
    #[msg("Amounts withdrawn are below the minimums you asked for")]
    WithdrawBelowMinimum,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Not an uninitialised, system-owned PDA of this program holding lamports")]
    NotAPrefundedPda,
    #[msg("The token mint uses a Token-2022 extension this program does not accept (transfer fee, transfer hook, permanent delegate, default frozen state, non-transferable, close authority, pause, interest, confidential transfers, …); only metadata and group extensions are allowed")]
    MintExtensionNotAllowed,
    #[msg("The pool's mints must be given in canonical order: mint_a's address sorts below mint_b's")]
    MintsNotOrdered,
    #[msg("Only the program's upgrade authority (the deployer) may create pools")]
    NotDeployer,
}
