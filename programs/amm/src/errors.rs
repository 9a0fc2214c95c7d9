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
}
