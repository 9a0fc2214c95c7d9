//! Helpers shared by the on-chain programs. SBF-clean: no std-only dependencies, no floats.
pub mod event;
pub mod prefund;
pub mod token;

pub use event::{emit, native_return_data};
pub use prefund::sweep_prefunded_pda;
