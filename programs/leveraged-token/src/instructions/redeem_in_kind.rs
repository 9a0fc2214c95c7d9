use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use lending_pool::{program::LendingPool as LendingProgram, Borrower, LendingPool};
use lev_math::{fee_up, redeem_share};
use program_utils::{all_distinct, token};

use crate::{accrue_streaming_fee, math_err, settled_share, LevError, Market, Redeemed, RedeemedInKind, MARKET_SEED};

/// The exit that needs no swap venue and no oracle: only the market, its collateral vault, the
/// holder's accounts and the lending pool (which anyone may repay).
#[derive(Accounts)]
pub struct RedeemInKind<'info> {
    // Writable accounts are `dup` and checked here instead of by Anchor (see `program_utils::distinct`).
    #[account(
        mut, dup,
        constraint = all_distinct(&[
            market.key(), lev_mint.key(), collateral_vault.key(), quote_vault.key(), user_lev.key(), user_collateral.key(),
            user_quote.key(), lending_pool.key(), lending_borrower.key(),
        ]) @ ErrorCode::ConstraintDuplicateMutableAccount,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump,
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
    /// Pays a settled market's residual USDC.
    #[account(mut, dup, address = market.quote_vault)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    pub user: Signer<'info>,
    #[account(mut, dup, token::mint = lev_mint, token::authority = user)]
    pub user_lev: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Receives the collateral.
    #[account(mut, dup, token::mint = collateral_mint)]
    pub user_collateral: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Pays the debt share (the user signs the repayment); receives a settled market's residual.
    #[account(mut, dup, token::mint = quote_mint, token::authority = user)]
    pub user_quote: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mut, dup, address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    #[account(mut, dup, address = market.lending_borrower)]
    pub lending_borrower: Box<Account<'info, Borrower>>,
    /// CHECK: the pool's liquidity vault, checked against the pool; the pool program checks it again.
    #[account(mut, address = lending_pool.liquidity_vault)]
    pub lending_vault: UncheckedAccount<'info>,
    pub lending_program: Program<'info, LendingProgram>,

    #[account(address = market.collateral_token_program)]
    pub collateral_token_program: Interface<'info, TokenInterface>,
    #[account(address = market.quote_token_program)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    #[account(address = anchor_spl::token_2022::ID)]
    pub lev_token_program: Interface<'info, TokenInterface>,
}

/// Burn `tokens_in` for their pro-rata collateral (`min_collateral_out` in collateral base units;
/// after a settlement, in USDC base units of the residual) (rounded down), less the redeem fee taken in
/// collateral and left in the vault for the remaining holders, while the holder repays the
/// pro-rata debt (rounded up) from their own USDC. Leverage of the vault does not rise; no price
/// is used, so neither a dead or hostile venue nor a stopped or wild oracle can close this exit.
pub fn handle_redeem_in_kind(ctx: Context<RedeemInKind>, tokens_in: u64, min_collateral_out: u64) -> Result<()> {
    require!(tokens_in > 0, LevError::ZeroAmount);
    let a = ctx.accounts;
    let id = a.market.market_id.to_le_bytes();
    let bump = [a.market.bump];
    let seeds = Market::signer_seeds(&id, &bump);
    if a.market.settled {
        // After a settlement: the tokens' share of what is left, with no venue, oracle or pool.
        let usdc_out = settled_share(&a.market, a.lev_mint.supply, tokens_in)?;
        require!(usdc_out >= min_collateral_out, LevError::UsdcBelowMinimum);
        token::burn(&a.lev_token_program, &a.lev_mint, &a.user_lev, &a.user.to_account_info(), tokens_in)?;
        a.market.residual_quote -= usdc_out;
        if usdc_out > 0 {
            let authority = a.market.to_account_info();
            token::transfer(&a.quote_token_program, &a.quote_vault, &a.user_quote, &a.quote_mint, &authority, &[&seeds], usdc_out)?;
        }
        program_utils::emit(Redeemed::settled(a.market.key(), a.user.key(), tokens_in, usdc_out));
        return Ok(());
    }
    require!(!a.market.settling, LevError::MarketSettled);
    let now = Clock::get()?.unix_timestamp;
    lending_pool::cpi::accrue_interest(CpiContext::new(
        a.lending_program.key(),
        lending_pool::cpi::accounts::AccrueInterest { pool: a.lending_pool.to_account_info() },
    ))?;
    a.lending_pool.reload()?;
    accrue_streaming_fee(&mut a.market, a.lev_mint.supply, now)?;

    let debt = a.lending_borrower.debt(a.lending_pool.borrow_index)?;
    let pos = a.market.position(debt);
    let supply = a.market.supply(a.lev_mint.supply).ok_or_else(math_err)?;
    let share = redeem_share(&pos, tokens_in, supply).ok_or(LevError::RedeemTooSmall)?;
    let fee = fee_up(share.collateral_out, a.market.params.redeem_fee_bps).ok_or_else(math_err)?;
    let collateral_out = share.collateral_out.checked_sub(fee).ok_or(LevError::RedeemTooSmall)?;
    require!(collateral_out > 0, LevError::RedeemTooSmall);
    require!(collateral_out >= min_collateral_out, LevError::CollateralBelowMinimum);

    token::burn(&a.lev_token_program, &a.lev_mint, &a.user_lev, &a.user.to_account_info(), tokens_in)?;
    if share.debt_repaid > 0 {
        lending_pool::cpi::repay(
            CpiContext::new(
                a.lending_program.key(),
                lending_pool::cpi::accounts::Repay {
                    payer: a.user.to_account_info(),
                    pool: a.lending_pool.to_account_info(),
                    borrower: a.lending_borrower.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    liquidity_vault: a.lending_vault.to_account_info(),
                    source: a.user_quote.to_account_info(),
                    token_program: a.quote_token_program.to_account_info(),
                },
            ),
            share.debt_repaid,
        )?;
    }
    let authority = a.market.to_account_info();
    token::transfer(&a.collateral_token_program, &a.collateral_vault, &a.user_collateral, &a.collateral_mint, &authority, &[&seeds], collateral_out)?;
    a.market.collateral = a.market.collateral.checked_sub(collateral_out).ok_or_else(math_err)?;

    program_utils::emit(RedeemedInKind {
        market: a.market.key(),
        user: a.user.key(),
        tokens: tokens_in,
        collateral_out,
        fee_collateral: fee,
        debt_repaid: share.debt_repaid,
    });
    Ok(())
}
