//! Pre-funded PDAs. Anyone can send lamports to a PDA before it exists; Anchor's `init` then takes
//! its pre-funded path (`CreateAccountAllowPrefund`), which the system program of Agave 3.1 does not
//! implement, so the account could never be created. Each program exposes a `reclaim_prefunded`
//! instruction built on [`sweep_prefunded_pda`]: placed before the `init` in the same transaction,
//! it returns such lamports to the payer and the `init` then creates the account normally.

use anchor_lang::{prelude::*, system_program};

/// If `target` is `program_id`'s PDA of `seeds` (canonical bump), still owned by the system
/// program, without data and holding lamports, move all its lamports to `payer` (signed with the
/// PDA's seeds) and return `(pda, lamports)`. `None` for anything else — live program state, token
/// accounts, other seeds, seeds that derive no address — and then nothing moves.
pub fn sweep_prefunded_pda<'info>(
    program_id: &Pubkey,
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[Vec<u8>],
) -> Result<Option<(Pubkey, u64)>> {
    // Seeds a PDA cannot have are refused here: on SBF the address syscall aborts the whole
    // transaction on them instead of returning `None`.
    if seeds.len() >= anchor_lang::solana_program::pubkey::MAX_SEEDS || seeds.iter().any(|s| s.len() > anchor_lang::solana_program::pubkey::MAX_SEED_LEN) {
        return Ok(None);
    }
    let refs: Vec<&[u8]> = seeds.iter().map(|s| s.as_slice()).collect();
    let Some((pda, bump)) = Pubkey::try_find_program_address(&refs, program_id) else {
        return Ok(None);
    };
    let lamports = target.lamports();
    if pda != target.key() || target.owner != &system_program::ID || !target.data_is_empty() || lamports == 0 {
        return Ok(None);
    }
    let bump = [bump];
    let mut signer = refs;
    signer.push(&bump);
    system_program::transfer(
        CpiContext::new_with_signer(system_program.key(), system_program::Transfer { from: target.clone(), to: payer.clone() }, &[&signer]),
        lamports,
    )?;
    Ok(Some((pda, lamports)))
}
