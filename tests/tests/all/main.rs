//! Integration tests: the real programs in the in-process Solana runtime, with the real SPL Token
//! and Token-2022 programs.

mod amm;
mod lending;
mod market;
mod seed;
mod attacks;
mod adversarial;
mod invariants;
