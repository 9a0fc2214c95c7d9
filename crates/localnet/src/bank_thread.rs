//! The bank's own runtime, on a paused clock.
//!
//! solana-program-test's context registers a new blockhash every 6.4 ms (a background task on the
//! runtime that started it: 64 ticks of 100 µs), so a blockhash expires after about a second (150
//! registrations) — far too short for a wallet whose user takes a few seconds to approve. The
//! context is therefore started on a dedicated current-thread runtime whose clock is paused and
//! never auto-advances (a blocking task held open inhibits that), so that task's timer never fires.
//! The node registers blockhashes itself, one per slot, by warping the bank a slot ahead every
//! `--slot-ms` (400 ms by default, as a validator): a blockhash then lives 150 slots, a minute.
//! The banks server and its client run on that runtime too; they need no timers (their deadlines
//! simply never expire), and other runtimes reach them through channels.

use std::thread::JoinHandle;

use anyhow::{anyhow, Result};
use levtoken_client::bank::Bank;
use solana_program_test::ProgramTest;

/// The thread running the bank's runtime; stops it when dropped.
pub struct BankThread {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
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
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
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
            let _ = stop_rx.await;
            drop(hold_tx);
            let _ = hold.await;
        });
    })?;
    let bank = ready_rx.recv().map_err(|_| anyhow!("the bank thread stopped before the bank started"))??;
    Ok((bank, BankThread { stop: Some(stop_tx), thread: Some(thread) }))
}
