//! The JSON-RPC HTTP server (axum): `POST /` with one request or a batch, `GET /health`,
//! `GET /` (the node's addresses), `GET /ethbull3x.json` and `/ethbull3x.svg` (the token's
//! metadata, which the mint's metadata extension points to, and its image), CORS open to
//! any origin (web apps on another port). Methods named `levtoken_*` are the node's extensions:
//!
//! | method | params | result |
//! |---|---|---|
//! | `levtoken_info` | — | the addresses printed at start ([`crate::Info`]) |
//! | `levtoken_getPrice` | — | `{priceUsd, publishTime, conf}` |
//! | `levtoken_setPrice` | `[3600]`, `["+20%"]`, `["-5%"]` or `[{"priceUsd": 3600}]` / `[{"move": "+20%"}]` | [`crate::world::PriceMove`]: the oracle is published at the cluster's time and the AMM arbitraged to it |
//! | `levtoken_faucet` | `[owner, usdc?, sol?]` (dollars, default 1000; SOL default 10, sent only when the owner holds less than 1 SOL) | [`crate::world::FaucetResult`]: the owner's USDC associated account is created if missing |
//! | `levtoken_keeperTick` | — | [`crate::world::KeeperAction`]: one keeper look now (rebalance or settle if allowed) |
//!
//! Everything else is Solana's API ([`levtoken_client::rpc_bank::BankRpc`]).

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use levtoken_client::{
    rpc_bank::{codes, RpcFault},
    Pubkey,
};
use serde_json::{json, Value};
use tower_http::cors::CorsLayer;

use crate::{world::World, Info};

pub struct NodeState {
    pub world: Arc<World>,
    pub info: Info,
    pub quiet: bool,
}

pub async fn serve(listener: tokio::net::TcpListener, state: Arc<NodeState>) {
    let app = Router::new()
        .route("/", get(info).post(rpc))
        .route("/health", get(|| async { "ok" }))
        .route("/ethbull3x.json", get(metadata))
        .route("/ethbull3x.svg", get(image))
        .layer(CorsLayer::permissive())
        .with_state(state);
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("localnet: HTTP server stopped: {e}");
    }
}

async fn info(State(node): State<Arc<NodeState>>) -> Json<Info> {
    Json(node.info.clone())
}

async fn metadata(State(node): State<Arc<NodeState>>) -> Json<Value> {
    Json(json!({
        "name": "ETH 3x Long",
        "symbol": "ETHBULL3X",
        "description": "Three times the daily move of ETH, without a margin account or liquidation (levtoken localnet demo).",
        "image": format!("{}/ethbull3x.svg", node.info.rpc_url),
    }))
}

async fn image() -> impl IntoResponse {
    const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128"><rect width="128" height="128" rx="24" fill="#14161f"/><path d="M64 14 34 64l30 18 30-18z" fill="#8c9eff"/><path d="M64 88 34 70l30 44 30-44z" fill="#5c6bc0"/><text x="64" y="122" font-family="sans-serif" font-size="16" font-weight="700" text-anchor="middle" fill="#00e676">3x</text></svg>"##;
    ([(header::CONTENT_TYPE, "image/svg+xml")], SVG)
}

async fn rpc(State(node): State<Arc<NodeState>>, body: Bytes) -> impl IntoResponse {
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::OK, Json(json!({ "jsonrpc": "2.0", "error": { "code": -32700, "message": "Parse error" }, "id": null }))),
    };
    let out = match parsed {
        Value::Array(reqs) if !reqs.is_empty() => {
            let mut out = Vec::with_capacity(reqs.len());
            for r in reqs {
                out.push(handle(&node, r).await);
            }
            Value::Array(out)
        }
        one => handle(&node, one).await,
    };
    (StatusCode::OK, Json(out))
}

async fn handle(node: &NodeState, req: Value) -> Value {
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = req.get("method").and_then(Value::as_str) else {
        return json!({ "jsonrpc": "2.0", "error": { "code": codes::INVALID_REQUEST, "message": "Invalid request" }, "id": id });
    };
    let params = req.get("params").cloned().unwrap_or(Value::Null);
    let result = if method.starts_with("levtoken_") { extension(node, method, &params).await } else { node.world.rpc.call(method, &params).await };
    match result {
        Ok(r) => json!({ "jsonrpc": "2.0", "result": r, "id": id }),
        Err(f) => json!({ "jsonrpc": "2.0", "error": f.to_json(), "id": id }),
    }
}

/// A price argument: a number of dollars, or a move like "+20%" / "-5%" from `current`.
pub fn parse_price(arg: &Value, current: f64) -> Result<f64, String> {
    let relative = |s: &str| -> Result<f64, String> {
        let pct: f64 = s.trim().trim_end_matches('%').trim_start_matches('+').parse().map_err(|_| format!("not a percentage: {s:?}"))?;
        Ok(current * (1.0 + pct / 100.0))
    };
    let price = match arg {
        Value::Number(n) => n.as_f64().ok_or("not a number")?,
        Value::String(s) if s.trim().ends_with('%') => relative(s)?,
        Value::String(s) => s.trim().trim_start_matches('$').parse().map_err(|_| format!("not a price: {s:?}"))?,
        Value::Object(o) => match (o.get("priceUsd").or_else(|| o.get("price")), o.get("move")) {
            (Some(p), None) => parse_price(p, current)?,
            (None, Some(Value::String(m))) => relative(m)?,
            _ => return Err("give one of priceUsd or move".into()),
        },
        _ => return Err("expected a price (3600), a move (\"+20%\") or {priceUsd} / {move}".into()),
    };
    if !(price.is_finite() && price > 0.0) {
        return Err(format!("price must be positive, got {price}"));
    }
    Ok(price)
}

fn fault(e: impl std::fmt::Display) -> RpcFault {
    RpcFault::new(codes::INTERNAL_ERROR, e.to_string())
}

async fn extension(node: &NodeState, method: &str, params: &Value) -> Result<Value, RpcFault> {
    let world = &node.world;
    let arg = |i: usize| params.get(i).filter(|v| !v.is_null());
    match method {
        "levtoken_info" => {
            let mut v = serde_json::to_value(&node.info).map_err(fault)?;
            v["priceUsd"] = json!(world.price_usd());
            Ok(v)
        }
        "levtoken_getPrice" => {
            let obs = world.observation();
            Ok(json!({ "priceUsd": crate::world::mantissa_to_usd(obs.price), "publishTime": obs.publish_time, "conf": obs.conf, "expo": obs.expo }))
        }
        "levtoken_setPrice" => {
            let a = arg(0).ok_or_else(|| RpcFault::invalid_params("missing the price"))?;
            let price = parse_price(a, world.price_usd()).map_err(RpcFault::invalid_params)?;
            let moved = world.set_price(price).await.map_err(fault)?;
            if !node.quiet {
                eprintln!("localnet: ETH/USD ${:.2} → ${:.2}", moved.previous_usd, moved.price_usd);
            }
            serde_json::to_value(moved).map_err(fault)
        }
        "levtoken_faucet" => {
            let owner: Pubkey = arg(0)
                .and_then(Value::as_str)
                .ok_or_else(|| RpcFault::invalid_params("missing the owner"))?
                .parse()
                .map_err(|_| RpcFault::invalid_params("invalid owner pubkey"))?;
            let dollars = |v: Option<&Value>, default: f64| -> Result<f64, RpcFault> {
                match v {
                    None => Ok(default),
                    Some(Value::Number(n)) => n.as_f64().ok_or_else(|| RpcFault::invalid_params("not a number")),
                    Some(Value::String(s)) => s.parse().map_err(|_| RpcFault::invalid_params(format!("not a number: {s:?}"))),
                    Some(_) => Err(RpcFault::invalid_params("expected a number")),
                }
            };
            let usdc = dollars(arg(1), 1_000.0)?;
            let sol = dollars(arg(2), 10.0)?;
            if !(0.0..=10_000_000.0).contains(&usdc) || !(0.0..=1_000.0).contains(&sol) {
                return Err(RpcFault::invalid_params("at most 10,000,000 USDC and 1,000 SOL a request"));
            }
            let r = world.faucet(&owner, (usdc * 1e6).round() as u64, (sol * 1e9).round() as u64).await.map_err(fault)?;
            serde_json::to_value(r).map_err(fault)
        }
        "levtoken_keeperTick" => serde_json::to_value(world.keeper_tick().await).map_err(fault),
        other => Err(RpcFault::new(codes::METHOD_NOT_FOUND, format!("Method not found: {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_price;
    use serde_json::json;

    #[test]
    fn prices_and_moves_parse() {
        assert_eq!(parse_price(&json!(3600), 3000.0), Ok(3600.0));
        assert_eq!(parse_price(&json!("3600"), 3000.0), Ok(3600.0));
        assert!((parse_price(&json!("+20%"), 3000.0).unwrap() - 3600.0).abs() < 1e-9);
        assert!((parse_price(&json!("-5%"), 3000.0).unwrap() - 2850.0).abs() < 1e-9);
        assert!((parse_price(&json!({"move": "+10%"}), 3000.0).unwrap() - 3300.0).abs() < 1e-9);
        assert_eq!(parse_price(&json!({"priceUsd": 2500}), 3000.0), Ok(2500.0));
        assert!(parse_price(&json!("-100%"), 3000.0).is_err());
        assert!(parse_price(&json!(true), 3000.0).is_err());
        assert!(parse_price(&json!("abc"), 3000.0).is_err());
    }
}
