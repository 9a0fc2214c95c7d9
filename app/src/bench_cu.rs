//! `levtoken bench-cu`: compute units of every instruction of the three programs, run as SBF
//! bytecode in the in-process runtime over a fixed scenario, the `.so` sizes, and the largest
//! transaction against the 1,232-byte packet limit. A benchmark, not a test: it reports numbers
//! and fails only if the scenario itself cannot run.

use std::{collections::BTreeMap, path::PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use leveraged_token::{MarketParams, Rebalanced};
use levtoken_client::{
    bank::{Bank, Journaled},
    budget::PACKET_BYTES,
    deploy::{mint_to_ix, new_token_account},
    events::parse_events,
    user::WalletAccounts,
    Pubkey, SPL_TOKEN_ID, TOKEN_2022_ID,
};
use serde::Serialize;

use crate::{commands, demo::DemoWorld};

const USD: u64 = 1_000_000;
/// The runtime's default per-instruction budget: what a wallet gets without a compute-budget
/// instruction.
pub const DEFAULT_INSTRUCTION_CU: u64 = 200_000;
pub const PROGRAMS: [&str; 3] = ["amm", "lending_pool", "leveraged_token"];

#[derive(Clone, Debug, Serialize)]
pub struct Units {
    pub median: u64,
    pub max: u64,
    pub min: u64,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TxSize {
    /// The instruction (or first instruction) the transaction carried.
    pub instruction: String,
    pub bytes: usize,
    pub accounts: usize,
    /// 1,232 − bytes.
    pub margin_bytes: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Whole-instruction compute units (CPIs included) at depth 1, over the scenario.
    pub instructions: BTreeMap<String, Units>,
    pub so_bytes: BTreeMap<String, u64>,
    /// The largest transaction sent (compute-budget instructions included, no lookup tables).
    pub largest_tx_bytes: TxSize,
    /// The largest transaction per instruction.
    pub tx_bytes: BTreeMap<String, TxSize>,
    pub sbf_dir: String,
    pub note: String,
}

/// Where the `.so` files are: `--sbf-dir`, else `$SBF_OUT_DIR`, else `target/deploy`.
fn sbf_dir(arg: Option<PathBuf>) -> Result<PathBuf> {
    let dir = arg.or_else(|| std::env::var_os("SBF_OUT_DIR").map(PathBuf::from)).unwrap_or_else(|| PathBuf::from("target/deploy"));
    for p in PROGRAMS {
        let so = dir.join(format!("{p}.so"));
        if !so.is_file() {
            bail!("{} is missing: build the programs first with `bash sbf/build.sh` (or `anchor build`), or pass --sbf-dir", so.display());
        }
    }
    Ok(std::fs::canonicalize(&dir)?)
}

/// Top-level (depth 1) invocations of our programs in `logs`: (key, units). The key is the
/// instruction name in snake case, prefixed `amm_` / `lending_` for those programs.
pub fn top_level_units(logs: &[String]) -> Vec<(String, u64)> {
    let ours: [(Pubkey, &str); 3] = [(amm::ID, "amm_"), (lending_pool::ID, "lending_"), (leveraged_token::ID, "")];
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    for l in logs {
        let Some(rest) = l.strip_prefix("Program ") else { continue };
        if let Some(name) = rest.strip_prefix("log: Instruction: ") {
            if let Some(top) = stack.last_mut() {
                top.1.get_or_insert_with(|| name.to_string());
            }
        } else if rest.contains(" invoke [") {
            stack.push((rest.split(' ').next().unwrap_or_default().to_string(), None));
        } else if let Some((id, tail)) = rest.split_once(" consumed ") {
            if stack.len() == 1 {
                let units = tail.split(' ').next().and_then(|n| n.parse::<u64>().ok());
                let prefix = ours.iter().find(|(k, _)| k.to_string() == id).map(|(_, p)| *p);
                if let (Some(units), Some(prefix), Some(name)) = (units, prefix, stack[0].1.as_ref()) {
                    out.push((format!("{prefix}{}", snake(name)), units));
                }
            }
        } else if rest.ends_with(" success") || rest.contains(" failed: ") {
            stack.pop();
        }
    }
    out
}

fn snake(camel: &str) -> String {
    let mut s = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.extend(c.to_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The scenario: deployment (pools, AMM liquidity, lending deposit, market), lending deposit and
/// withdrawal, AMM liquidity in and out, mints of several sizes, the `nav` view, rebalances up,
/// down and on the emergency path, redemptions, admin changes and fee claims, then a crash past
/// zero NAV: settlement step by step and redemptions of the settled market (cash and in kind).
async fn scenario(bar: &ProgressBar) -> Result<Vec<Journaled>> {
    let mut bank = Bank::start().await;
    bank.journal = Some(Vec::new());
    let params = MarketParams { expected_swap_cost_bps: 5, ..MarketParams::default_3x() };
    let mut w = DemoWorld::start_on(bank, params).await.context("scenario step 1")?;
    w.fund_payer(2_000_000 * USD).await.context("scenario step 2")?;
    bar.inc(1);

    // Lenders and liquidity providers.
    let lend = commands::lend(&mut w.bank, &w.keys.lending, 50_000 * USD).await.context("scenario step 3")?;
    commands::withdraw(&mut w.bank, &w.keys.lending, (lend.shares * 1e6 / 2.0) as u64).await.context("scenario step 4")?;
    let me = w.bank.payer_key();
    let lp = new_token_account(&mut w.bank, &w.keys.amm.lp_mint, &me, &SPL_TOKEN_ID).await.map_err(|e| anyhow!("{e}")).context("scenario step 5")?;
    let eth_side = 10 * 100_000_000;
    let ixs = vec![mint_to_ix(&TOKEN_2022_ID, &w.eth, &w.lp_eth, &me, eth_side), mint_to_ix(&SPL_TOKEN_ID, &w.usdc, &w.lp_usdc, &me, 30_000 * USD), {
        let amm = &w.keys.amm;
        let ((a, b), (max_a, max_b)) = (amm.in_ab_order(&w.eth, w.lp_eth, w.lp_usdc), amm.in_ab_order(&w.eth, eth_side, 30_000 * USD));
        amm.add_liquidity(me, a, b, lp, max_a, max_b, 1)
    }];
    w.bank.send(&ixs, &[]).await.map_err(|e| anyhow!("{e}")).context("scenario step 6")?;
    let lp_balance = w.bank.token_balance(&lp).await;
    let (a, b) = w.keys.amm.in_ab_order(&w.eth, w.lp_eth, w.lp_usdc);
    w.bank.send(&[w.keys.amm.remove_liquidity(me, a, b, lp, lp_balance / 2, 0, 0)], &[]).await.map_err(|e| anyhow!("{e}")).context("scenario step 7")?;
    bar.inc(1);

    // Holders mint; the view is read.
    for usd in [100, 1_000, 25_000, 50, 5_000, 10_000] {
        commands::mint(&mut w.bank, &w.keys, usd * USD, 100).await.context("scenario step 8")?;
        // Arbitrageurs bring the AMM back to the oracle after each trade (the market refuses a
        // venue pushed more than 50 bps away).
        w.move_price(3_000).await.context("arbitrage")?;
        w.bank.simulate(&[w.keys.nav()]).await.map_err(|e| anyhow!("{e}")).context("nav")?;
        w.bank.send(&[w.keys.lending.accrue_interest()], &[]).await.map_err(|e| anyhow!("{e}")).context("accrue")?;
        commands::status(&mut w.bank, &w.keys).await.context("scenario step 9")?;
        bar.inc(1);
    }
    // ETH up, down, and a sharp fall onto the emergency path; each followed by the keeper.
    for usd in [3_600, 3_240, 2_900, 2_500, 2_900] {
        w.move_price(usd).await.context("scenario step 10")?;
        for _ in 0..4 {
            if commands::rebalance(&mut w.bank, &w.keys).await.is_err() {
                break;
            }
            w.move_price(usd).await.context("arbitrage")?;
        }
        bar.inc(1);
    }
    // Redemptions of several sizes, cash and in kind.
    let lev = WalletAccounts::of(me, &w.keys).lev;
    for part in [20, 5, 10] {
        let bal = w.bank.token_balance(&lev).await;
        w.move_price(2_900).await.context("arbitrage")?;
        commands::redeem(&mut w.bank, &w.keys, bal / part, 100).await.context("scenario step 11")?;
    }
    let bal = w.bank.token_balance(&lev).await;
    w.move_price(2_900).await.context("arbitrage")?;
    commands::redeem_in_kind(&mut w.bank, &w.keys, bal / 20, 100).await.context("scenario step 12")?;
    bar.inc(1);

    // Admin: pause and resume, a timelocked change queued and executed, another cancelled; fees.
    commands::set_pause(&mut w.bank, &w.keys, true).await.context("scenario step 13")?;
    commands::set_pause(&mut w.bank, &w.keys, false).await.context("scenario step 14")?;
    commands::queue_params(&mut w.bank, &w.keys, MarketParams { expected_swap_cost_bps: 6, ..params }).await.context("scenario step 15")?;
    commands::execute_change(&mut w.bank, &w.keys).await.context("scenario step 16")?;
    commands::queue_params(&mut w.bank, &w.keys, params).await.context("scenario step 17")?;
    commands::cancel_change(&mut w.bank, &w.keys).await.context("scenario step 18")?;
    w.bank.warp_seconds(7 * 86_400).await;
    w.move_price(2_900).await.context("scenario step 19")?;
    commands::claim_fees(&mut w.bank, &w.keys).await.context("scenario step 20")?;
    bar.inc(1);

    // A crash the vault cannot outrun: settlement, then redemptions of what is left.
    w.move_price(1_800).await.context("scenario step 21")?;
    for _ in 0..40 {
        w.move_price(1_800).await.context("arbitrage")?;
        if commands::settle(&mut w.bank, &w.keys).await?.settled {
            break;
        }
    }
    let bal = w.bank.token_balance(&lev).await;
    commands::redeem(&mut w.bank, &w.keys, bal / 2, 100).await.context("scenario step 22")?;
    let bal = w.bank.token_balance(&lev).await;
    commands::redeem_in_kind(&mut w.bank, &w.keys, bal, 100).await.context("scenario step 23")?;
    bar.inc(1);
    w.bank.journal.take().ok_or_else(|| anyhow!("journal"))
}

pub async fn run(sbf_dir_arg: Option<PathBuf>) -> Result<BenchReport> {
    let dir = sbf_dir(sbf_dir_arg)?;
    // The bank loads the programs from $SBF_OUT_DIR (see levtoken_client::bank::program_test).
    // SAFETY: set before the runtime starts; nothing else reads or writes the environment now.
    unsafe { std::env::set_var("SBF_OUT_DIR", &dir) };
    let bar = ProgressBar::new(16).with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("template"));
    bar.set_message("running the scenario on SBF");
    let journal = scenario(&bar).await.context("bench scenario")?;
    bar.finish_and_clear();

    let mut units: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut sizes: BTreeMap<String, TxSize> = BTreeMap::new();
    for j in &journal {
        let top = top_level_units(&j.outcome.logs);
        let emergency = parse_events::<Rebalanced>(&j.outcome.logs).first().is_some_and(|r| r.trigger == 0);
        for (name, cu) in &top {
            let name = if name == "rebalance" && emergency { "rebalance_emergency".to_string() } else { name.clone() };
            units.entry(name.clone()).or_default().push(*cu);
            if !j.simulated {
                let size = TxSize {
                    instruction: name.clone(),
                    bytes: j.outcome.tx_bytes,
                    accounts: j.outcome.tx_accounts,
                    margin_bytes: PACKET_BYTES as i64 - j.outcome.tx_bytes as i64,
                };
                let e = sizes.entry(name).or_insert_with(|| size.clone());
                if size.bytes > e.bytes {
                    *e = size;
                }
            }
        }
    }
    let instructions = units
        .into_iter()
        .map(|(k, mut v)| (k, Units { min: *v.iter().min().unwrap_or(&0), max: *v.iter().max().unwrap_or(&0), count: v.len(), median: median(&mut v) }))
        .collect();
    let so_bytes = PROGRAMS.iter().map(|p| Ok((p.to_string(), std::fs::metadata(dir.join(format!("{p}.so")))?.len()))).collect::<Result<_>>()?;
    let largest = sizes.values().max_by_key(|s| s.bytes).cloned().ok_or_else(|| anyhow!("no transactions"))?;
    Ok(BenchReport {
        instructions,
        so_bytes,
        largest_tx_bytes: largest,
        tx_bytes: sizes,
        sbf_dir: dir.display().to_string(),
        note: "Whole-instruction compute units (CPIs included) of the programs as built in sbf_dir, over levtoken bench-cu's fixed scenario. \
               Built by sbf/build.sh (upstream LLVM) the numbers are indicative; a platform-tools build (cargo build-sbf) is what mainnet runs."
            .into(),
    })
}

pub fn table(r: &BenchReport) -> String {
    let mut s = format!("{:<24} {:>5} {:>9} {:>9}  {:<9} {:>6} {:>5} {:>7}\n", "instruction", "runs", "median", "max", "≤200k", "bytes", "accts", "margin");
    for (name, u) in &r.instructions {
        let fits = if u.max <= DEFAULT_INSTRUCTION_CU { "yes" } else { "NO" };
        let (b, a, m) =
            r.tx_bytes.get(name).map_or(("-".into(), "-".into(), "-".into()), |t| (t.bytes.to_string(), t.accounts.to_string(), t.margin_bytes.to_string()));
        s += &format!("{name:<24} {:>5} {:>9} {:>9}  {fits:<9} {b:>6} {a:>5} {m:>7}\n", u.count, u.median, u.max);
    }
    s += "\n";
    for (p, b) in &r.so_bytes {
        s += &format!("{p}.so {b} bytes\n");
    }
    let l = &r.largest_tx_bytes;
    s += &format!(
        "largest transaction: {} — {} bytes of {PACKET_BYTES} ({} to spare), {} accounts, no lookup table\n",
        l.instruction, l.bytes, l.margin_bytes, l.accounts
    );
    s += &format!("programs from {}", r.sbf_dir);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_units_are_read_from_the_runtime_logs() {
        let lt = leveraged_token::ID.to_string();
        let lp = lending_pool::ID.to_string();
        let logs: Vec<String> = [
            "Program ComputeBudget111111111111111111111111111111 invoke [1]".to_string(),
            "Program ComputeBudget111111111111111111111111111111 success".into(),
            format!("Program {lt} invoke [1]"),
            "Program log: Instruction: Mint".into(),
            format!("Program {lp} invoke [2]"),
            "Program log: Instruction: Borrow".into(),
            format!("Program {lp} consumed 30000 of 1300000 compute units"),
            format!("Program {lp} success"),
            format!("Program {lt} consumed 150000 of 1399850 compute units"),
            format!("Program {lt} success"),
            format!("Program {lp} invoke [1]"),
            "Program log: Instruction: AccrueInterest".into(),
            format!("Program {lp} consumed 7000 of 1249850 compute units"),
            format!("Program {lp} success"),
        ]
        .into();
        assert_eq!(top_level_units(&logs), vec![("mint".to_string(), 150_000), ("lending_accrue_interest".to_string(), 7_000)]);
    }
}
