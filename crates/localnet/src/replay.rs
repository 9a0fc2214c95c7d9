//! Replaying a price history: each point is published at the oracle after the history's own
//! interval divided by the speed, and the AMM is arbitraged to it (the keeper, when on, rebalances
//! on its own cadence).

use std::{sync::Arc, time::Duration};

use crate::world::World;

/// A price history to replay.
#[derive(Clone, Debug)]
pub struct Replay {
    /// `(unix seconds, ETH/USD)`, oldest first.
    pub points: Vec<(i64, f64)>,
    /// History seconds per wall-clock second (3600: an hour of history a second).
    pub speed: f64,
    /// Start again from the first point at the end.
    pub repeat: bool,
    /// Where the points came from (for the banner).
    pub source: String,
}

impl Replay {
    pub fn describe(&self) -> String {
        let (n, first, last) = (self.points.len(), self.points.first().map_or(0, |p| p.0), self.points.last().map_or(0, |p| p.0));
        format!(
            "{} ({n} points over {:.1} days) at {}x{}",
            self.source,
            (last - first) as f64 / 86_400.0,
            self.speed,
            if self.repeat { ", repeating" } else { "" }
        )
    }

    /// Wall-clock wait between two points.
    pub fn wait(&self, from: i64, to: i64) -> Duration {
        let secs = ((to - from).max(0) as f64 / self.speed.max(1e-9)).min(3_600.0);
        Duration::from_secs_f64(secs)
    }
}

pub async fn run(world: Arc<World>, replay: Replay, quiet: bool) {
    if replay.points.len() < 2 {
        return;
    }
    loop {
        for w in replay.points.windows(2) {
            tokio::time::sleep(replay.wait(w[0].0, w[1].0)).await;
            match world.set_price(w[1].1).await {
                Ok(m) if !quiet => eprintln!("localnet: replay t={} ETH/USD ${:.2}", w[1].0, m.price_usd),
                Ok(_) => {}
                Err(e) => eprintln!("localnet: replay: {e:#}"),
            }
        }
        if !replay.repeat {
            return;
        }
        if let Err(e) = world.set_price(replay.points[0].1).await {
            eprintln!("localnet: replay: {e:#}");
        }
    }
}
