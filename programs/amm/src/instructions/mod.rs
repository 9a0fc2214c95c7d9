pub mod add_liquidity;
pub mod initialize_pool;
pub mod reclaim_prefunded;
pub mod remove_liquidity;
pub mod swap;

pub use add_liquidity::*;
pub use initialize_pool::*;
pub use reclaim_prefunded::*;
pub use remove_liquidity::*;
pub use swap::*;
