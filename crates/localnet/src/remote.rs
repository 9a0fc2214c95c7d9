//! Calling a running node's `levtoken_*` extension methods (the `levtoken localnet price|faucet|info`
//! commands, tests) with the ordinary `solana-rpc-client`.

use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use solana_rpc_client::{api::request::RpcRequest, nonblocking::rpc_client::RpcClient};

async fn call(url: &str, method: &'static str, params: Value) -> Result<Value> {
    let client = RpcClient::new(url.to_string());
    client.send::<Value>(RpcRequest::Custom { method }, params).await.map_err(|e| anyhow!("{method} at {url}: {e}"))
}

/// `levtoken_setPrice`: `price` is dollars ("3600") or a move ("+20%", "-5%").
pub async fn set_price(url: &str, price: &str) -> Result<Value> {
    let arg = match price.trim().parse::<f64>() {
        Ok(p) => json!(p),
        Err(_) => json!(price.trim()),
    };
    call(url, "levtoken_setPrice", json!([arg])).await
}

pub async fn get_price(url: &str) -> Result<Value> {
    call(url, "levtoken_getPrice", json!([])).await
}

/// `levtoken_faucet`: `usdc` dollars of demo USDC to `owner` (and SOL if it has less than one).
pub async fn faucet(url: &str, owner: &str, usdc: f64) -> Result<Value> {
    call(url, "levtoken_faucet", json!([owner, usdc])).await
}

pub async fn info(url: &str) -> Result<Value> {
    call(url, "levtoken_info", json!([])).await
}

pub async fn keeper_tick(url: &str) -> Result<Value> {
    call(url, "levtoken_keeperTick", json!([])).await
}
