//! The bank's own runtime, on a paused clock.
//!
//! solana-program-test's context registers a new blockhash every 6.4 ms (a background task on the
//! runtime that started it: 64 ticks of 100 µs), so a blockhash expires after about a second (150
//! registrations) — far too short for a wallet whose user takes a few seconds to approve. The
//! context is therefore started on a dedicated current-thread runtime whose clock is paused and
//! never auto-advances (a blocking task held open inhibits that), so that task's timer fires only
//! when the node moves that clock on: [`Ticker::register_blockhash`] advances it by one period, and
//! the task registers exactly one blockhash. The node does so once per slot (`--slot-ms`, 400 ms by
//! default, as a validator): a blockhash then lives 150 slots, a minute.
//!
//! The node does not create a bank per slot (`warp_to_slot`): every new bank rewrites the sysvars
//! (the 128 KiB SlotHistory among them) and program-test never cleans old account versions, so a
//! node warping every 400 ms grew by about 400 KB a second. It keeps one bank, as the backtest does
//! over tens of thousands of transactions, and counts its slots in the JSON-RPC layer
//! ([`levtoken_client::rpc_bank::BankRpc::advance_slot`]) and in the Clock sysvar.
//!
//! The banks server and its client run on that runtime too; their deadlines follow the paused
//! clock, so they never expire; other runtimes reach them through channels.

use std::{thread::JoinHandle, time::Duration};

use anyhow::{anyhow, Result};
use levtoken_client::bank::Bank;
use solana_program_test::ProgramTest;

/// program-test's blockhash task sleeps 64 ticks of 100 µs; one advance of this much (rounded up
/// to the timer's millisecond, and less than two periods) wakes it exactly once.
const TICK: Duration = Duration::from_millis(10);

/// The thread running the bank's runtime; stops it when dropped.
pub struct BankThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    pub ticker: Ticker,
}

/// Moves the bank runtime's paused clock on.
#[derive(Clone)]
pub struct Ticker {
    tx: tokio::sync::mpsc::UnboundedSender<tokio::sync::oneshot::Sender<()>>,
}

impl Ticker {
    /// Advance the bank's runtime clock by one blockhash period, so the bank registers one new
    /// blockhash; returns once it has run.
    pub async fn register_blockhash(&self) -> Result<()> {
        let (done, wait) = tokio::sync::oneshot::channel();
        self.tx.send(done).map_err(|_| anyhow!("the bank thread has stopped"))?;
        wait.await.map_err(|_| anyhow!("the bank thread has stopped"))
    }
}

impl Drop for BankThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Start `pt` on its own paused-clock runtime; the bank (usable from any runtime) and its thread.
pub fn start_bank(pt: ProgramTest) -> Result<(Bank, BankThread)> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (tick_tx, mut tick_rx) = tokio::sync::mpsc::unbounded_channel::<tokio::sync::oneshot::Sender<()>>();
    let thread = std::thread::Builder::new().name("localnet-bank".into()).spawn(move || {
        let rt = match tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build() {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(anyhow!("bank runtime: {e}")));
                return;
            }
        };
        rt.block_on(async move {
            // While a blocking task runs, a paused clock does not auto-advance.
            let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
            let hold = tokio::task::spawn_blocking(move || {
                let _ = hold_rx.recv();
            });
            let bank = Bank::start_with(pt).await;
            let _ = ready_tx.send(Ok(bank));
            loop {
                tokio::select! {
                    _ = &mut stop_rx => break,
                    tick = tick_rx.recv() => match tick {
                        Some(done) => {
                            // `advance` yields once; a few more let the woken task run first.
                            tokio::time::advance(TICK).await;
                            for _ in 0..4 {
                                tokio::task::yield_now().await;
                            }
                            let _ = done.send(());
                        }
                        None => break,
                    },
                }
            }
            drop(hold_tx);
            let _ = hold.await;
        });
    })?;
    let bank = ready_rx.recv().map_err(|_| anyhow!("the bank thread stopped before the bank started"))??;
    Ok((bank, BankThread { stop: Some(stop_tx), thread: Some(thread), ticker: Ticker { tx: tick_tx } }))
}
