pub mod market;
pub mod params;
pub use market::*;
pub use params::*;
