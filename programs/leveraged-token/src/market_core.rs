//! The accounts every position-changing instruction shares (market, vaults, oracle, lending pool,
//! swap venue) and the operations on them: accrual, pricing, borrowing, repaying and swapping with
//! the result verified from the vault's own balances.

use anchor_lang::{prelude::*, solana_program::program::invoke_signed, InstructionData};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_pool::{program::LendingPool as LendingProgram, Borrower, LendingPool};
use lev_math::{streaming_fee_tokens_down, Position, Price};
use program_utils::token;
use pyth_solana_receiver_sdk::{error::GetPriceError, price_update::PriceUpdateV2};

use crate::{math_err, FeesAccrued, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct MarketCore<'info> {
    #[account(
        mut,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
    )]
    pub market: Box<Account<'info, Market>>,

    #[account(mut, address = market.lev_mint)]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = market.collateral_mint)]
    pub collateral_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = market.quote_mint)]
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, address = market.collateral_vault)]
    pub collateral_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, address = market.quote_vault)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, address = market.treasury_lev)]
    pub treasury_lev: Box<InterfaceAccount<'info, TokenAccount>>,

    /// Pyth `PriceUpdateV2` (owner checked by the type: the Pyth receiver program).
    #[account(address = market.oracle)]
    pub oracle: Box<Account<'info, PriceUpdateV2>>,

    #[account(mut, address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    #[account(mut, address = market.lending_borrower)]
    pub lending_borrower: Box<Account<'info, Borrower>>,
    /// CHECK: the pool's liquidity vault, checked against the pool account; the pool program
    /// validates it again.
    #[account(mut, address = lending_pool.liquidity_vault)]
    pub lending_vault: UncheckedAccount<'info>,
    pub lending_program: Program<'info, LendingProgram>,

    /// CHECK: with `swap_pool`, must be an allowlisted venue; everything it does is verified
    /// afterwards from the vault's balances.
    #[account(executable)]
    pub swap_program: UncheckedAccount<'info>,
    /// CHECK: the venue's pool, pinned by the allowlist (a keeper cannot route through a pool of
    /// its choosing); validated again by the venue.
    #[account(mut, constraint = market.swap_allowed(swap_program.key, swap_pool.key) @ LevError::SwapProgramNotAllowed)]
    pub swap_pool: UncheckedAccount<'info>,
    /// CHECK: venue signer PDA, validated by the venue.
    pub swap_authority: UncheckedAccount<'info>,
    /// CHECK: the venue's collateral vault, validated by the venue.
    #[account(mut)]
    pub swap_collateral_vault: UncheckedAccount<'info>,
    /// CHECK: the venue's quote vault, validated by the venue.
    #[account(mut)]
    pub swap_quote_vault: UncheckedAccount<'info>,

    #[account(address = market.collateral_token_program)]
    pub collateral_token_program: Interface<'info, TokenInterface>,
    #[account(address = market.quote_token_program)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    #[account(address = anchor_spl::token_2022::ID)]
    pub lev_token_program: Interface<'info, TokenInterface>,
}

/// The oracle price after owner (by type), address, feed, staleness, verification and confidence
/// checks. Never a client-supplied number.
pub fn read_oracle(oracle: &PriceUpdateV2, market: &Market, clock: &Clock) -> Result<Price> {
    let p = oracle.get_price_no_older_than(clock, market.params.oracle_max_staleness_secs, &market.feed_id).map_err(|e| match e {
        GetPriceError::PriceTooOld => error!(LevError::OracleStale),
        GetPriceError::MismatchedFeedId => error!(LevError::OracleWrongFeed),
        _ => error!(LevError::OracleInvalid),
    })?;
    // A price published in the future is as suspicious as a stale one.
    require!(p.publish_time <= clock.unix_timestamp, LevError::OracleInvalid);
    let conf_bps = Price::confidence_bps(p.price, p.conf).ok_or(LevError::OracleInvalid)?;
    require!(conf_bps <= market.params.oracle_max_conf_bps, LevError::OracleConfidenceTooWide);
    Price::from_oracle(p.price, p.exponent, market.collateral_decimals, market.quote_decimals).ok_or_else(|| error!(LevError::OracleInvalid))
}

impl<'info> MarketCore<'info> {
    fn with_market_seeds<R>(&self, f: impl FnOnce(&[&[&[u8]]]) -> R) -> R {
        let id = self.market.market_id.to_le_bytes();
        let bump = [self.market.bump];
        let seeds = Market::signer_seeds(&id, &bump);
        f(&[&seeds])
    }

    /// Bring lending interest and the streaming fee up to date. Call first in every
    /// position-changing instruction.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        lending_pool::cpi::accrue_interest(CpiContext::new(
            self.lending_program.key(),
            lending_pool::cpi::accounts::AccrueInterest { pool: self.lending_pool.to_account_info() },
        ))?;
        self.lending_pool.reload()?;

        let last = self.market.last_fee_accrual_ts;
        require!(now >= last, LevError::InvalidClock);
        let elapsed = (now - last) as u64;
        if elapsed == 0 {
            return Ok(());
        }
        let supply = self.lev_mint.supply;
        let fee_tokens = streaming_fee_tokens_down(supply, self.market.params.streaming_fee_bps_per_year, elapsed).ok_or_else(math_err)?;
        if fee_tokens > 0 {
            let authority = self.market.to_account_info();
            self.with_market_seeds(|s| token::mint_to(&self.lev_token_program, &self.lev_mint, &self.treasury_lev, &authority, s, fee_tokens))?;
            self.lev_mint.reload()?;
            program_utils::emit(FeesAccrued { market: self.market.key(), tokens_minted: fee_tokens, elapsed_secs: elapsed });
        }
        self.market.last_fee_accrual_ts = now;
        Ok(())
    }

    pub fn price(&self, clock: &Clock) -> Result<Price> {
        read_oracle(&self.oracle, &self.market, clock)
    }

    /// The vault's debt now (after `accrue`), rounded up.
    pub fn debt(&self) -> Result<u64> {
        self.lending_borrower.debt(self.lending_pool.borrow_index)
    }

    pub fn position(&self) -> Result<Position> {
        Ok(self.market.position(self.debt()?))
    }

    /// Borrow `amount` USDC into the quote vault.
    pub fn borrow(&mut self, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let accounts = lending_pool::cpi::accounts::Borrow {
            authority: self.market.to_account_info(),
            pool: self.lending_pool.to_account_info(),
            borrower: self.lending_borrower.to_account_info(),
            mint: self.quote_mint.to_account_info(),
            liquidity_vault: self.lending_vault.to_account_info(),
            destination: self.quote_vault.to_account_info(),
            token_program: self.quote_token_program.to_account_info(),
        };
        let program = self.lending_program.key();
        self.with_market_seeds(|s| lending_pool::cpi::borrow(CpiContext::new_with_signer(program, accounts, s), amount))?;
        self.reload_lending()
    }

    /// Repay `amount` USDC from the quote vault.
    pub fn repay(&mut self, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let accounts = lending_pool::cpi::accounts::Repay {
            payer: self.market.to_account_info(),
            pool: self.lending_pool.to_account_info(),
            borrower: self.lending_borrower.to_account_info(),
            mint: self.quote_mint.to_account_info(),
            liquidity_vault: self.lending_vault.to_account_info(),
            source: self.quote_vault.to_account_info(),
            token_program: self.quote_token_program.to_account_info(),
        };
        let program = self.lending_program.key();
        self.with_market_seeds(|s| lending_pool::cpi::repay(CpiContext::new_with_signer(program, accounts, s), amount))?;
        self.reload_lending()
    }

    fn reload_lending(&mut self) -> Result<()> {
        self.lending_pool.reload()?;
        self.lending_borrower.reload()?;
        self.quote_vault.reload()
    }

    /// Swap `amount_in` through the allowlisted venue: quote→collateral when `buy`, else
    /// collateral→quote. Verifies from the vault's own balances that exactly `amount_in` left and at
    /// least `min_out` arrived, and returns what arrived.
    pub fn swap(&mut self, buy: bool, amount_in: u64, min_out: u64) -> Result<u64> {
        let (src_before, dst_before) = self.vault_balances(buy);
        let (source, destination, venue_in, venue_out, mint_in, mint_out, tp_in, tp_out) = if buy {
            (
                &self.quote_vault,
                &self.collateral_vault,
                &self.swap_quote_vault,
                &self.swap_collateral_vault,
                &self.quote_mint,
                &self.collateral_mint,
                &self.quote_token_program,
                &self.collateral_token_program,
            )
        } else {
            (
                &self.collateral_vault,
                &self.quote_vault,
                &self.swap_collateral_vault,
                &self.swap_quote_vault,
                &self.collateral_mint,
                &self.quote_mint,
                &self.collateral_token_program,
                &self.quote_token_program,
            )
        };
        // The venue-neutral swap shape (see `amm::Swap`): same accounts, same instruction data.
        let metas = vec![
            AccountMeta::new_readonly(self.market.key(), true),
            AccountMeta::new(self.swap_pool.key(), false),
            AccountMeta::new_readonly(self.swap_authority.key(), false),
            AccountMeta::new(source.key(), false),
            AccountMeta::new(destination.key(), false),
            AccountMeta::new(venue_in.key(), false),
            AccountMeta::new(venue_out.key(), false),
            AccountMeta::new_readonly(mint_in.key(), false),
            AccountMeta::new_readonly(mint_out.key(), false),
            AccountMeta::new_readonly(tp_in.key(), false),
            AccountMeta::new_readonly(tp_out.key(), false),
        ];
        let infos = [
            self.market.to_account_info(),
            self.swap_pool.to_account_info(),
            self.swap_authority.to_account_info(),
            source.to_account_info(),
            destination.to_account_info(),
            venue_in.to_account_info(),
            venue_out.to_account_info(),
            mint_in.to_account_info(),
            mint_out.to_account_info(),
            tp_in.to_account_info(),
            tp_out.to_account_info(),
            self.swap_program.to_account_info(),
        ];
        let ix = anchor_lang::solana_program::instruction::Instruction {
            program_id: self.swap_program.key(),
            accounts: metas,
            data: amm::instruction::Swap { amount_in, min_out }.data(),
        };
        self.with_market_seeds(|s| invoke_signed(&ix, &infos, s))?;

        self.collateral_vault.reload()?;
        self.quote_vault.reload()?;
        let (src_after, dst_after) = self.vault_balances(buy);
        require!(src_before.checked_sub(src_after) == Some(amount_in), LevError::SwapBalanceMismatch);
        let received = dst_after.checked_sub(dst_before).ok_or(LevError::SwapBalanceMismatch)?;
        require!(received >= min_out && received > 0, LevError::SlippageExceeded);
        Ok(received)
    }

    fn vault_balances(&self, buy: bool) -> (u64, u64) {
        if buy {
            (self.quote_vault.amount, self.collateral_vault.amount)
        } else {
            (self.collateral_vault.amount, self.quote_vault.amount)
        }
    }

    /// Transfer USDC out of the quote vault.
    pub fn pay_quote(&self, to: &InterfaceAccount<'info, TokenAccount>, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let authority = self.market.to_account_info();
        self.with_market_seeds(|s| token::transfer(&self.quote_token_program, &self.quote_vault, to, &self.quote_mint, &authority, s, amount))
    }

    /// Mint leveraged tokens.
    pub fn mint_lev(&self, to: &InterfaceAccount<'info, TokenAccount>, amount: u64) -> Result<()> {
        let authority = self.market.to_account_info();
        self.with_market_seeds(|s| token::mint_to(&self.lev_token_program, &self.lev_mint, to, &authority, s, amount))
    }
}
