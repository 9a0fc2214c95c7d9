//! Integration tests: the real programs in the in-process Solana runtime, with the real SPL Token
//! and Token-2022 programs.

mod adversarial;
mod amm;
mod attacks;
mod invariants;
mod lending;
mod market;
mod review;
mod review_pools;
mod seed;
