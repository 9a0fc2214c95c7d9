use anchor_lang::{error::ErrorCode, prelude::*};
use anchor_spl::token_interface::TokenAccount;
use lev_math::{fee_up, min_out_quote_for_base, redeem_share, Round};
use program_utils::token;

use crate::market_core::*;
use crate::{leverage_up, math_err, settled_share, LevError, MarketCore, Redeemed};

#[derive(Accounts)]
pub struct Redeem<'info> {
    #[account(constraint = core.distinct_with(&[user_quote.key(), user_lev.key()]) @ ErrorCode::ConstraintDuplicateMutableAccount)]
    pub core: MarketCore<'info>,

    pub user: Signer<'info>,
    #[account(mut, dup, token::mint = core.quote_mint)]
    pub user_quote: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, dup, token::mint = core.lev_mint, token::authority = user)]
    pub user_lev: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Burn `tokens_in`: the vault sells the pro-rata collateral, repays the pro-rata debt (rounded
/// up) and pays the rest, less the redeem fee. Open while minting is paused. The venue's distance
/// from the oracle is not checked here: the redeemer bears their own swap (bounded by their
/// minimum and the slippage bound), and nobody else can close the exit by moving the venue.
pub fn handle_redeem(mut ctx: Context<Redeem>, tokens_in: u64, min_usdc_out: u64) -> Result<()> {
    require!(tokens_in > 0, LevError::ZeroAmount);
    let clock = Clock::get()?;
    let a = &mut ctx.accounts;
    if a.core.market.settled {
        return redeem_settled(a, tokens_in, min_usdc_out);
    }
    // While an insolvent vault is being settled the tokens are worth what the settlement leaves.
    require!(!a.core.market.settling, LevError::MarketSettled);
    a.core.accrue(clock.unix_timestamp)?;
    let price = a.core.price(&clock)?;
    let pos = a.core.position()?;
    pos.nav(price, Round::Down).ok_or(LevError::VaultInsolvent)?;
    let params = a.core.market.params;
    let supply = a.core.supply()?;
    let share = redeem_share(&pos, tokens_in, supply).ok_or(LevError::RedeemTooSmall)?;
    require!(share.collateral_out > 0, LevError::RedeemTooSmall);

    token::burn(&a.core.lev_token_program, &a.core.lev_mint, &a.user_lev, &a.user.to_account_info(), tokens_in)?;

    let min_out = min_out_quote_for_base(price, share.collateral_out, params.max_slippage_bps).ok_or_else(math_err)?;
    let proceeds = a.core.swap(false, share.collateral_out, min_out)?;
    a.core.market.collateral = a.core.market.collateral.checked_sub(share.collateral_out).ok_or_else(math_err)?;
    require!(proceeds >= share.debt_repaid, LevError::RedeemTooSmall);
    a.core.repay(share.debt_repaid)?;

    let payout = proceeds - share.debt_repaid;
    let fee = fee_up(payout, params.redeem_fee_bps).ok_or_else(math_err)?;
    let usdc_out = payout - fee;
    require!(usdc_out >= min_usdc_out, LevError::UsdcBelowMinimum);
    a.core.pay_quote(&a.user_quote, usdc_out)?;
    // The fee stays in the quote vault for the treasury to claim: no treasury account can stop a
    // redemption.
    a.core.market.fees_quote = a.core.market.fees_quote.checked_add(fee).ok_or_else(math_err)?;

    let after = a.core.position()?;
    program_utils::emit(Redeemed {
        market: a.core.market.key(),
        user: a.user.key(),
        tokens: tokens_in,
        collateral_sold: share.collateral_out,
        debt_repaid: share.debt_repaid,
        usdc_out,
        fee,
        price_wad: price.wad,
        leverage_bps: leverage_up(&after, price).unwrap_or(u64::MAX),
    });
    Ok(())
}

/// After settlement: burn the tokens for their share of what is left (zero when nothing is), with
/// no swap, no oracle and no lending pool involved, so nothing can stand in the way.
fn redeem_settled(a: &mut Redeem, tokens_in: u64, min_usdc_out: u64) -> Result<()> {
    let usdc_out = settled_share(&a.core.market, a.core.lev_mint.supply, tokens_in)?;
    require!(usdc_out >= min_usdc_out, LevError::UsdcBelowMinimum);
    token::burn(&a.core.lev_token_program, &a.core.lev_mint, &a.user_lev, &a.user.to_account_info(), tokens_in)?;
    a.core.market.residual_quote -= usdc_out;
    a.core.pay_quote(&a.user_quote, usdc_out)?;
    program_utils::emit(Redeemed::settled(a.core.market.key(), a.user.key(), tokens_in, usdc_out));
    Ok(())
}
