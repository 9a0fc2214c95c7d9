//! The accounts every position-changing instruction shares (market, vaults, oracle, lending pool,
//! swap venue) and the operations on them: accrual, pricing, borrowing, repaying and swapping with
//! the result verified from the vault's own balances.

use anchor_lang::error::ErrorCode;
use anchor_lang::{prelude::*, solana_program::program::invoke_signed, InstructionData};
use anchor_spl::{
    token_2022::spl_token_2022::state::AccountState,
    token_interface::{Mint, TokenAccount, TokenInterface},
};
use lending_pool::{program::LendingPool as LendingProgram, Borrower, LendingPool};
use lev_math::{streaming_fee_tokens_down, Position, Price};
use program_utils::{all_distinct, all_distinct_with, token};
use pyth_solana_receiver_sdk::{error::GetPriceError, price_update::PriceUpdateV2};

use crate::{math_err, FeesAccrued, LevError, Market, MARKET_SEED, TRANSIT_AUTHORITY_SEED};

/// A venue vault's balance read from a token account of `mint` (SPL Token or Token-2022).
fn venue_balance(account: &AccountInfo, mint: &Pubkey) -> Result<u64> {
    let data = account.try_borrow_data()?;
    let acc = TokenAccount::try_deserialize(&mut &data[..])?;
    require_keys_eq!(acc.mint, *mint, LevError::VenuePriceOffOracle);
    Ok(acc.amount)
}

#[derive(Accounts)]
pub struct MarketCore<'info> {
    // Writable accounts are marked `dup` and checked here instead (see `program_utils::distinct`).
    #[account(
        mut, dup,
        constraint = all_distinct(&[market.key(), lev_mint.key(), collateral_vault.key(), quote_vault.key(), transit_collateral.key(), transit_quote.key(), lending_pool.key(), lending_borrower.key()])
            @ ErrorCode::ConstraintDuplicateMutableAccount,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
    )]
    pub market: Box<Account<'info, Market>>,

    #[account(mut, dup, address = market.lev_mint)]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = market.collateral_mint)]
    pub collateral_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(address = market.quote_mint)]
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, dup, address = market.collateral_vault)]
    pub collateral_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, address = market.quote_vault)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    /// CHECK: the PDA that owns the transit accounts and signs the venue; it holds nothing.
    #[account(address = market.transit_authority)]
    pub transit_authority: UncheckedAccount<'info>,
    #[account(mut, dup, address = market.transit_collateral)]
    pub transit_collateral: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, address = market.transit_quote)]
    pub transit_quote: Box<InterfaceAccount<'info, TokenAccount>>,

    /// Any Pyth `PriceUpdateV2` (owner checked by the type: the Pyth receiver program) whose feed
    /// id is the market's and whose verification is full: no single account is pinned.
    pub oracle: Box<Account<'info, PriceUpdateV2>>,

    #[account(mut, dup, address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    #[account(mut, dup, address = market.lending_borrower)]
    pub lending_borrower: Box<Account<'info, Borrower>>,
    /// CHECK: the pool's liquidity vault, checked against the pool account; the pool program
    /// validates it again.
    #[account(mut, address = lending_pool.liquidity_vault)]
    pub lending_vault: UncheckedAccount<'info>,
    pub lending_program: Program<'info, LendingProgram>,

    /// CHECK: with `swap_pool`, must be an allowlisted venue. It is handed the transit authority's
    /// signature only, never the market's; everything is verified afterwards.
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

/// How far ahead of the validator's clock a publish time may be.
pub const ORACLE_MAX_FUTURE_SECS: i64 = 10;

/// The oracle price after owner (by type), feed, staleness, verification and confidence
/// checks. Never a client-supplied number.
pub fn read_oracle(oracle: &PriceUpdateV2, market: &Market, clock: &Clock) -> Result<Price> {
    read_feed(oracle, &market.feed_id, market, clock)
}

/// [`read_oracle`] for `feed_id` (the market's, or a feed it is switching to), with the market's
/// acceptance bounds and decimals.
pub fn read_feed(oracle: &PriceUpdateV2, feed_id: &[u8; 32], market: &Market, clock: &Clock) -> Result<Price> {
    let p = oracle.get_price_no_older_than(clock, market.params.oracle_max_staleness_secs, feed_id).map_err(|e| match e {
        GetPriceError::PriceTooOld => error!(LevError::OracleStale),
        GetPriceError::MismatchedFeedId => error!(LevError::OracleWrongFeed),
        _ => error!(LevError::OracleInvalid),
    })?;
    // A price published more than a few seconds ahead of this validator's clock is as suspicious
    // as a stale one; a second or two is ordinary clock skew between publisher and validator.
    require!(p.publish_time <= clock.unix_timestamp.saturating_add(ORACLE_MAX_FUTURE_SECS), LevError::OracleInvalid);
    let conf_bps = Price::confidence_bps(p.price, p.conf).ok_or(LevError::OracleInvalid)?;
    require!(conf_bps <= market.params.oracle_max_conf_bps, LevError::OracleConfidenceTooWide);
    Price::from_oracle(p.price, p.exponent, market.collateral_decimals, market.quote_decimals).ok_or_else(|| error!(LevError::OracleInvalid))
}

/// A settled market's residual USDC owed to `tokens` (rounded down).
pub fn settled_share(market: &Market, minted: u64, tokens: u64) -> Result<u64> {
    let supply = market.supply(minted).ok_or_else(math_err)?;
    require!(tokens <= supply, LevError::RedeemTooSmall);
    lev_math::pro_rata(market.residual_quote, tokens, supply, lev_math::Round::Down).ok_or_else(math_err)
}

/// Bring the streaming fee up to `now`: the tokens owed to the treasury are counted in the supply
/// at once and minted when it claims, so no treasury account can stand in the way of an
/// instruction.
pub fn accrue_streaming_fee(market: &mut Account<Market>, minted: u64, now: i64) -> Result<()> {
    let last = market.last_fee_accrual_ts;
    require!(now >= last, LevError::InvalidClock);
    let elapsed = (now - last) as u64;
    if elapsed == 0 {
        return Ok(());
    }
    let supply = market.supply(minted).ok_or_else(math_err)?;
    let fee_tokens = streaming_fee_tokens_down(supply, market.params.streaming_fee_bps_per_year, elapsed).ok_or_else(math_err)?;
    if fee_tokens > 0 {
        market.fees_lev = market.fees_lev.checked_add(fee_tokens).ok_or_else(math_err)?;
        program_utils::emit(FeesAccrued { market: market.key(), tokens_accrued: fee_tokens, elapsed_secs: elapsed });
    }
    market.last_fee_accrual_ts = now;
    Ok(())
}

impl<'info> MarketCore<'info> {
    /// The writable accounts this struct checked to be distinct.
    pub fn writable_keys(&self) -> [Pubkey; 8] {
        [
            self.market.key(),
            self.lev_mint.key(),
            self.collateral_vault.key(),
            self.quote_vault.key(),
            self.transit_collateral.key(),
            self.transit_quote.key(),
            self.lending_pool.key(),
            self.lending_borrower.key(),
        ]
    }

    /// Whether `extra` (an outer struct's writable accounts) are distinct from each other and from
    /// these: the duplicate check Anchor would do across the composite.
    pub fn distinct_with(&self, extra: &[Pubkey]) -> bool {
        all_distinct_with(&self.writable_keys(), extra)
    }

    fn with_market_seeds<R>(&self, f: impl FnOnce(&[&[&[u8]]]) -> R) -> R {
        let id = self.market.market_id.to_le_bytes();
        let bump = [self.market.bump];
        let seeds = Market::signer_seeds(&id, &bump);
        f(&[&seeds])
    }

    /// Bring lending interest and the streaming fee up to date. Call first in every
    /// position-changing instruction.
    ///
    /// Interest: the pool's own `LendingPool::accrue` runs on this instruction's read-only copy
    /// of the pool (never written back: the account is not ours), so the debt is read at the
    /// index the pool will have at `now`. Every borrow, repay and write-off CPI accrues the pool
    /// itself first with the same method, clock and state, so the two agree exactly; a separate
    /// `accrue_interest` CPI cost about 11,000 compute units per instruction on SBF.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        self.lending_pool.accrue(now)?;
        program_utils::cu_mark!("a:local");

        let minted = self.lev_mint.supply;
        accrue_streaming_fee(&mut self.market, minted, now)
    }

    /// Supply as holders' shares count it (minted + streaming fee owed to the treasury).
    pub fn supply(&self) -> Result<u64> {
        self.market.supply(self.lev_mint.supply).ok_or_else(math_err)
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
        program_utils::cu_mark!("b:cpi");
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

    /// Write `amount` of the vault's debt off at the lending pool (settlement only).
    pub fn write_off(&mut self, amount: u64) -> Result<()> {
        let accounts = lending_pool::cpi::accounts::WriteOff {
            authority: self.market.to_account_info(),
            pool: self.lending_pool.to_account_info(),
            borrower: self.lending_borrower.to_account_info(),
        };
        let program = self.lending_program.key();
        self.with_market_seeds(|s| lending_pool::cpi::write_off(CpiContext::new_with_signer(program, accounts, s), amount))?;
        self.reload_lending()
    }

    /// Re-read the pool, the credit line and the quote vault after a lending CPI. The pool has
    /// accrued itself in that CPI; its index must be the one `accrue` projected on this
    /// instruction's copy, on which the position was valued — should the lending program's
    /// accrual ever differ from the copy compiled in here, the instruction stops instead.
    fn reload_lending(&mut self) -> Result<()> {
        let projected = self.lending_pool.borrow_index;
        self.lending_pool.reload()?;
        require!(self.lending_pool.borrow_index == projected, LevError::LendingIndexMismatch);
        self.lending_borrower.reload()?;
        self.quote_vault.reload()
    }

    /// Refuse to trade while the venue's spot price sits more than `max_bps` from the oracle: a
    /// sandwich can push the venue only that far before the vault trades, and nobody buys at a
    /// venue priced off the oracle. `side` is `Some(true)` for a purchase of collateral (refused
    /// only when the venue is too far above the oracle), `Some(false)` for a sale (only too far
    /// below), `None` both ways. Our AMM is read from its accounted reserves; any other allowlisted
    /// venue from its two vaults' balances.
    pub fn require_venue_near_oracle(&self, oracle: Price, max_bps: u64, side: Option<bool>) -> Result<()> {
        let (base, quote) = self.venue_reserves()?;
        let offset = lev_math::venue_offset_bps(oracle, base, quote).ok_or(LevError::VenuePriceOffOracle)?;
        require!(lev_math::venue_acceptable(offset, max_bps, side), LevError::VenuePriceOffOracle);
        Ok(())
    }

    /// The venue's (collateral, quote) reserves: our AMM's accounted reserves, or for any other
    /// allowlisted venue its two vaults' balances.
    pub fn venue_reserves(&self) -> Result<(u64, u64)> {
        Ok(if self.swap_program.key() == amm::ID {
            require_keys_eq!(*self.swap_pool.owner, amm::ID, LevError::SwapProgramNotAllowed);
            let pool = amm::Pool::try_deserialize(&mut &self.swap_pool.try_borrow_data()?[..])?;
            if pool.mint_a == self.market.collateral_mint {
                (pool.reserve_a, pool.reserve_b)
            } else {
                (pool.reserve_b, pool.reserve_a)
            }
        } else {
            (venue_balance(&self.swap_collateral_vault, &self.market.collateral_mint)?, venue_balance(&self.swap_quote_vault, &self.market.quote_mint)?)
        })
    }

    /// Swap `amount_in` through the allowlisted venue: quote→collateral when `buy`, else
    /// collateral→quote. The input moves first from the market's vault into the transit account,
    /// and the venue is signed for by the transit authority (which owns nothing else), never by
    /// the market. After the venue returns, every account the market relies on is re-read:
    /// exactly `amount_in` left the transit account, the input vault did not move, at least
    /// `min_out` arrived in the output vault, and no owner, delegate, close authority or state
    /// changed. Returns what arrived.
    pub fn swap(&mut self, buy: bool, amount_in: u64, min_out: u64) -> Result<u64> {
        // Into transit, signed by the market (the token program is pinned by address).
        {
            let (vault, transit, mint, tp) = if buy {
                (&self.quote_vault, &self.transit_quote, &self.quote_mint, &self.quote_token_program)
            } else {
                (&self.collateral_vault, &self.transit_collateral, &self.collateral_mint, &self.collateral_token_program)
            };
            let authority = self.market.to_account_info();
            self.with_market_seeds(|s| token::transfer(tp, vault, transit, mint, &authority, s, amount_in))?;
        }
        program_utils::cu_mark!("s:transit");
        self.reload_swap_accounts()?;
        let (src_before, dst_before) = self.vault_balances(buy);
        let transit_before = self.transit(buy).amount;
        let images_before = self.images()?;
        program_utils::cu_mark!("s:images");

        let (transit, destination, venue_in, venue_out, mint_in, mint_out, tp_in, tp_out) = if buy {
            (
                &self.transit_quote,
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
                &self.transit_collateral,
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
        // The transit authority is handed read-only, so the venue cannot reassign it either.
        let metas = vec![
            AccountMeta::new_readonly(self.transit_authority.key(), true),
            AccountMeta::new(self.swap_pool.key(), false),
            AccountMeta::new_readonly(self.swap_authority.key(), false),
            AccountMeta::new(transit.key(), false),
            AccountMeta::new(destination.key(), false),
            AccountMeta::new(venue_in.key(), false),
            AccountMeta::new(venue_out.key(), false),
            AccountMeta::new_readonly(mint_in.key(), false),
            AccountMeta::new_readonly(mint_out.key(), false),
            AccountMeta::new_readonly(tp_in.key(), false),
            AccountMeta::new_readonly(tp_out.key(), false),
        ];
        let infos = [
            self.transit_authority.to_account_info(),
            self.swap_pool.to_account_info(),
            self.swap_authority.to_account_info(),
            transit.to_account_info(),
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
        let market_key = self.market.key();
        let bump = [self.market.transit_authority_bump];
        let seeds = [TRANSIT_AUTHORITY_SEED, market_key.as_ref(), &bump];
        invoke_signed(&ix, &infos, &[&seeds])?;
        program_utils::cu_mark!("s:cpi");

        // Post-CPI checks: re-read everything the venue was shown. Nothing but the balances may
        // have changed — not an owner, delegate or close authority, not the state, not the size or
        // an extension (a Token-2022 account could otherwise be reallocated and made to require
        // memos, breaking every later transfer into it).
        self.reload_swap_accounts()?;
        self.require_untouched()?;
        program_utils::cu_mark!("s:reload");
        require!(self.images()? == images_before, LevError::VenueTamperedWithAccount);
        program_utils::cu_mark!("s:imgcheck");
        let (src_after, dst_after) = self.vault_balances(buy);
        require!(src_after == src_before, LevError::VenueTamperedWithAccount);
        require!(transit_before.checked_sub(self.transit(buy).amount) == Some(amount_in), LevError::SwapBalanceMismatch);
        let received = dst_after.checked_sub(dst_before).ok_or(LevError::SwapBalanceMismatch)?;
        require!(received >= min_out && received > 0, LevError::SlippageExceeded);
        Ok(received)
    }

    /// The two vaults' and two transit accounts' owner programs and data, balances blanked.
    fn images(&self) -> Result<[(Pubkey, Vec<u8>); 4]> {
        let image = |a: &AccountInfo| -> Result<(Pubkey, Vec<u8>)> {
            let mut data = a.try_borrow_data()?.to_vec();
            // SPL Token / Token-2022 account layout: mint (32), owner (32), amount (8) at 64..72.
            data.get_mut(64..72).ok_or(LevError::VenueTamperedWithAccount)?.fill(0);
            Ok((*a.owner, data))
        };
        Ok([
            image(&self.collateral_vault.to_account_info())?,
            image(&self.quote_vault.to_account_info())?,
            image(&self.transit_collateral.to_account_info())?,
            image(&self.transit_quote.to_account_info())?,
        ])
    }

    fn transit(&self, buy: bool) -> &InterfaceAccount<'info, TokenAccount> {
        if buy {
            &self.transit_quote
        } else {
            &self.transit_collateral
        }
    }

    fn reload_swap_accounts(&mut self) -> Result<()> {
        self.collateral_vault.reload()?;
        self.quote_vault.reload()?;
        self.transit_collateral.reload()?;
        self.transit_quote.reload()
    }

    /// Vaults owned by the market and transit accounts owned by the transit authority, none with a
    /// delegate or a close authority, none frozen (klend-style post-transfer checks).
    fn require_untouched(&self) -> Result<()> {
        let market = self.market.key();
        let transit = self.market.transit_authority;
        let clean = |a: &TokenAccount, owner: &Pubkey| {
            a.owner == *owner && a.delegate.is_none() && a.delegated_amount == 0 && a.close_authority.is_none() && a.state == AccountState::Initialized
        };
        let ok = clean(&self.collateral_vault, &market)
            && clean(&self.quote_vault, &market)
            && clean(&self.transit_collateral, &transit)
            && clean(&self.transit_quote, &transit);
        require!(ok, LevError::VenueTamperedWithAccount);
        Ok(())
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
