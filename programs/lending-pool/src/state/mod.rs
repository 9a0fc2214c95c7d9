pub mod borrower;
pub mod pool;
pub use borrower::*;
pub use pool::*;
