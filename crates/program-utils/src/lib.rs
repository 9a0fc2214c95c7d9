//! Helpers shared by the on-chain programs. SBF-clean: no std-only dependencies, no floats.
pub mod event;
pub mod mint_ext;
pub mod prefund;
pub mod token;

pub use event::{emit, native_return_data};
pub use mint_ext::{disallowed_mint_extension, ALLOWED_MINT_EXTENSIONS};
pub use prefund::sweep_prefunded_pda;
