//! Compute budget: every client (CLI, keeper, migrations, tests) asks for what a simulation of the
//! transaction used plus a margin, instead of the 1.4M maximum, and adds a priority fee when asked
//! (`--with-compute-unit-price`, the Solana CLI's flag).

use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;

/// The per-transaction maximum; also what a simulation is run with.
pub const MAX_COMPUTE_UNITS: u32 = 1_400_000;
/// Headroom on top of the simulated use: the chain may move between simulation and landing
/// (interest accrues, a rebalance sizes its trade on fresher reserves).
pub const MARGIN_BPS: u64 = 1_000;
/// Added to every limit: covers the compute-budget instructions themselves and small paths.
pub const MARGIN_UNITS: u64 = 5_000;

/// The limit to ask for after a simulation consumed `used` units: used × 1.1 + 5,000, at most
/// [`MAX_COMPUTE_UNITS`].
pub fn limit_from_simulation(used: u64) -> u32 {
    let limit = used.saturating_mul(10_000 + MARGIN_BPS).div_ceil(10_000).saturating_add(MARGIN_UNITS);
    limit.min(MAX_COMPUTE_UNITS as u64) as u32
}

/// The limit a transaction is sent with: [`limit_from_simulation`] rounded up to a thousand, plus
/// `nonce % 1000` (the maximum less that without a simulation). Two identical transactions sent
/// under one blockhash would be one transaction to the cluster (the second dropped as already
/// processed); consecutive nonces always give different limits, whatever the simulations used.
pub fn limit_with_jitter(used: Option<u64>, nonce: u32) -> u32 {
    let jitter = nonce % 1_000;
    let ceiling = MAX_COMPUTE_UNITS - 1_000;
    let base = match used {
        Some(u) => limit_from_simulation(u).div_ceil(1_000).saturating_mul(1_000).min(ceiling),
        None => ceiling,
    };
    base + jitter
}

/// The compute-budget instructions to put before a transaction's own: the limit, and the price
/// in micro-lamports per unit when one is set (none, or 0, adds no instruction).
pub fn budget_ixs(limit: u32, price_micro_lamports: Option<u64>) -> Vec<Instruction> {
    let mut v = vec![ComputeBudgetInstruction::set_compute_unit_limit(limit)];
    if let Some(p) = price_micro_lamports.filter(|p| *p > 0) {
        v.push(ComputeBudgetInstruction::set_compute_unit_price(p));
    }
    v
}

/// Wire size in bytes and account count of the legacy transaction `ixs` (compute budget
/// included) paid by `payer`, to hold against Solana's [`PACKET_BYTES`] limit.
pub fn tx_size(ixs: &[Instruction], payer: &solana_pubkey::Pubkey) -> (usize, usize) {
    message_size(&solana_message::Message::new(ixs, Some(payer)))
}

/// [`tx_size`] of a compiled message: shortvec(signatures) ‖ 64 per signature ‖ header (3) ‖
/// shortvec(keys) ‖ 32 per key ‖ blockhash (32) ‖ shortvec(instructions) ‖ per instruction: program
/// index, shortvec(accounts) ‖ one byte each, shortvec(data) ‖ data.
pub fn message_size(m: &solana_message::Message) -> (usize, usize) {
    fn shortvec(n: usize) -> usize {
        match n {
            0..=0x7f => 1,
            0x80..=0x3fff => 2,
            _ => 3,
        }
    }
    let sigs = m.header.num_required_signatures as usize;
    let ix_bytes: usize = m.instructions.iter().map(|i| 1 + shortvec(i.accounts.len()) + i.accounts.len() + shortvec(i.data.len()) + i.data.len()).sum();
    let bytes = shortvec(sigs) + 64 * sigs + 3 + shortvec(m.account_keys.len()) + 32 * m.account_keys.len() + 32 + shortvec(m.instructions.len()) + ix_bytes;
    (bytes, m.account_keys.len())
}

/// The packet limit a transaction must fit (Solana's `PACKET_DATA_SIZE`).
pub const PACKET_BYTES: usize = 1_232;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_the_simulated_use_plus_a_tenth_and_a_margin_bounded_by_the_maximum() {
        assert_eq!(limit_from_simulation(0), 5_000);
        assert_eq!(limit_from_simulation(150_000), 170_000);
        assert_eq!(limit_from_simulation(150_001), 170_002);
        assert_eq!(limit_from_simulation(1_300_000), MAX_COMPUTE_UNITS);
        assert_eq!(limit_from_simulation(u64::MAX), MAX_COMPUTE_UNITS);
    }

    #[cfg(feature = "bank")]
    #[test]
    fn the_size_is_the_wire_format() {
        let payer = solana_pubkey::Pubkey::new_unique();
        let ix = Instruction::new_with_bytes(
            solana_pubkey::Pubkey::new_unique(),
            &[1, 2, 3],
            vec![solana_instruction::AccountMeta::new(solana_pubkey::Pubkey::new_unique(), true)],
        );
        let ixs = [budget_ixs(1_000, Some(1)), vec![ix]].concat();
        let msg = solana_message::Message::new(&ixs, Some(&payer));
        let mut tx = solana_transaction::Transaction::new_unsigned(msg);
        tx.signatures = vec![Default::default(); 2];
        let wire = bincode::serialize(&tx).unwrap();
        assert_eq!(tx_size(&ixs, &payer), (wire.len(), 4));
    }

    #[test]
    fn consecutive_limits_differ_whatever_the_simulations_used() {
        assert_eq!(limit_with_jitter(Some(150_000), 7), 170_007);
        assert_eq!(limit_with_jitter(Some(150_001), 7), 171_007);
        assert_eq!(limit_with_jitter(None, 3), MAX_COMPUTE_UNITS - 1_000 + 3);
        assert_eq!(limit_with_jitter(Some(u64::MAX), 999), MAX_COMPUTE_UNITS - 1);
        for n in 0..3_000u32 {
            for (a, b) in [(150_000, 149_999), (150_000, 150_001), (10, 2_000_000), (0, 0)] {
                assert_ne!(limit_with_jitter(Some(a), n), limit_with_jitter(Some(b), n + 1), "{a} {b} {n}");
            }
        }
    }

    #[test]
    fn a_price_adds_the_price_instruction() {
        assert_eq!(budget_ixs(10, None).len(), 1);
        assert_eq!(budget_ixs(10, Some(0)).len(), 1);
        let v = budget_ixs(10, Some(5));
        assert_eq!(v.len(), 2);
        assert_eq!(v[1], ComputeBudgetInstruction::set_compute_unit_price(5));
        assert_eq!(v[0], ComputeBudgetInstruction::set_compute_unit_limit(10));
    }
}
