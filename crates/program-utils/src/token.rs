//! Token CPIs through the token interface (SPL Token or Token-2022), signed by a PDA when asked.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Burn, Mint, MintTo, TokenAccount, TokenInterface, TransferChecked};

/// Move `amount` with `transfer_checked`, signed by `signer_seeds` when the authority is a PDA.
pub fn transfer<'info>(
    token_program: &Interface<'info, TokenInterface>,
    from: &InterfaceAccount<'info, TokenAccount>,
    to: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    authority: &AccountInfo<'info>,
    signer_seeds: &[&[&[u8]]],
    amount: u64,
) -> Result<()> {
    let accounts = TransferChecked { from: from.to_account_info(), mint: mint.to_account_info(), to: to.to_account_info(), authority: authority.clone() };
    token_interface::transfer_checked(CpiContext::new_with_signer(token_program.key(), accounts, signer_seeds), amount, mint.decimals)
}

pub fn mint_to<'info>(
    token_program: &Interface<'info, TokenInterface>,
    mint: &InterfaceAccount<'info, Mint>,
    to: &InterfaceAccount<'info, TokenAccount>,
    authority: &AccountInfo<'info>,
    signer_seeds: &[&[&[u8]]],
    amount: u64,
) -> Result<()> {
    let accounts = MintTo { mint: mint.to_account_info(), to: to.to_account_info(), authority: authority.clone() };
    token_interface::mint_to(CpiContext::new_with_signer(token_program.key(), accounts, signer_seeds), amount)
}

pub fn burn<'info>(
    token_program: &Interface<'info, TokenInterface>,
    mint: &InterfaceAccount<'info, Mint>,
    from: &InterfaceAccount<'info, TokenAccount>,
    authority: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let accounts = Burn { mint: mint.to_account_info(), from: from.to_account_info(), authority: authority.clone() };
    token_interface::burn(CpiContext::new(token_program.key(), accounts), amount)
}
