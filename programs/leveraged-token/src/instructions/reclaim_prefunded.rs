use anchor_lang::{prelude::*, system_program};

use crate::{LevError, PrefundReclaimed};

/// Anyone can send lamports to a PDA before it exists. Anchor's `init` then takes its
/// "pre-funded" path (`CreateAccountAllowPrefund`), which the system program of Agave 3.1 does not
/// implement, so the account could never be created: a griefer could block a market id, the lending
/// pool of a mint or an AMM pair for the price of the rent minimum. Put this instruction before the
/// `init` in the same transaction: it returns the lamports of an uninitialised, system-owned PDA of
/// this program (signed with its seeds) to the payer, and `init` then creates the account normally.
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
    let refs: Vec<&[u8]> = seeds.iter().map(|s| s.as_slice()).collect();
    let (pda, bump) = Pubkey::try_find_program_address(&refs, ctx.program_id).ok_or(LevError::NotAPrefundedPda)?;
    let target = &ctx.accounts.target;
    let lamports = target.lamports();
    require!(
        pda == target.key() && target.owner == &system_program::ID && target.data_is_empty() && lamports > 0,
        LevError::NotAPrefundedPda
    );
    let bump = [bump];
    let mut signer = refs;
    signer.push(&bump);
    system_program::transfer(
        CpiContext::new_with_signer(
            ctx.accounts.system_program.key(),
            system_program::Transfer { from: target.to_account_info(), to: ctx.accounts.payer.to_account_info() },
            &[&signer],
        ),
        lamports,
    )?;
    program_utils::emit(PrefundReclaimed { pda, lamports, payer: ctx.accounts.payer.key() });
    Ok(())
}
