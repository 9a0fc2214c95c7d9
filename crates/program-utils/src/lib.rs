//! Helpers shared by the on-chain programs. SBF-clean: no std-only dependencies, no floats.
pub mod distinct;
pub mod event;
pub mod mint_ext;
pub mod prefund;
pub mod token;

pub use distinct::{all_distinct, all_distinct_with};
pub use event::{emit, native_return_data};
pub use mint_ext::{disallowed_mint_extension, ALLOWED_MINT_EXTENSIONS};
pub use prefund::sweep_prefunded_pda;

/// Profiling aid: with the `cu-trace` feature on an SBF build, logs `label` and the compute units
/// left (`sol_log_compute_units`, about 200 CU per mark); otherwise nothing. Used to find where an
/// instruction's units go (`sbf/README.md`, "Compute units").
#[macro_export]
macro_rules! cu_mark {
    ($label:expr) => {
        #[cfg(all(target_os = "solana", feature = "cu-trace"))]
        {
            $crate::__cu_mark($label);
        }
    };
}

#[doc(hidden)]
#[cfg(all(target_os = "solana", feature = "cu-trace"))]
pub fn __cu_mark(label: &str) {
    anchor_lang::solana_program::log::sol_log(label);
    extern "C" {
        fn sol_log_compute_units_();
    }
    // SAFETY: a syscall without arguments.
    unsafe { sol_log_compute_units_() }
}
