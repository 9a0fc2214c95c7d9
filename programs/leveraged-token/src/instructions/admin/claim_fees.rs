use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use program_utils::token;

use crate::{FeesClaimed, LevError, Market, MARKET_SEED};

#[derive(Accounts)]
pub struct ClaimFees<'info> {
    pub treasury: Signer<'info>,
    #[account(
        mut,
        seeds = [MARKET_SEED, &market.market_id.to_le_bytes()],
        bump = market.bump,
        has_one = treasury @ LevError::NotTreasury,
    )]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, address = market.quote_vault)]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = market.quote_mint)]
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mut, address = market.lev_mint)]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,
    /// Where the USDC fees go: any account of the quote mint the treasury names.
    #[account(mut, token::mint = quote_mint)]
    pub quote_destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Where the streaming-fee tokens are minted: any account of the leveraged token.
    #[account(mut, token::mint = lev_mint)]
    pub lev_destination: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(address = market.quote_token_program)]
    pub quote_token_program: Interface<'info, TokenInterface>,
    #[account(address = anchor_spl::token_2022::ID)]
    pub lev_token_program: Interface<'info, TokenInterface>,
}

/// Treasury: pay out the mint/redeem fees held in the quote vault and mint the streaming-fee
/// tokens owed (already counted in the supply, so NAV per token does not move).
pub fn handle_claim_fees(mut ctx: Context<ClaimFees>) -> Result<()> {
    let a = &mut ctx.accounts;
    let (quote, tokens) = (a.market.fees_quote, a.market.fees_lev);
    let id = a.market.market_id.to_le_bytes();
    let bump = [a.market.bump];
    let seeds = Market::signer_seeds(&id, &bump);
    let authority = a.market.to_account_info();
    if quote > 0 {
        token::transfer(&a.quote_token_program, &a.quote_vault, &a.quote_destination, &a.quote_mint, &authority, &[&seeds], quote)?;
    }
    if tokens > 0 {
        token::mint_to(&a.lev_token_program, &a.lev_mint, &a.lev_destination, &authority, &[&seeds], tokens)?;
    }
    a.market.fees_quote = 0;
    a.market.fees_lev = 0;
    program_utils::emit(FeesClaimed { market: a.market.key(), treasury: a.treasury.key(), quote, tokens });
    Ok(())
}
