//! A market with the hostile venue (`hostile_venue`) registered and allowlisted beside the AMM:
//! the fixture of the review's venue test and of the invariant parts that route through it.

use anchor_lang::prelude::Pubkey;
use leveraged_token::{LevError, MarketParams};
use levtoken_client::{SPL_TOKEN_ID, TOKEN_2022_ID};
use solana_account::Account;

use crate::{
    anchor_code,
    hostile_venue::{venue_authority, Mode, HOSTILE_VENUE_ID},
    MarketWorld, World, WorldConfig, ETH,
};

/// The hostile venue's "pool" (its mode byte) and its two vaults.
pub struct Hostile {
    pub pool: Pubkey,
    pub eth: Pubkey,
    pub usdc: Pubkey,
}

impl Hostile {
    /// Route a market instruction's swap through this venue.
    pub fn route(&self, c: &mut leveraged_token::accounts::MarketCore) {
        c.swap_program = HOSTILE_VENUE_ID;
        c.swap_pool = self.pool;
        c.swap_authority = venue_authority().0;
        c.swap_collateral_vault = self.eth;
        c.swap_quote_vault = self.usdc;
    }

    pub fn set_mode(&self, m: &mut MarketWorld, mode: Mode) {
        m.w.bank.set_account(&self.pool, Account { lamports: 10_000_000, data: vec![mode as u8], owner: HOSTILE_VENUE_ID, executable: false, rent_epoch: 0 });
    }

    /// Mint into the venue's vaults until it can fill any trade the market can make — at least
    /// 1,000 ETH and twice the vault's collateral — and its spot price is the oracle's.
    pub async fn stock_at_oracle(&self, m: &mut MarketWorld) {
        let price = m.oracle_price();
        let collateral = m.market().await.collateral;
        let (weth, wusdc) = (m.w.eth, m.w.usdc);
        let mut e = m.w.bank.token_balance(&self.eth).await;
        let u = m.w.bank.token_balance(&self.usdc).await;
        let floor = (1_000 * ETH).max(2 * collateral);
        if e < floor {
            m.w.bank.mint_to(&weth, &self.eth, floor - e, &TOKEN_2022_ID).await;
            e = floor;
        }
        let want_u = (e as u128 * price.wad / lev_math::WAD) as u64;
        if want_u > u {
            m.w.bank.mint_to(&wusdc, &self.usdc, want_u - u, &SPL_TOKEN_ID).await;
        } else {
            let want_e = (u as u128 * lev_math::WAD / price.wad) as u64;
            if want_e > e {
                m.w.bank.mint_to(&weth, &self.eth, want_e - e, &TOKEN_2022_ID).await;
            }
        }
    }
}

/// A market on a runtime with the hostile venue registered, allowlisted in the second slot,
/// honest and stocked at the oracle price.
#[allow(deprecated)]
pub async fn hostile_market(cfg: WorldConfig, params: MarketParams) -> (MarketWorld, Hostile) {
    let mut pt = levtoken_client::bank::program_test();
    // Always native (a test-only program with no .so), also when the others run as SBF bytecode:
    // `add_program` reads the preference at the time of the call.
    pt.prefer_bpf(false);
    pt.add_program("hostile_venue", HOSTILE_VENUE_ID, solana_program_test::processor!(crate::hostile_venue::process));
    pt.prefer_bpf(levtoken_client::bank::sbf_mode());
    let mut w = World::new_with(cfg, pt).await;
    let pool = Pubkey::new_unique();
    let auth = venue_authority().0;
    let eth = w.bank.create_token_account(&w.eth, &auth, &TOKEN_2022_ID).await;
    let usdc = w.bank.create_token_account(&w.usdc, &auth, &SPL_TOKEN_ID).await;
    let mut m = MarketWorld::new_on(w, cfg, params, [HOSTILE_VENUE_ID, pool]).await;
    let venue = Hostile { pool, eth, usdc };
    venue.set_mode(&mut m, Mode::Honest);
    venue.stock_at_oracle(&mut m).await;
    (m, venue)
}

/// What each attack runs into: our post-CPI checks for the transit account, the token program's
/// owner check for the market's vault (the venue never had its owner's signature), the transit
/// account's balance for a second transfer.
pub fn expected_error(mode: Mode) -> Vec<u32> {
    const OWNER_MISMATCH: u32 = 4;
    const INSUFFICIENT_FUNDS: u32 = 1;
    const NON_NATIVE_HAS_BALANCE: u32 = 11;
    let tampered = u32::from(LevError::VenueTamperedWithAccount);
    match mode {
        Mode::ApproveTransit | Mode::TakeTransit => vec![tampered],
        // The closed transit account is no longer a token account when the market re-reads it.
        Mode::CloseTransit => vec![anchor_code(anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram)],
        Mode::ApproveVault | Mode::TakeVault | Mode::DrainVault => vec![OWNER_MISMATCH],
        Mode::CloseVault => vec![NON_NATIVE_HAS_BALANCE],
        Mode::SecondTransitTransfer => vec![INSUFFICIENT_FUNDS],
        Mode::Honest => vec![],
    }
}
