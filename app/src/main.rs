//! `levtoken`: the ETHBULL3X command line — user commands, keeper bot, backtest.

mod backtest;

fn main() {}
