pub mod add_liquidity;
pub mod initialize_pool;
pub mod remove_liquidity;
pub mod swap;
pub mod reclaim_prefunded;


pub use add_liquidity::*;
pub use initialize_pool::*;
pub use remove_liquidity::*;
pub use swap::*;
pub use reclaim_prefunded::*;
