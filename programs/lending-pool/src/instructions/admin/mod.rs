//! The pool admin's room: credit lines (only for leveraged-token markets; new or higher limits
//! after the timelock) and the interest-rate config (queued, executed by anyone after the timelock,
//! cancellable by the admin).
pub mod cancel_config;
pub mod execute_config;
pub mod queue_config;
pub mod register_borrower;
pub mod set_credit_limit;

pub use cancel_config::*;
pub use execute_config::*;
pub use queue_config::*;
pub use register_borrower::*;
pub use set_credit_limit::*;
