//! The admin room: pause (the only instant lever), the two-step admin handover, the timelocked
//! changes (queue → execute by anyone after the delay, or cancel), and the treasury's fee claim.
pub mod accept_admin;
pub mod cancel_change;
pub mod claim_fees;
pub mod execute_change;
pub mod propose_admin;
pub mod queue_change;
pub mod set_pause;

pub use accept_admin::*;
pub use cancel_change::*;
pub use claim_fees::*;
pub use execute_change::*;
pub use propose_admin::*;
pub use queue_change::*;
pub use set_pause::*;
