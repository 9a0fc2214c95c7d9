use anchor_lang::prelude::*;
use lev_math::{accrue_index_up, debt_from_scaled_down, utilization_bps, RateModel, BPS, WAD};

use crate::LendingError;

pub const POOL_SEED: &[u8] = b"lending_pool";
pub const LIQUIDITY_SEED: &[u8] = b"liquidity";
pub const SHARE_MINT_SEED: &[u8] = b"shares";

/// A credit line is at most 10^15 base units (a billion USDC): `u64::MAX` lines are refused.
pub const MAX_CREDIT_LIMIT: u64 = 1_000_000_000_000_000;
/// The timelock on config changes and on new or higher credit lines: none (a localnet) up to 30
/// days; `DEFAULT_TIMELOCK_SECS` (a day) is what deployments use.
pub const MAX_TIMELOCK_SECS: i64 = 30 * 86_400;
pub const DEFAULT_TIMELOCK_SECS: i64 = 86_400;
/// The discriminator of the leveraged-token program's `Market` account (Anchor's
/// `sha256("account:Market")[..8]`; a test checks it against the program's own), and that
/// account's seeds: only such a market may hold a credit line.
pub const MARKET_DISCRIMINATOR: [u8; 8] = [219, 190, 213, 55, 0, 227, 198, 154];
pub const MARKET_SEED: &[u8] = b"market";

/// Hard bound on a borrower's liquidation point: between 1.5x and 20x.
pub const MIN_LIQUIDATION_LEVERAGE_BPS: u64 = 15_000;
pub const MAX_LIQUIDATION_LEVERAGE_BPS: u64 = 200_000;

/// Interest-rate model and risk parameters, set at init and by the admin.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct PoolConfig {
    /// Annual rate at 0% utilisation, bps.
    pub base_rate_bps: u64,
    /// Added linearly up to the optimal utilisation, bps per year.
    pub slope1_bps: u64,
    /// Added linearly from optimal to 100% utilisation, bps per year.
    pub slope2_bps: u64,
    pub optimal_utilization_bps: u64,
    /// Leverage (collateral value / equity) at which a borrower's position would be unsafe for
    /// lenders. Borrowers that manage leverage (the leveraged-token vault) must keep their emergency
    /// threshold below it with a margin; the pool itself does not liquidate.
    pub liquidation_leverage_bps: u64,
}

impl PoolConfig {
    pub fn rate_model(&self) -> RateModel {
        RateModel {
            base_rate_bps: self.base_rate_bps,
            slope1_bps: self.slope1_bps,
            slope2_bps: self.slope2_bps,
            optimal_utilization_bps: self.optimal_utilization_bps,
        }
    }

    /// The `ConfigSet` event for `pool`.
    pub fn emit_set(&self, pool: Pubkey) {
        program_utils::emit(crate::ConfigSet {
            pool,
            base_rate_bps: self.base_rate_bps,
            slope1_bps: self.slope1_bps,
            slope2_bps: self.slope2_bps,
            optimal_utilization_bps: self.optimal_utilization_bps,
            liquidation_leverage_bps: self.liquidation_leverage_bps,
        });
    }

    pub fn validate(&self) -> Result<()> {
        require!(
            self.rate_model().is_valid() && (MIN_LIQUIDATION_LEVERAGE_BPS..=MAX_LIQUIDATION_LEVERAGE_BPS).contains(&self.liquidation_leverage_bps),
            LendingError::InvalidConfig
        );
        Ok(())
    }
}

/// A config change and the earliest time anyone may execute it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct QueuedConfig {
    pub config: PoolConfig,
    pub eta: i64,
}

pub fn validate_timelock(secs: i64) -> Result<()> {
    require!((0..=MAX_TIMELOCK_SECS).contains(&secs), LendingError::InvalidConfig);
    Ok(())
}

/// The money market. Seeds: `["lending_pool", mint]`. The pool PDA is the authority of its
/// liquidity vault and of its share mint.
#[account]
#[derive(InitSpace, Debug)]
pub struct LendingPool {
    pub admin: Pubkey,
    pub mint: Pubkey,
    pub liquidity_vault: Pubkey,
    pub share_mint: Pubkey,
    pub config: PoolConfig,
    /// The only program whose `Market` PDAs may hold credit lines (set at init, never changed).
    pub borrower_program: Pubkey,
    /// Delay before a config change or a new / higher credit line takes effect.
    pub timelock_secs: i64,
    /// A config change waiting for its time.
    pub queued_config: Option<QueuedConfig>,
    /// USDC idle in the vault, as accounted (donations are ignored).
    pub cash: u64,
    /// Share tokens outstanding.
    pub total_shares: u64,
    /// Sum of all borrowers' scaled debt.
    pub total_scaled_debt: u128,
    /// Borrow index, WAD = 1.0 at launch.
    pub borrow_index: u128,
    pub last_accrual_ts: i64,
    pub bump: u8,
}

impl LendingPool {
    pub fn signer_seeds<'a>(mint: &'a Pubkey, bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
        [POOL_SEED, mint.as_ref(), bump]
    }

    pub fn initialize_index(&mut self, now: i64) {
        self.borrow_index = WAD;
        self.last_accrual_ts = now;
    }

    /// Total debt of all borrowers as lenders count it (rounded down).
    pub fn total_debt(&self) -> Result<u64> {
        debt_from_scaled_down(self.total_scaled_debt, self.borrow_index).ok_or_else(|| error!(LendingError::MathOverflow))
    }

    /// Cash plus debt: what the share tokens are worth in total.
    pub fn total_assets(&self) -> Result<u128> {
        Ok(self.cash as u128 + self.total_debt()? as u128)
    }

    /// Current annual borrow rate in bps.
    pub fn borrow_rate_bps(&self) -> Result<u64> {
        let util = utilization_bps(self.total_debt()?, self.cash).ok_or(LendingError::MathOverflow)?;
        self.config.rate_model().borrow_rate_bps(util).ok_or_else(|| error!(LendingError::MathOverflow))
    }

    /// Accrue interest up to `now`. Returns the rate used, in bps per year.
    pub fn accrue(&mut self, now: i64) -> Result<u64> {
        require!(now >= self.last_accrual_ts, LendingError::InvalidClock);
        let rate = self.borrow_rate_bps()?;
        let elapsed = (now - self.last_accrual_ts) as u64;
        if elapsed > 0 {
            self.borrow_index = accrue_index_up(self.borrow_index, rate, elapsed).ok_or(LendingError::MathOverflow)?;
            self.last_accrual_ts = now;
        }
        Ok(rate)
    }

    /// Utilisation in bps, for display.
    pub fn utilization_bps(&self) -> Result<u64> {
        Ok(utilization_bps(self.total_debt()?, self.cash).ok_or(LendingError::MathOverflow)?.min(BPS))
    }
}
