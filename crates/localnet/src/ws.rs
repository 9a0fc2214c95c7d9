//! The websocket subscriptions (tokio-tungstenite), on the RPC port + 1 as `solana-test-validator`:
//! `signatureSubscribe` (one notification when the transaction lands, then the subscription ends;
//! at once if it already landed), `slotSubscribe`, `rootSubscribe`, `accountSubscribe` (when a
//! landed transaction or the node changed the account), `programSubscribe` (the same, for the
//! program's accounts passing `dataSize` / `memcmp` filters) and `logsSubscribe` (`"all"` or
//! `{"mentions": [address]}`), with their `*Unsubscribe`. Messages and notifications have the
//! node's shapes (`solana-pubsub-client` and `@solana/kit` read them).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use futures_util::{SinkExt, StreamExt};
use levtoken_client::{
    rpc_bank::{filters_match, NodeEvent, NODE_VERSION},
    Pubkey,
};
use serde_json::{json, Value};
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_rpc_client::api::filter::RpcFilterType;
use solana_signature::Signature;
use tokio_tungstenite::tungstenite::Message;

use crate::world::World;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

enum Sub {
    Signature(Signature),
    Slot,
    Root,
    Account(Pubkey, UiAccountEncoding),
    Program(Pubkey, UiAccountEncoding, Vec<RpcFilterType>),
    /// `None`: every transaction.
    Logs(Option<Pubkey>),
}

pub async fn serve(listener: tokio::net::TcpListener, world: Arc<World>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let world = world.clone();
                tokio::spawn(async move {
                    if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                        connection(ws, world).await;
                    }
                });
            }
            Err(e) => {
                eprintln!("localnet: websocket accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

fn notification(method: &str, sub: u64, result: Value) -> Message {
    Message::text(json!({ "jsonrpc": "2.0", "method": method, "params": { "result": result, "subscription": sub } }).to_string())
}

fn context(slot: u64) -> Value {
    json!({ "slot": slot, "apiVersion": NODE_VERSION })
}

async fn connection(ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, world: Arc<World>) {
    let (mut sink, mut stream) = ws.split();
    let mut events = world.rpc.subscribe();
    let mut subs: HashMap<u64, Sub> = HashMap::new();
    loop {
        let mut out: Vec<Message> = Vec::new();
        tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    let parsed: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                    let reqs = match parsed { Value::Array(a) => a, v => vec![v] };
                    for req in reqs {
                        if let Some(reply) = request(&world, &mut subs, &req, &mut out).await {
                            out.insert(0, Message::text(reply.to_string()));
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            ev = events.recv() => match ev {
                Ok(ev) => notify(&world, &mut subs, &ev, &mut out).await,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
        for m in out {
            if sink.send(m).await.is_err() {
                return;
            }
        }
    }
}

/// Handle one request; the reply (and notifications due at once are pushed to `out`).
async fn request(world: &World, subs: &mut HashMap<u64, Sub>, req: &Value, out: &mut Vec<Message>) -> Option<Value> {
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let method = req.get("method").and_then(Value::as_str)?;
    let params = req.get("params").cloned().unwrap_or(Value::Null);
    let err = |code: i64, message: String| Some(json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id.clone() }));
    let ok = |result: Value| Some(json!({ "jsonrpc": "2.0", "result": result, "id": id.clone() }));
    let first_key =
        || -> Result<Pubkey, String> { params.get(0).and_then(Value::as_str).ok_or("missing parameter 0")?.parse().map_err(|_| "invalid pubkey".to_string()) };
    let new_id = || NEXT_ID.fetch_add(1, Ordering::Relaxed);
    match method {
        "ping" => None,
        "signatureSubscribe" => {
            let Some(sig) = params.get(0).and_then(Value::as_str).and_then(|s| s.parse::<Signature>().ok()) else {
                return err(-32602, "Invalid params: invalid signature".into());
            };
            let sub = new_id();
            match world.rpc.landed_status(&sig) {
                Some((slot, e)) => out.push(notification("signatureNotification", sub, json!({ "context": context(slot), "value": { "err": e } }))),
                None => {
                    subs.insert(sub, Sub::Signature(sig));
                }
            }
            ok(json!(sub))
        }
        "slotSubscribe" | "rootSubscribe" => {
            let sub = new_id();
            subs.insert(sub, if method == "slotSubscribe" { Sub::Slot } else { Sub::Root });
            ok(json!(sub))
        }
        "accountSubscribe" => {
            let key = match first_key() {
                Ok(k) => k,
                Err(e) => return err(-32602, format!("Invalid params: {e}")),
            };
            let encoding =
                params.get(1).and_then(|c| c.get("encoding")).and_then(|e| serde_json::from_value(e.clone()).ok()).unwrap_or(UiAccountEncoding::Binary);
            let sub = new_id();
            subs.insert(sub, Sub::Account(key, encoding));
            ok(json!(sub))
        }
        "programSubscribe" => {
            let program = match first_key() {
                Ok(k) => k,
                Err(e) => return err(-32602, format!("Invalid params: {e}")),
            };
            let cfg = params.get(1);
            let encoding = cfg.and_then(|c| c.get("encoding")).and_then(|e| serde_json::from_value(e.clone()).ok()).unwrap_or(UiAccountEncoding::Binary);
            let filters: Vec<RpcFilterType> = match cfg.and_then(|c| c.get("filters")).filter(|f| !f.is_null()) {
                None => vec![],
                Some(f) => match serde_json::from_value(f.clone()) {
                    Ok(f) => f,
                    Err(e) => return err(-32602, format!("Invalid params: filters: {e}")),
                },
            };
            let sub = new_id();
            subs.insert(sub, Sub::Program(program, encoding, filters));
            ok(json!(sub))
        }
        "logsSubscribe" => {
            let filter = match params.get(0) {
                Some(Value::String(s)) if s == "all" || s == "allWithVotes" => None,
                Some(Value::Object(o)) => {
                    match o.get("mentions").and_then(Value::as_array).and_then(|a| a.first()).and_then(Value::as_str).and_then(|s| s.parse().ok()) {
                        Some(k) => Some(k),
                        None => return err(-32602, "Invalid params: mentions takes one address".into()),
                    }
                }
                _ => return err(-32602, "Invalid params: expected \"all\" or {\"mentions\": [address]}".into()),
            };
            let sub = new_id();
            subs.insert(sub, Sub::Logs(filter));
            ok(json!(sub))
        }
        m if m.ends_with("Unsubscribe") => {
            let Some(sub) = params.get(0).and_then(Value::as_u64) else {
                return err(-32602, "Invalid params: expected a subscription id".into());
            };
            if subs.remove(&sub).is_some() {
                ok(json!(true))
            } else {
                err(-32602, "Invalid subscription id.".into())
            }
        }
        other => err(-32601, format!("Method not found: {other}")),
    }
}

async fn notify(world: &World, subs: &mut HashMap<u64, Sub>, ev: &NodeEvent, out: &mut Vec<Message>) {
    match ev {
        NodeEvent::Signature { signature, slot, err } => {
            let done: Vec<u64> = subs.iter().filter(|(_, s)| matches!(s, Sub::Signature(x) if x == signature)).map(|(id, _)| *id).collect();
            for id in done {
                subs.remove(&id);
                out.push(notification("signatureNotification", id, json!({ "context": context(*slot), "value": { "err": err } })));
            }
            let logs: Vec<(u64, bool)> = subs.iter().filter_map(|(id, s)| if let Sub::Logs(f) = s { Some((*id, f.is_none())) } else { None }).collect();
            if !logs.is_empty() {
                let lines = world.rpc.landed_logs(signature).unwrap_or_default();
                for (id, all) in logs {
                    let mentions = |k: &Pubkey| world.rpc.landed_keys(signature).is_some_and(|keys| keys.contains(k));
                    let wanted = all || matches!(subs.get(&id), Some(Sub::Logs(Some(k))) if mentions(k));
                    if wanted {
                        out.push(notification(
                            "logsNotification",
                            id,
                            json!({ "context": context(*slot), "value": { "signature": signature.to_string(), "err": err, "logs": lines } }),
                        ));
                    }
                }
            }
        }
        NodeEvent::Slot { slot, parent, root } => {
            for (id, s) in subs.iter() {
                match s {
                    Sub::Slot => out.push(notification("slotNotification", *id, json!({ "parent": parent, "root": root, "slot": slot }))),
                    Sub::Root => out.push(notification("rootNotification", *id, json!(root))),
                    _ => {}
                }
            }
        }
        NodeEvent::Accounts(keys) => {
            let hits: Vec<(u64, Pubkey, UiAccountEncoding)> =
                subs.iter().filter_map(|(id, s)| if let Sub::Account(k, e) = s { keys.contains(k).then_some((*id, *k, *e)) } else { None }).collect();
            for (id, key, encoding) in hits {
                if let Ok((slot, account)) = world.rpc.encoded_account(&key, encoding).await {
                    out.push(notification("accountNotification", id, json!({ "context": context(slot), "value": account })));
                }
            }
            let programs: Vec<(u64, Pubkey, UiAccountEncoding, Vec<RpcFilterType>)> =
                subs.iter().filter_map(|(id, s)| if let Sub::Program(p, e, f) = s { Some((*id, *p, *e, f.clone())) } else { None }).collect();
            if programs.is_empty() {
                return;
            }
            let Ok(slot) = world.rpc.slot().await else { return };
            for key in keys {
                let Ok(Some(account)) = world.rpc.raw_account(key).await else { continue };
                for (id, program, encoding, filters) in &programs {
                    if account.owner == *program && filters_match(filters, &account) {
                        if let Ok(ui) = world.rpc.encode_account(key, &account, *encoding).await {
                            out.push(notification(
                                "programNotification",
                                *id,
                                json!({ "context": context(slot), "value": { "pubkey": key.to_string(), "account": ui } }),
                            ));
                        }
                    }
                }
            }
        }
    }
}
