//! Every CLI command exercised in-process against the real programs (the JSON-RPC `Chain` shares
//! all the code above the trait).

use levtoken_client::{chain::token_balance, user::WalletAccounts};

use crate::{commands, demo, keeper};

const USD: u64 = 1_000_000;

async fn world() -> demo::DemoWorld {
    let mut w = demo::DemoWorld::start(demo::demo_params()).await.unwrap();
    w.fund_payer(10_000 * USD).await.unwrap();
    w
}

#[tokio::test]
async fn cli_demo_plays_the_seed_story() {
    let steps = demo::run().await.unwrap();
    assert_eq!(steps.len(), 8);
    let lev = |i: usize| steps[i].leverage.unwrap();
    assert!((lev(0) - 3.0).abs() < 0.01);
    assert!((lev(1) - 2.25).abs() < 0.01, "{}", lev(1));
    assert!((lev(2) - 3.0).abs() < 0.01);
    assert!((lev(5) - 6.0).abs() < 0.05, "{}", lev(5));
    assert!((lev(6) - 3.0).abs() < 0.01);
    assert!((steps[1].nav_usdc - 160.0).abs() < 0.5);
    assert!((steps[6].debt_usdc - 80.0).abs() < 1.0);
    assert!(demo::table(&steps).contains("rebalance"));
}

#[tokio::test]
async fn cli_status_mint_redeem_follow_their_quotes() {
    let mut w = world().await;
    let s = commands::status(&mut w.bank, &w.keys).await.unwrap();
    assert_eq!(s.nav_usdc, 0.0);
    assert_eq!(s.leverage, None);
    assert!(!s.rebalance_allowed);

    // With nothing moving between quote and execution, the program gives exactly the quote.
    let m = commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 0).await.unwrap();
    assert_eq!(m.tokens, m.quoted_tokens);
    assert_eq!(m.min_tokens_out, m.quoted_tokens);
    assert!((m.leverage - 3.0).abs() < 0.01);
    let s = commands::status(&mut w.bank, &w.keys).await.unwrap();
    assert!((s.nav_usdc - 998.4).abs() < 1.0, "{}", s.nav_usdc);
    assert!((s.leverage.unwrap() - 3.0).abs() < 0.01);
    assert_eq!(s.oracle_age_secs, 0);
    assert!(s.to_string().contains("leverage"));

    let me = w.bank.payer_key();
    let lev_acct = WalletAccounts::of(me, &w.keys).lev;
    let tokens = token_balance(&mut w.bank, &lev_acct).await.unwrap();
    let r = commands::redeem(&mut w.bank, &w.keys, tokens / 2, 0).await.unwrap();
    assert_eq!(r.usdc_out, r.quoted_usdc);
    assert!(r.usdc_out > 490.0 && r.usdc_out < 500.0, "{}", r.usdc_out);
}

#[tokio::test]
async fn cli_slippage_flag_becomes_the_programs_min_out() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    // The oracle moves after the quote would have been taken: the quote is re-taken by the
    // command, so it still lands; but a stale quote's min-out is refused by the program.
    let state = levtoken_client::state::MarketState::load(&mut w.bank, &w.keys).await.unwrap();
    let pool: amm::Pool = w.bank.anchor_account(&w.keys.amm.pool).await;
    let quote = levtoken_client::user::quote_mint(&state, &pool, 1_000 * USD).unwrap();
    // ETH up: the vault's NAV per token rises, so the same deposit buys fewer tokens than quoted.
    w.move_price(3_010).await.unwrap();
    let me = w.bank.payer_key();
    let wa = WalletAccounts::of(me, &w.keys);
    let ix = w.keys.mint(me, wa.usdc, wa.lev, 1_000 * USD, levtoken_client::user::min_out(quote, 0));
    let err = w.bank.send(&[ix], &[]).await.unwrap_err();
    assert_eq!(err.custom_code(), Some(leveraged_token::LevError::TokensBelowMinimum.into()));
    assert_eq!(levtoken_client::user::min_out(1_000_000, 50), 995_000);
}

#[tokio::test]
async fn cli_rebalance_lend_withdraw_and_init_market() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    assert!(commands::rebalance(&mut w.bank, &w.keys).await.is_err(), "nothing to do inside the band");
    w.move_price(3_600).await.unwrap();
    let r = commands::rebalance(&mut w.bank, &w.keys).await.unwrap();
    assert!(r.relever);
    assert_eq!(r.trigger, "outside band");
    assert!((r.leverage_after - 3.0).abs() < 0.01);
    assert!(r.reward_usdc > 0.0);

    let lend = commands::lend(&mut w.bank, &w.keys.lending, 500 * USD).await.unwrap();
    assert!(lend.shares > 490.0 && lend.shares <= 500.0, "{}", lend.shares);
    let shares = (lend.share_balance * 1e6) as u64;
    let wd = commands::withdraw(&mut w.bank, &w.keys.lending, shares).await.unwrap();
    assert!(wd.usdc > 499.0 && wd.usdc <= 500.01, "{}", wd.usdc);

    let treasury = levtoken_client::Pubkey::new_unique();
    let res = commands::init_market(
        &mut w.bank,
        2,
        w.keys.collateral_mint,
        w.keys.collateral_token_program,
        w.keys.quote_mint,
        w.oracle,
        treasury,
        commands::Rule::Partial.params(),
        1_000_000 * USD,
        leveraged_token::DEFAULT_TIMELOCK_SECS,
    )
    .await
    .unwrap();
    assert_eq!((res.treasury, res.timelock_secs), (treasury.to_string(), 86_400));
    let keys2 = levtoken_client::market::MarketKeys::load(&mut w.bank, 2).await.unwrap();
    assert_eq!(keys2.market.to_string(), res.market);
    assert_eq!(keys2.amm.pool, w.keys.amm.pool);
    let m = commands::mint(&mut w.bank, &keys2, 100 * USD, 50).await.unwrap();
    assert!(m.tokens > 99.0);
    // Market 2 runs the partial-recentre set: ETH −5% takes it above 3.15x, and its rebalance
    // aims 5% of the way back from the edge (3.1425x), as `status` says beforehand.
    let s = commands::status(&mut w.bank, &keys2).await.unwrap();
    assert_eq!((s.rule.band, s.rule.recentre_share, s.rebalance_aim), ([2.65, 3.15], 0.05, None));
    w.move_price(3_420).await.unwrap();
    let s = commands::status(&mut w.bank, &keys2).await.unwrap();
    assert_eq!(s.rebalance_aim, Some(3.1425));
    assert!(s.to_string().contains("aims at 3.14x"), "{s}");
    let r = commands::rebalance(&mut w.bank, &keys2).await.unwrap();
    assert!(!r.relever);
    assert!((r.leverage_after - 3.1425).abs() < 0.002, "{}", r.leverage_after);
}

#[tokio::test]
async fn cli_keeper_restores_leverage_after_a_price_move() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    let cfg = keeper::KeeperConfig::default();
    assert!(matches!(keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap(), keeper::Tick::Idle { .. }));
    w.move_price(2_700).await.unwrap();
    match keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap() {
        keeper::Tick::Rebalanced(r) => {
            assert!(!r.relever);
            assert!((r.leverage_after - 3.0).abs() < 0.01, "{}", r.leverage_after);
        }
        other => panic!("expected a rebalance, got {other:?}"),
    }
    assert!(matches!(keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap(), keeper::Tick::Idle { .. }));
    // A stale oracle: the keeper does not waste a transaction.
    w.bank.warp_seconds(120).await;
    assert!(matches!(keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap(), keeper::Tick::Skipped { .. }));
    // The loop stops on its shutdown signal.
    let cfg = keeper::KeeperConfig { interval: std::time::Duration::from_secs(3600), ..cfg };
    let log = keeper::run(&mut w.bank, &w.keys, &cfg, None, async {}).await.unwrap();
    assert_eq!(log.len(), 1);
}

#[tokio::test]
async fn cli_backtest_writes_json_with_every_key_and_the_plots() {
    let dir = tempfile::tempdir().unwrap();
    let args = crate::backtest::cmd::BacktestArgs {
        prices: None,
        from: Some("2020-03-05".into()),
        to: Some("2020-04-20".into()),
        out: dir.path().to_path_buf(),
        engine: crate::backtest::cmd::Engine::Bank,
        rule: crate::commands::Rule::Partial,
        no_peers: false,
        no_plots: false,
        keeper_cadence: crate::backtest::run::Cadence::Substeps,
        intrahour: crate::backtest::run::Intrahour::Close,
        model: Default::default(),
    };
    let report = crate::backtest::cmd::run(&args, true).await.unwrap();
    let keys = [
        "hours",
        "wipeouts",
        "bad_debt_usdc",
        "max_leverage",
        "min_nav_per_token",
        "total_return",
        "ideal_total_return",
        "tracking_error_annual",
        "rebalances",
        "cost_bps_per_year",
        "interest_paid_usdc",
        "windows_30d",
        "windows_30d_wiped",
        "median_30d_diff",
        "p05_30d_diff",
        "median_30d_cost_bps",
        "median_abs_30d_diff",
        "mean_leverage",
        "median_30d_interest_bps",
        "median_30d_total_cost_bps",
    ];
    let intervals = ["median_abs_30d_diff_ci90", "median_30d_total_cost_bps_ci90"];
    for strategy in ["ours", "ftx_daily", "band_edge", "fli", "daily_only", "fli_method", "edge_control"] {
        let m = if strategy == "ours" { &report.json["ours"] } else { &report.json["peers"][strategy] };
        for k in keys {
            assert!(m[k].is_number(), "{strategy}.{k}");
        }
        for k in intervals {
            let v = m[k].as_array().unwrap_or_else(|| panic!("{strategy}.{k}"));
            assert!(v.len() == 2 && v[0].as_f64().unwrap() <= v[1].as_f64().unwrap(), "{strategy}.{k}: {v:?}");
        }
    }
    // Exactly these keys.
    assert_eq!(report.json["ours"].as_object().unwrap().len(), keys.len() + intervals.len());
    assert_eq!(report.json["peers"].as_object().unwrap().len(), 6);
    assert_eq!(report.json["ours"]["wipeouts"], 0);
    assert_eq!(report.json["ours"]["bad_debt_usdc"], 0.0);
    assert!(report.json["ours"]["max_leverage"].as_f64().unwrap() < 3.6, "the March 2020 crash stays under the emergency threshold");
    assert!(report.table.contains("ours"));
    // nav, leverage, drawdowns + the 2020-03-12 zoom pair.
    assert_eq!(report.plots.len(), 5, "{:?}", report.plots);
    for p in &report.plots {
        assert!(std::fs::metadata(p).unwrap().len() > 10_000);
    }

    // The economics-only engine gives the same numbers for ours.
    let math = crate::backtest::cmd::run(
        &crate::backtest::cmd::BacktestArgs { engine: crate::backtest::cmd::Engine::Math, no_plots: true, no_peers: true, ..args },
        true,
    )
    .await
    .unwrap();
    assert_eq!(math.json["ours"], report.json["ours"]);
}

#[tokio::test]
async fn cli_backtest_reads_a_csv_and_rejects_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    let mut text = String::from("unix,close\n");
    for i in 0..200 {
        text += &format!("{},{}\n", 1_600_000_000_000i64 + i * 3_600_000, 300.0 + (i as f64 / 5.0).sin() * 20.0);
    }
    std::fs::write(&csv, text).unwrap();
    let args = crate::backtest::cmd::BacktestArgs {
        prices: Some(csv.clone()),
        from: None,
        to: None,
        out: dir.path().join("out"),
        engine: crate::backtest::cmd::Engine::Math,
        rule: crate::commands::Rule::Full,
        no_peers: true,
        no_plots: true,
        keeper_cadence: crate::backtest::run::Cadence::Substeps,
        intrahour: crate::backtest::run::Intrahour::Close,
        model: Default::default(),
    };
    let r = crate::backtest::cmd::run(&args, true).await.unwrap();
    assert_eq!(r.json["ours"]["hours"], 199);
    std::fs::write(&csv, "unix,close\n1,abc\n").unwrap();
    assert!(crate::backtest::cmd::run(&args, true).await.is_err());
}

/// The out-of-sample protocol on any price file: the preset is chosen before the split from the
/// grid, both periods are reported, and the chosen preset is checked under all four scenarios.
#[tokio::test]
async fn cli_backtest_sweep_chooses_in_sample_and_reports_both_periods() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    let mut text = String::from("unix,high,low,close\n");
    let t0 = 1_600_000_000i64 - 1_600_000_000 % 86_400;
    for i in 0..(24 * 70) {
        let c = 300.0 + (i as f64 / 9.0).sin() * 25.0 + (i as f64 / 200.0).sin() * 60.0;
        text += &format!("{},{},{},{}\n", (t0 + i * 3_600) * 1_000, c * 1.01, c * 0.99, c);
    }
    std::fs::write(&csv, text).unwrap();
    let split = crate::backtest::prices::format_ts(t0 + 35 * 86_400)[..10].to_string();
    let args = crate::backtest::sweep::SweepArgs {
        prices: Some(csv),
        split: split.clone(),
        out: dir.path().join("out"),
        keeper_cadence: crate::backtest::run::Cadence::Substeps,
        intrahour: crate::backtest::run::Intrahour::Close,
        no_plots: false,
        no_capacity: false,
        model: Default::default(),
    };
    let r = crate::backtest::sweep::run(&args).await.unwrap();
    assert!(r.in_sample.to < r.out_of_sample.from && r.out_of_sample.from.starts_with(&split), "{} {}", r.in_sample.to, r.out_of_sample.from);
    let grid = crate::backtest::sweep::grid();
    assert_eq!(r.in_sample.grid.len(), grid.len());
    let k = crate::backtest::sweep::choose(&r.in_sample.grid).unwrap();
    assert_eq!(r.chosen_params, [grid[k].band_low_bps, grid[k].band_high_bps, grid[k].recentre_share_bps, grid[k].recentre_tolerance_bps]);
    assert_eq!(r.in_sample.chosen.name, r.out_of_sample.chosen.name);
    assert_eq!(r.in_sample.peers.len(), 6);
    // Both keeper cadences × both intrahour paths, on the sweep's venue (the goal's) and the flat one.
    assert_eq!(r.out_of_sample_scenarios.len(), 8);
    assert_eq!(r.out_of_sample_scenarios.iter().filter(|c| c.venue == "amm").count(), 4);
    assert_eq!(r.out_of_sample_scenarios.iter().filter(|c| c.venue == "flat:10").count(), 4);
    assert_eq!(
        r.goal_met,
        r.out_of_sample_scenarios.iter().filter(|c| c.venue == "amm").all(|c| c.chosen.wipeouts == 0 && c.dominated_by.is_empty())
    );
    assert_eq!(r.plots.len(), 2 + 8);
    assert!(r.plots.iter().all(|p| std::fs::metadata(p).unwrap().len() > 10_000));
    assert!(crate::backtest::sweep::table(&r).contains("out-of-sample"));
    // Capacity: every AUM level under the default execution (ours and the six peers) and ours under
    // each other execution setting; a capacity per setting, never above the largest level.
    let levels = crate::backtest::sweep::AUM_LEVELS;
    assert_eq!(r.capacity.len(), levels.len() * 3);
    assert!(r.capacity.iter().filter(|c| c.execution == "default").all(|c| c.points.len() == 7));
    assert_eq!(r.capacity_within_2x_usd.len(), 3);
    assert!(r.capacity_within_2x_usd.iter().all(|(_, cap)| *cap == 0 || levels.contains(cap)));
    assert!(crate::backtest::sweep::table(&r).contains("capacity"));
}

#[test]
fn cli_arguments_parse_as_documented() {
    use clap::Parser;
    let parse = |args: &[&str]| crate::Cli::try_parse_from(std::iter::once("levtoken").chain(args.iter().copied()));
    let c = parse(&["backtest", "--json", "out.json", "--from", "2020-01-01", "--engine", "math"]).unwrap();
    assert_eq!(c.json, Some(Some(std::path::PathBuf::from("out.json"))));
    let c = parse(&["status", "--json"]).unwrap();
    assert_eq!(c.json, Some(None));
    let c = parse(&["mint", "--usdc", "12.5", "--max-slippage-bps", "30", "--url", "http://x:8899", "--keypair", "/k.json"]).unwrap();
    assert_eq!(c.url.as_deref(), Some("http://x:8899"));
    assert!(matches!(c.command, crate::Command::Mint { ref usdc, max_slippage_bps: 30 } if usdc == "12.5"));
    assert_eq!(c.with_compute_unit_price, None);
    let c = parse(&["rebalance", "--with-compute-unit-price", "2500"]).unwrap();
    assert_eq!(c.with_compute_unit_price, Some(2_500));
    for args in [
        &["demo"][..],
        &["backtest", "--rule", "full", "--no-plots"],
        &["backtest", "--keeper-cadence", "hourly", "--intrahour", "high-low", "--engine", "math"],
        &["backtest-sweep", "--split", "2019-07-14", "--no-plots"],
        &["backtest-sweep", "--venue", "flat:10", "--aum", "10000000", "--arb-half-life", "0", "--chunk-cooldown", "0", "--no-capacity"],
        &["backtest", "--venue", "amm", "--aum", "1000000", "--engine", "math"],
        &["redeem", "--tokens", "3"],
        &["rebalance", "--market-id", "2"],
        &["lend", "--usdc", "5", "--mint", "11111111111111111111111111111111"],
        &["withdraw", "--shares", "5", "--mint", "11111111111111111111111111111111"],
        &["keeper", "--interval", "5", "--ticks", "3"],
        &["pause"],
        &["unpause", "--market-id", "2"],
        &["set-params", "--rule", "partial"],
        &["execute-change"],
        &["set-metadata-uri", "--uri", "https://example.org/ethbull3x.json"],
        &["cancel-change", "--market-id", "2"],
        &["claim-fees"],
        &["settle"],
        &["redeem-in-kind", "--tokens", "2"],
        &[
            "init-market",
            "--collateral-mint",
            "11111111111111111111111111111111",
            "--quote-mint",
            "11111111111111111111111111111111",
            "--oracle",
            "11111111111111111111111111111111",
        ],
        &[
            "init-market",
            "--collateral-mint",
            "11111111111111111111111111111111",
            "--quote-mint",
            "11111111111111111111111111111111",
            "--oracle",
            "11111111111111111111111111111111",
            "--rule",
            "partial",
            "--timelock-secs",
            "0",
        ],
    ] {
        parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
    assert!(parse(&["mint"]).is_err(), "--usdc is required");
    assert!(parse(&["frobnicate"]).is_err());
}

/// The JSON-RPC path: the same commands through `RpcChain` and the real `solana-rpc-client`,
/// served by the in-process bank (`levtoken_client::rpc_bank`): confirmation, account reads,
/// simulation, transaction logs (the events the commands report) and refused transactions.
#[tokio::test]
async fn cli_commands_over_json_rpc() {
    use levtoken_client::{chain::Chain, rpc_bank::BankRpcSender};
    let mut w = world().await;
    #[allow(deprecated)] // the bank's client handle; the crate marks its fields unstable
    let sender = BankRpcSender::new(w.bank.ctx.banks_client.clone());
    let mut rpc = levtoken_client::chain::rpc::RpcChain::with_sender(sender.clone(), w.bank.payer());

    assert_eq!(rpc.unix_time().await.unwrap(), w.bank.now().await);
    let s = commands::status(&mut rpc, &w.keys).await.unwrap();
    assert_eq!((s.nav_usdc, s.leverage), (0.0, None));

    // Mint and redeem report the program's own events, read back from the confirmed transactions.
    let m = commands::mint(&mut rpc, &w.keys, 1_000 * USD, 0).await.unwrap();
    assert!(m.signature.is_some());
    assert_eq!(m.tokens, m.quoted_tokens);
    assert!(m.borrowed_usdc > 1_900.0 && (m.leverage - 3.0).abs() < 0.01, "{} {}", m.borrowed_usdc, m.leverage);
    let me = rpc.payer();
    let lev_acct = WalletAccounts::of(me, &w.keys).lev;
    let tokens = token_balance(&mut rpc, &lev_acct).await.unwrap();
    assert_eq!(tokens as f64 / 1e6, m.tokens);
    let r = commands::redeem(&mut rpc, &w.keys, tokens / 4, 0).await.unwrap();
    assert_eq!(r.usdc_out, r.quoted_usdc);
    assert!(r.usdc_out > 240.0 && r.usdc_out < 250.0, "{}", r.usdc_out);

    // A refused transaction carries the program's error code and the preflight logs.
    let wa = WalletAccounts::of(me, &w.keys);
    let ix = w.keys.mint(me, wa.usdc, wa.lev, 100 * USD, u64::MAX);
    match rpc.send(&[ix], &[]).await {
        Err(levtoken_client::chain::ChainError::Failed { code, logs, .. }) => {
            assert_eq!(code, Some(leveraged_token::LevError::TokensBelowMinimum.into()));
            let code = u32::from(leveraged_token::LevError::TokensBelowMinimum);
            assert!(logs.iter().any(|l| l.ends_with(&format!("failed: custom program error: {code:#x}"))), "{logs:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Lending, a rebalance and a keeper tick over RPC.
    let lend = commands::lend(&mut rpc, &w.keys.lending, 500 * USD).await.unwrap();
    assert!(lend.shares > 490.0 && lend.shares <= 500.0, "{}", lend.shares);
    let wd = commands::withdraw(&mut rpc, &w.keys.lending, (lend.share_balance * 1e6) as u64).await.unwrap();
    assert!(wd.usdc > 499.0 && wd.usdc <= 500.01, "{}", wd.usdc);
    w.move_price(3_600).await.unwrap();
    let rb = commands::rebalance(&mut rpc, &w.keys).await.unwrap();
    assert_eq!(rb.trigger, "outside band");
    assert!(rb.relever && (rb.leverage_after - 3.0).abs() < 0.01, "{}", rb.leverage_after);
    w.move_price(3_300).await.unwrap();
    match keeper::tick(&mut rpc, &w.keys, &keeper::KeeperConfig::default()).await.unwrap() {
        keeper::Tick::Rebalanced(r) => assert!(!r.relever && (r.leverage_after - 3.0).abs() < 0.01, "{}", r.leverage_after),
        other => panic!("expected a rebalance, got {other:?}"),
    }
    assert!(sender.requests() > 20);
}

/// Over JSON-RPC every command simulates first and asks for what that used plus a margin, not the
/// 1.4M maximum; `--with-compute-unit-price` adds a priority fee on that limit.
#[tokio::test]
async fn cli_over_json_rpc_sizes_the_compute_limit_and_pays_the_priority_fee() {
    use levtoken_client::{chain::Chain, rpc_bank::BankRpcSender};
    let w = world().await;
    #[allow(deprecated)] // the bank's client handle; the crate marks its fields unstable
    let sender = BankRpcSender::new(w.bank.ctx.banks_client.clone());
    let mut rpc = levtoken_client::chain::rpc::RpcChain::with_sender(sender, w.bank.payer());
    commands::mint(&mut rpc, &w.keys, 100 * USD, 50).await.unwrap();
    let payer = rpc.payer();
    let lamports = async |rpc: &mut levtoken_client::chain::rpc::RpcChain| rpc.account(&payer).await.unwrap().unwrap().lamports;
    let b0 = lamports(&mut rpc).await;
    commands::mint(&mut rpc, &w.keys, 100 * USD, 50).await.unwrap();
    let b1 = lamports(&mut rpc).await;
    rpc.compute_unit_price = Some(1_000_000); // one lamport per unit: the fee is the limit itself
    commands::mint(&mut rpc, &w.keys, 100 * USD, 50).await.unwrap();
    let b2 = lamports(&mut rpc).await;
    let priority = (b1 - b2) - (b0 - b1);
    assert!((levtoken_client::budget::MARGIN_UNITS..400_000).contains(&priority), "limit asked for: {priority}");
}

/// Every transaction a holder or a keeper sends — mint, redeem, redeem in kind, rebalance, a keeper
/// tick, settle, claim fees — with its compute-unit limit and a priority fee, fits Solana's
/// 1,232-byte packet without a lookup table (the margins are what `levtoken bench-cu` prints).
#[tokio::test]
async fn cli_user_and_keeper_transactions_fit_one_packet() {
    use levtoken_client::budget::PACKET_BYTES;
    let mut w = world().await;
    w.bank.journal = Some(Vec::new());
    w.bank.compute_unit_price = Some(1);
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    let lev = WalletAccounts::of(w.bank.payer_key(), &w.keys).lev;
    let tokens = token_balance(&mut w.bank, &lev).await.unwrap();
    commands::redeem(&mut w.bank, &w.keys, tokens / 4, 50).await.unwrap();
    commands::redeem_in_kind(&mut w.bank, &w.keys, tokens / 4, 50).await.unwrap();
    w.move_price(3_600).await.unwrap();
    commands::rebalance(&mut w.bank, &w.keys).await.unwrap();
    w.move_price(3_200).await.unwrap();
    assert!(matches!(keeper::tick(&mut w.bank, &w.keys, &keeper::KeeperConfig::default()).await.unwrap(), keeper::Tick::Rebalanced(_)));
    commands::claim_fees(&mut w.bank, &w.keys).await.unwrap();
    w.move_price(1_500).await.unwrap();
    assert!(commands::settle(&mut w.bank, &w.keys).await.is_ok());
    let sent: Vec<_> = w.bank.journal.take().unwrap().into_iter().filter(|j| !j.simulated).collect();
    assert!(sent.len() >= 8, "{} transactions", sent.len());
    for j in &sent {
        let o = &j.outcome;
        assert!(o.tx_bytes > 200 && o.tx_bytes <= PACKET_BYTES, "{} bytes, {} accounts: {:?}", o.tx_bytes, o.tx_accounts, o.logs.get(4));
    }
}

#[tokio::test]
async fn cli_pause_unpause_and_set_params() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    let r = commands::set_pause(&mut w.bank, &w.keys, true).await.unwrap();
    assert!(r.mint_paused);
    let err = commands::mint(&mut w.bank, &w.keys, 100 * USD, 50).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::MintPaused).to_string()), "{err}");
    // Redemptions stay open while paused.
    let lev = WalletAccounts::of(w.bank.payer_key(), &w.keys).lev;
    let tokens = token_balance(&mut w.bank, &lev).await.unwrap();
    commands::redeem(&mut w.bank, &w.keys, tokens / 10, 50).await.expect("redeem while paused");
    assert!(!commands::set_pause(&mut w.bank, &w.keys, false).await.unwrap().mint_paused);
    commands::mint(&mut w.bank, &w.keys, 100 * USD, 50).await.expect("minting resumed");

    // set-params queues the preset behind the timelock (0 on this localnet world); nothing changes
    // until execute-change.
    let now = w.bank.now().await;
    let r = commands::queue_params(&mut w.bank, &w.keys, commands::Rule::Partial.params()).await.unwrap();
    assert_eq!(r.queued, Some(commands::QueuedView { kind: "params".into(), eta: now + r.timelock_secs }));
    assert_eq!(r.rule.band, [2.8, 3.2]);
    let err = commands::queue_params(&mut w.bank, &w.keys, commands::Rule::Full.params()).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::ChangeAlreadyQueued).to_string()), "{err}");
    let r = commands::execute_change(&mut w.bank, &w.keys).await.unwrap();
    assert_eq!((r.rule.band, r.rule.recentre_share, r.rule.emergency_leverage, r.queued), ([2.65, 3.15], 0.05, 3.6, None));
    let s = commands::status(&mut w.bank, &w.keys).await.unwrap();
    assert_eq!(s.rule.band, [2.65, 3.15]);
    // Out of bounds is refused by the program when queued, and nothing changes.
    let bad = leveraged_token::MarketParams { recentre_share_bps: 10_001, ..commands::Rule::Partial.params() };
    let err = commands::queue_params(&mut w.bank, &w.keys, bad).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::InvalidParams).to_string()), "{err}");
    assert_eq!(commands::status(&mut w.bank, &w.keys).await.unwrap().rule.recentre_share, 0.05);
    // A queued change can be cancelled by the guardian (the signer here) and then never executes.
    commands::queue_params(&mut w.bank, &w.keys, commands::Rule::Full.params()).await.unwrap();
    assert_eq!(commands::cancel_change(&mut w.bank, &w.keys).await.unwrap().queued, None);
    let err = commands::execute_change(&mut w.bank, &w.keys).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::NoChangeQueued).to_string()), "{err}");
    assert_eq!(commands::status(&mut w.bank, &w.keys).await.unwrap().rule.recentre_share, 0.05);
    // set-metadata-uri queues a longer URI; execute-change funds the mint for it and applies it.
    let uri = "https://metadata.example.org/tokens/ethbull3x/v2/ethbull3x-token-metadata.json";
    let r = commands::queue_metadata_uri(&mut w.bank, &w.keys, uri).await.unwrap();
    assert_eq!(r.queued.as_ref().map(|q| q.kind.as_str()), Some("metadata_uri"));
    assert!(commands::queue_metadata_uri(&mut w.bank, &w.keys, &"x".repeat(201)).await.is_err());
    assert_eq!(commands::execute_change(&mut w.bank, &w.keys).await.unwrap().queued, None);
    let mint = w.bank.account(&w.keys.lev_mint).await.unwrap();
    assert!(String::from_utf8_lossy(&mint.data).contains(uri));
}

#[tokio::test]
async fn cli_claim_fees_pays_the_treasury() {
    let mut w = world().await;
    // The demo world charges no fees; switch to the product's fee schedule first.
    commands::queue_params(&mut w.bank, &w.keys, commands::Rule::Full.params()).await.unwrap();
    commands::execute_change(&mut w.bank, &w.keys).await.unwrap();
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    w.bank.warp_seconds(30 * 86_400).await;
    w.move_price(3_000).await.unwrap();
    let lev = WalletAccounts::of(w.bank.payer_key(), &w.keys).lev;
    let tokens = token_balance(&mut w.bank, &lev).await.unwrap();
    commands::redeem(&mut w.bank, &w.keys, tokens / 2, 50).await.unwrap();
    let m: leveraged_token::Market = levtoken_client::chain::anchor_account(&mut w.bank, &w.keys.market).await.unwrap();
    // $1 mint fee (10 bps of $1,000) plus the redeem fee; a month of the 2%/yr streaming fee.
    assert!(m.fees_quote > USD && m.fees_lev > 0, "{} {}", m.fees_quote, m.fees_lev);
    let supply_before = w.bank.mint_supply(&w.keys.lev_mint).await;
    // The treasury here is the payer, whose wallet accounts already hold USDC and tokens.
    let wallet = WalletAccounts::of(w.bank.payer_key(), &w.keys);
    let (usdc_before, lev_before) = (token_balance(&mut w.bank, &wallet.usdc).await.unwrap(), token_balance(&mut w.bank, &wallet.lev).await.unwrap());
    let r = commands::claim_fees(&mut w.bank, &w.keys).await.unwrap();
    assert_eq!((r.usdc, r.tokens), (m.fees_quote as f64 / 1e6, m.fees_lev as f64 / 1e6));
    assert_eq!((r.usdc_account.clone(), r.token_account.clone()), (wallet.usdc.to_string(), wallet.lev.to_string()));
    assert_eq!(token_balance(&mut w.bank, &wallet.usdc).await.unwrap() - usdc_before, m.fees_quote);
    assert_eq!(token_balance(&mut w.bank, &wallet.lev).await.unwrap() - lev_before, m.fees_lev);
    assert_eq!(w.bank.mint_supply(&w.keys.lev_mint).await, supply_before + m.fees_lev);
    let m: leveraged_token::Market = levtoken_client::chain::anchor_account(&mut w.bank, &w.keys.market).await.unwrap();
    assert_eq!((m.fees_quote, m.fees_lev), (0, 0));
}

#[tokio::test]
async fn cli_keeper_settles_an_insolvent_vault() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    let cfg = keeper::KeeperConfig::default();
    // ETH −70% at once: NAV < 0, no rebalance can help.
    w.move_price(900).await.unwrap();
    let pool_before: lending_pool::LendingPool = levtoken_client::chain::anchor_account(&mut w.bank, &w.keys.lending.pool).await.unwrap();
    match keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap() {
        keeper::Tick::Settled { collateral_sold, debt_repaid, settled, .. } => {
            assert!(collateral_sold > 0 && debt_repaid > 0 && settled);
        }
        other => panic!("expected a settlement, got {other:?}"),
    }
    let m: leveraged_token::Market = levtoken_client::chain::anchor_account(&mut w.bank, &w.keys.market).await.unwrap();
    assert!(m.settled && m.collateral == 0);
    // The pool's books no longer carry the lost debt.
    let pool: lending_pool::LendingPool = levtoken_client::chain::anchor_account(&mut w.bank, &w.keys.lending.pool).await.unwrap();
    assert_eq!(pool.total_debt().unwrap(), 0);
    assert!(pool.total_assets().unwrap() < pool_before.total_assets().unwrap());
    match keeper::tick(&mut w.bank, &w.keys, &cfg).await.unwrap() {
        keeper::Tick::Idle { reason, .. } => assert_eq!(reason, "settled after insolvency"),
        other => panic!("expected idle, got {other:?}"),
    }
    // The CLI's settle command says so too.
    let err = commands::settle(&mut w.bank, &w.keys).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::MarketSettled).to_string()), "{err}");
}

#[tokio::test]
async fn cli_redeem_in_kind_with_a_stale_oracle() {
    let mut w = world().await;
    commands::mint(&mut w.bank, &w.keys, 1_000 * USD, 50).await.unwrap();
    let lev = WalletAccounts::of(w.bank.payer_key(), &w.keys).lev;
    let tokens = token_balance(&mut w.bank, &lev).await.unwrap();
    // An hour without a price: the priced redemption is refused, the in-kind one is not.
    w.bank.warp_seconds(3_600).await;
    let err = commands::redeem(&mut w.bank, &w.keys, tokens / 2, 50).await.unwrap_err();
    assert!(err.to_string().contains(&u32::from(leveraged_token::LevError::OracleStale).to_string()), "{err}");
    let r = commands::redeem_in_kind(&mut w.bank, &w.keys, tokens / 2, 50).await.unwrap();
    // Half of a $1,000 3x position: about $1,500 of ETH at $3,000 (0.5 ETH) and $1,000 of debt.
    assert!((r.collateral_eth - 0.5).abs() < 0.01, "{}", r.collateral_eth);
    assert!((r.debt_repaid_usdc - 1_000.0).abs() < 10.0, "{}", r.debt_repaid_usdc);
    assert_eq!(token_balance(&mut w.bank, &lev).await.unwrap(), tokens - tokens / 2);
}
