use anchor_lang::prelude::*;
use lev_math::{Position, Price, Round};

use crate::{LevError, MarketParams};

pub const MARKET_SEED: &[u8] = b"market";
pub const LEV_MINT_SEED: &[u8] = b"lev_mint";
pub const COLLATERAL_VAULT_SEED: &[u8] = b"collateral";
pub const QUOTE_VAULT_SEED: &[u8] = b"quote";
/// The PDA that owns the transit accounts and is the only signature a swap venue ever receives.
pub const TRANSIT_AUTHORITY_SEED: &[u8] = b"transit_authority";
/// Transit token accounts: `["transit", market, mint]`, owned by the swap authority, holding a
/// swap's input only for the duration of the venue's CPI.
pub const TRANSIT_SEED: &[u8] = b"transit";
/// Leveraged token decimals (same as USDC: 1 token = 1 USDC at launch).
pub const LEV_DECIMALS: u8 = 6;
/// How many swap venues may be allowlisted.
pub const MAX_SWAP_PROGRAMS: usize = 2;

/// One leveraged-token market. Seeds: `["market", market_id (u64 LE)]`. The market PDA is the
/// mint authority of the leveraged token, the owner of both vaults and the lending pool borrower.
///
/// Its large fields deserialize through [`de_outlined`] so the whole fits the SBF VM's 4 KiB
/// stack frame (same bytes and layout; `#[derive(InitSpace)]` refuses the attribute, hence the
/// hand-written [`Space`] impl below).
#[account]
#[derive(Debug)]
pub struct Market {
    pub market_id: u64,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub admin: Pubkey,
    /// Set by `propose_admin`, becomes admin on `accept_admin`.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub pending_admin: Pubkey,
    /// May pause and unpause minting.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub guardian: Pubkey,

    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub collateral_mint: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub quote_mint: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub lev_mint: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub collateral_vault: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub quote_vault: Pubkey,
    pub collateral_decimals: u8,
    pub quote_decimals: u8,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub collateral_token_program: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub quote_token_program: Pubkey,

    /// May claim the accrued fees (`claim_fees`) to accounts of its choice.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub treasury: Pubkey,
    /// Signs swap venues in place of the market; owns only the two transit accounts.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub transit_authority: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub transit_collateral: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub transit_quote: Pubkey,

    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub lending_pool: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub lending_borrower: Pubkey,

    /// The oracle account clients read by default. Not enforced: any full-verified Pyth
    /// `PriceUpdateV2` carrying `feed_id` is accepted, so a receiver migration cannot stop the market.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub oracle: Pubkey,
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub feed_id: [u8; 32],
    /// Allowlisted swap venues: program `swap_programs[i]` with pool `swap_pools[i]`.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub swap_programs: [Pubkey; MAX_SWAP_PROGRAMS],
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub swap_pools: [Pubkey; MAX_SWAP_PROGRAMS],

    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub params: MarketParams,

    /// Collateral held, as accounted (a donation to the vault is ignored).
    pub collateral: u64,
    /// Mint and redeem fees held in the quote vault for the treasury (not part of NAV).
    pub fees_quote: u64,
    /// Streaming-fee tokens owed to the treasury, not yet minted: counted in the supply.
    pub fees_lev: u64,
    /// Set by the first `settle` of an insolvent vault: from then on the settlement runs to its end
    /// whatever the price does, and minting, rebalancing and priced redemptions stop.
    pub settling: bool,
    /// Set once the vault sold all its collateral and wrote its remaining debt off at the pool:
    /// tokens redeem for their share of `residual_quote`.
    pub settled: bool,
    /// USDC left for holders after a settlement (sale proceeds above the debt; usually 0).
    pub residual_quote: u64,
    /// Delay between queuing an admin change and the earliest time anyone may execute it.
    pub timelock_secs: i64,
    /// The admin change waiting for its time, if any.
    #[cfg_attr(not(feature = "idl-build"), borsh(deserialize_with = "de_outlined"))]
    pub queued: Option<QueuedChange>,
    pub last_rebalance_ts: i64,
    pub last_fee_accrual_ts: i64,
    pub mint_paused: bool,
    pub bump: u8,
    pub lev_mint_bump: u8,
    pub transit_authority_bump: u8,
}

/// What `#[derive(InitSpace)]` computed before the fields got `#[borsh(deserialize_with)]`:
/// the fields in order, with the largest [`AdminChange`] variant queued.
impl Space for Market {
    const INIT_SPACE: usize = 8 // market_id
        + 3 * 32 // admin, pending_admin, guardian
        + 5 * 32 // collateral_mint, quote_mint, lev_mint, collateral_vault, quote_vault
        + 2 // collateral_decimals, quote_decimals
        + 2 * 32 // collateral_token_program, quote_token_program
        + 4 * 32 // treasury, transit_authority, transit_collateral, transit_quote
        + 2 * 32 // lending_pool, lending_borrower
        + 32 + 32 // oracle, feed_id
        + 2 * MAX_SWAP_PROGRAMS * 32 // swap_programs, swap_pools
        + MarketParams::INIT_SPACE
        + 3 * 8 // collateral, fees_quote, fees_lev
        + 2 // settling, settled
        + 8 + 8 // residual_quote, timelock_secs
        + 1 + QueuedChange::INIT_SPACE // queued: Option tag + the change
        + 2 * 8 // last_rebalance_ts, last_fee_accrual_ts
        + 4; // mint_paused, bump, lev_mint_bump, transit_authority_bump
}

/// Deserializes a large field of [`Market`] in a call of its own, so its temporaries take their
/// own stack frame instead of swelling `Market`'s deserializer past the SBF VM's 4 KiB frame.
/// Same bytes, same result: only where the work happens changes. Not under `idl-build` (the IDL
/// generator refuses the attribute; that build only describes the types).
#[cfg_attr(feature = "idl-build", allow(dead_code))]
#[inline(never)]
fn de_outlined<T: AnchorDeserialize, R: std::io::Read>(reader: &mut R) -> std::io::Result<T> {
    T::deserialize_reader(reader)
}

/// An admin change that waits `timelock_secs` between being queued and taking effect, so holders
/// and lenders can leave first. Pause is the only lever that acts at once.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum AdminChange {
    /// Replace every parameter (each checked against its bound, again at execution).
    Params(MarketParams),
    /// Replace the allowlisted (swap program, pool) pairs.
    SwapVenues { programs: [Pubkey; MAX_SWAP_PROGRAMS], pools: [Pubkey; MAX_SWAP_PROGRAMS] },
    /// Read another Pyth feed (and name the account clients read by default).
    Oracle { feed_id: [u8; 32], oracle: Pubkey },
    /// The key that may claim fees.
    Treasury(Pubkey),
    /// The key that may pause minting and cancel queued changes.
    Guardian(Pubkey),
    /// The timelock itself.
    Timelock(i64),
    /// The token's metadata URI (Token-2022 metadata in the mint: what wallets and explorers show):
    /// the first `len` bytes of `uri` (UTF-8, at most `MAX_METADATA_URI_LEN`, zero-padded). Fixed
    /// size, so a queued change fits the market account as it is.
    MetadataUri { len: u8, uri: [u8; MAX_METADATA_URI_LEN] },
}

/// Longest metadata URI, bytes (as at `init_market`).
pub const MAX_METADATA_URI_LEN: usize = 200;

impl AdminChange {
    /// Every bound the change must meet against the market's lending pool, checked when it is
    /// queued and again when it is executed.
    pub fn validate(&self, pool: &lending_pool::LendingPool) -> Result<()> {
        match self {
            AdminChange::Params(p) => p.validate(pool.config.liquidation_leverage_bps),
            AdminChange::SwapVenues { programs, pools } => validate_venues(programs, pools),
            AdminChange::Oracle { feed_id, .. } => {
                require!(*feed_id != [0u8; 32], LevError::OracleWrongFeed);
                Ok(())
            }
            AdminChange::Treasury(_) | AdminChange::Guardian(_) => Ok(()),
            AdminChange::Timelock(secs) => validate_timelock(*secs, pool.timelock_secs),
            AdminChange::MetadataUri { .. } => self.metadata_uri().map(|_| ()).ok_or_else(|| error!(LevError::MetadataTooLong)),
        }
    }

    /// A `MetadataUri` change of `uri`; `None` when it is longer than `MAX_METADATA_URI_LEN`.
    pub fn new_metadata_uri(uri: &str) -> Option<Self> {
        let b = uri.as_bytes();
        let mut bytes = [0u8; MAX_METADATA_URI_LEN];
        bytes.get_mut(..b.len())?.copy_from_slice(b);
        Some(AdminChange::MetadataUri { len: b.len() as u8, uri: bytes })
    }

    /// The URI of a well-formed `MetadataUri` change: within the length bound, UTF-8, and zero
    /// after its length (one encoding per URI).
    pub fn metadata_uri(&self) -> Option<&str> {
        let AdminChange::MetadataUri { len, uri } = self else { return None };
        let (text, rest) = uri.split_at_checked(*len as usize)?;
        if rest.iter().any(|b| *b != 0) {
            return None;
        }
        std::str::from_utf8(text).ok()
    }
}

/// A queued [`AdminChange`] and the earliest time it may be executed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct QueuedChange {
    pub change: AdminChange,
    pub queued_at: i64,
    pub eta: i64,
}

impl Market {
    pub fn signer_seeds<'a>(id_bytes: &'a [u8; 8], bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
        [MARKET_SEED, id_bytes, bump]
    }

    /// Token supply as holders' shares count it: minted tokens plus the streaming-fee tokens owed
    /// to the treasury and not yet claimed.
    pub fn supply(&self, minted: u64) -> Option<u64> {
        minted.checked_add(self.fees_lev)
    }

    /// Live: neither settling nor settled.
    pub fn live(&self) -> bool {
        !self.settling && !self.settled
    }

    /// Whether `(program, pool)` is an allowlisted venue.
    pub fn swap_allowed(&self, program: &Pubkey, pool: &Pubkey) -> bool {
        *program != Pubkey::default() && self.swap_programs.iter().zip(self.swap_pools.iter()).any(|(p, q)| p == program && q == pool)
    }

    /// The position at `debt`.
    pub fn position(&self, debt: u64) -> Position {
        Position { collateral: self.collateral, debt }
    }
}

/// At least one venue; every named program has a pool and vice versa.
/// Venue lists as given to `init_market` (1 ..= `MAX_SWAP_PROGRAMS` each, same length) in the
/// market's fixed slots, padded with the default key.
pub fn venue_slots(programs: &[Pubkey], pools: &[Pubkey]) -> Result<([Pubkey; MAX_SWAP_PROGRAMS], [Pubkey; MAX_SWAP_PROGRAMS])> {
    require!(programs.len() == pools.len() && (1..=MAX_SWAP_PROGRAMS).contains(&programs.len()), LevError::SwapProgramNotAllowed);
    let mut slots = ([Pubkey::default(); MAX_SWAP_PROGRAMS], [Pubkey::default(); MAX_SWAP_PROGRAMS]);
    slots.0[..programs.len()].copy_from_slice(programs);
    slots.1[..pools.len()].copy_from_slice(pools);
    Ok(slots)
}

pub fn validate_venues(programs: &[Pubkey; MAX_SWAP_PROGRAMS], pools: &[Pubkey; MAX_SWAP_PROGRAMS]) -> Result<()> {
    let pairs_ok = programs.iter().zip(pools.iter()).all(|(p, q)| (*p == Pubkey::default()) == (*q == Pubkey::default()));
    require!(pairs_ok && programs.iter().any(|p| *p != Pubkey::default()), LevError::SwapProgramNotAllowed);
    Ok(())
}

/// The timelock may be anything from none (a localnet) to 30 days; the default is a day.
pub const MAX_TIMELOCK_SECS: i64 = 30 * 86_400;
pub const DEFAULT_TIMELOCK_SECS: i64 = 86_400;
/// A queued change not executed within this long after its eta lapses (cancel and queue again).
pub const CHANGE_GRACE_SECS: i64 = 7 * 86_400;
/// A new oracle feed must agree with the current one within this much when the switch executes.
pub const MAX_FEED_SWITCH_DEVIATION_BPS: u64 = 100;

/// The market's timelock: 0 ..= 30 days, and never shorter than its lending pool's, so every
/// change that could hurt the lenders (venues, parameters, the feed) gives them at least the
/// warning the pool promises them.
pub fn validate_timelock(secs: i64, pool_timelock_secs: i64) -> Result<()> {
    require!((0..=MAX_TIMELOCK_SECS).contains(&secs) && secs >= pool_timelock_secs, LevError::InvalidTimelock);
    Ok(())
}

/// Leverage of `pos` at `price`, rounded up (never reported safer than it is). `None` when NAV ≤ 0.
pub fn leverage_up(pos: &Position, price: Price) -> Option<u64> {
    pos.leverage_bps(price, Round::Up)
}

/// Error for a failed checked computation.
pub fn math_err() -> Error {
    error!(LevError::MathOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_lists_fill_the_slots_or_are_refused() {
        let (a, b, c) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        let d = Pubkey::default();
        assert_eq!(venue_slots(&[a], &[b]).unwrap(), ([a, d], [b, d]));
        assert_eq!(venue_slots(&[a, c], &[b, a]).unwrap(), ([a, c], [b, a]));
        assert!(venue_slots(&[], &[]).is_err());
        assert!(venue_slots(&[a], &[b, c]).is_err());
        assert!(venue_slots(&[a, b, c], &[a, b, c]).is_err());
    }

    /// The hand-written `INIT_SPACE` is what `#[derive(InitSpace)]` gave (1 210 bytes) and the
    /// serialized size of a market with the largest change queued; the outlined field
    /// deserializers read back exactly what was written.
    #[test]
    fn init_space_and_round_trip() {
        assert_eq!(Market::INIT_SPACE, 1_210);
        let mut m = Market::deserialize(&mut &[0u8; Market::INIT_SPACE][..]).unwrap();
        m.admin = Pubkey::new_unique();
        m.oracle = Pubkey::new_unique();
        m.feed_id = [7; 32];
        m.swap_pools = [Pubkey::new_unique(), Pubkey::new_unique()];
        m.params.target_leverage_bps = 42;
        m.timelock_secs = 86_400;
        m.queued = Some(QueuedChange { change: AdminChange::Params(m.params), queued_at: 1, eta: 2 });
        m.transit_authority_bump = 9;
        let mut buf = Vec::new();
        m.try_serialize(&mut buf).unwrap();
        assert_eq!(buf.len(), 8 + Market::INIT_SPACE);
        let back = Market::try_deserialize(&mut &buf[..]).unwrap();
        assert_eq!(format!("{back:?}"), format!("{m:?}"));
    }
}
