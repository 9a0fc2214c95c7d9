use anchor_lang::prelude::*;

use crate::{LevError, PrefundReclaimed};

/// Return lamports someone parked on a not-yet-created PDA of this program to the payer, so the
/// `init` after it in the same transaction can create the account (see
/// `program_utils::prefund`): without it a griefer could block a market id, the lending pool of a
/// mint or an AMM pair for the price of the rent minimum.
#[derive(Accounts)]
pub struct ReclaimPrefunded<'info> {
    /// Receives the swept lamports.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: must be this program's PDA of `seeds` (canonical bump), owned by the system program,
    /// without data and holding lamports: only a griefer's deposit can be there, never program state.
    #[account(mut)]
    pub target: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handle_reclaim_prefunded(ctx: Context<ReclaimPrefunded>, seeds: Vec<Vec<u8>>) -> Result<()> {
    let a = &ctx.accounts;
    let (pda, lamports) = program_utils::sweep_prefunded_pda(
        ctx.program_id,
        &a.payer.to_account_info(),
        &a.target.to_account_info(),
        &a.system_program.to_account_info(),
        &seeds,
    )?
    .ok_or(LevError::NotAPrefundedPda)?;
    program_utils::emit(PrefundReclaimed { pda, lamports, payer: a.payer.key() });
    Ok(())
}
