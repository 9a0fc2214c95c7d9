//! The `levtoken` binary against `levtoken localnet`, as a person runs them: the node started by the
//! binary on free ports, then `levtoken --url … status | mint | rebalance | redeem` and the node's
//! `localnet faucet | price | info` commands as separate processes.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;

const BIN: &str = env!("CARGO_BIN_EXE_levtoken");

/// The node, stopped when dropped.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn levtoken(url: &str, keypair: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(BIN).args(["--url", url, "--keypair"]).arg(keypair).args(args).arg("--json").output().expect("run levtoken");
    assert!(out.status.success(), "levtoken {args:?}: {}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    // Natively run programs may print their error lines before the JSON.
    let start = text.find('{').unwrap_or_else(|| panic!("no JSON from {args:?}: {text}"));
    serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
}

#[test]
fn localnet_binary_serves_the_cli() {
    let mut child = Command::new(BIN)
        .args(["localnet", "--rpc-port", "0", "--native", "--slot-ms", "100", "--quiet", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start levtoken localnet");
    let stdout = child.stdout.take().unwrap();
    let node = Node(child);
    // The first line is the node's addresses, printed once it serves.
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let url = info["rpcUrl"].as_str().unwrap().to_string();
    assert!(info["websocketUrl"].as_str().unwrap().starts_with("ws://127.0.0.1:"));

    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id.json");
    let user = Keypair::new();
    solana_keypair::write_keypair_file(&user, &key).unwrap();

    let f = levtoken(&url, &key, &["localnet", "faucet", "--usdc", "2000"]);
    assert_eq!((f["owner"].as_str(), f["usdcBalance"].as_f64()), (Some(user.pubkey().to_string().as_str()), Some(2000.0)), "{f}");
    let s = levtoken(&url, &key, &["status"]);
    assert_eq!(s["market"], info["market"], "{s}");
    let m = levtoken(&url, &key, &["mint", "--usdc", "100"]);
    assert!(m["tokens"].as_f64().unwrap() > 90.0 && m["signature"].is_string(), "{m}");
    let p = levtoken(&url, &key, &["localnet", "price", "--move", "+20%"]);
    assert_eq!(p["priceUsd"].as_f64(), Some(3600.0), "{p}");
    let s = levtoken(&url, &key, &["status"]);
    assert_eq!(s["rebalance_allowed"], Value::Bool(true), "{s}");
    let r = levtoken(&url, &key, &["rebalance"]);
    assert!((r["leverage_after"].as_f64().unwrap() - 3.0).abs() < 0.01, "{r}");
    let tokens = format!("{}", m["tokens"].as_f64().unwrap());
    let out = levtoken(&url, &key, &["redeem", "--tokens", &tokens]);
    assert!(out["usdc_out"].as_f64().unwrap() > 100.0, "ETH rose 20%: {out}");
    let i = levtoken(&url, &key, &["localnet", "info"]);
    assert_eq!(i["priceUsd"].as_f64(), Some(3600.0), "{i}");
    drop(node);
}
