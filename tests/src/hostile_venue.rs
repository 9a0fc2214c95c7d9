//! A swap venue written to attack the market from inside the allowlist (finding 1 of the external
//! review). It honours the market's balance checks — it takes exactly `amount_in` and pays exactly
//! `min_out` — and then, depending on the mode byte stored in its "pool" account, tries to use
//! every signature and writable account the market handed it: approve itself as delegate, take
//! ownership, close, or move tokens a second time, on the transit account and on the market's
//! vault. Registered natively beside the real programs in the attack test only.

use anchor_lang::solana_program::{
    account_info::AccountInfo,
    entrypoint::ProgramResult,
    program::{invoke, invoke_signed},
    program_error::ProgramError,
    pubkey::Pubkey,
};
use anchor_spl::token_2022::spl_token_2022::instruction as token_ix;

/// The hostile venue's program id (no private key exists for it).
pub const HOSTILE_VENUE_ID: Pubkey = Pubkey::new_from_array([0x6e; 32]);
const AUTHORITY_SEED: &[u8] = b"authority";

/// What the venue tries after a correct-looking swap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Nothing: a venue that behaves.
    Honest = 0,
    /// Approve itself as delegate of the transit account, with the signature it was given.
    ApproveTransit = 1,
    /// Make itself owner of the transit account.
    TakeTransit = 2,
    /// Close the (now empty) transit account.
    CloseTransit = 3,
    /// Approve itself as delegate of the market's output vault.
    ApproveVault = 4,
    /// Make itself owner of the market's output vault.
    TakeVault = 5,
    /// Close the market's output vault.
    CloseVault = 6,
    /// Take the output straight back out of the market's vault.
    DrainVault = 7,
    /// Take one more unit from the transit account than the swap's input.
    SecondTransitTransfer = 8,
}

impl Mode {
    pub const ATTACKS: [Mode; 8] = [
        Mode::ApproveTransit,
        Mode::TakeTransit,
        Mode::CloseTransit,
        Mode::ApproveVault,
        Mode::TakeVault,
        Mode::CloseVault,
        Mode::DrainVault,
        Mode::SecondTransitTransfer,
    ];
}

/// The venue's signer PDA (owner of its two vaults).
pub fn venue_authority() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[AUTHORITY_SEED], &HOSTILE_VENUE_ID)
}

fn decimals(mint: &AccountInfo) -> Result<u8, ProgramError> {
    // Mint layout (SPL Token and Token-2022 base): mint_authority (36) + supply (8), then decimals.
    mint.try_borrow_data()?.get(44).copied().ok_or(ProgramError::InvalidAccountData)
}

fn amount(data: &[u8], at: usize) -> Result<u64, ProgramError> {
    Ok(u64::from_le_bytes(data.get(at..at + 8).ok_or(ProgramError::InvalidInstructionData)?.try_into().map_err(|_| ProgramError::InvalidInstructionData)?))
}

/// The venue-neutral swap shape (see `amm::Swap`): user, pool, authority, source, destination,
/// input vault, output vault, input mint, output mint, input and output token programs; data is
/// Anchor's `swap(amount_in, min_out)`.
pub fn process(_program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let [user, pool, authority, source, destination, venue_in, venue_out, mint_in, mint_out, tp_in, tp_out, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let amount_in = amount(data, 8)?;
    let min_out = amount(data, 16)?;
    let mode = pool.try_borrow_data()?.first().copied().unwrap_or(0);
    let (auth_key, bump) = venue_authority();
    if *authority.key != auth_key {
        return Err(ProgramError::InvalidSeeds);
    }
    let (dec_in, dec_out) = (decimals(mint_in)?, decimals(mint_out)?);

    // 1. Take exactly the input, with the signature the market handed over.
    let ix = token_ix::transfer_checked(tp_in.key, source.key, mint_in.key, venue_in.key, user.key, &[], amount_in, dec_in)?;
    invoke(&ix, &[source.clone(), mint_in.clone(), venue_in.clone(), user.clone(), tp_in.clone()])?;
    // 2. Pay exactly the minimum.
    let ix = token_ix::transfer_checked(tp_out.key, venue_out.key, mint_out.key, destination.key, &auth_key, &[], min_out, dec_out)?;
    invoke_signed(&ix, &[venue_out.clone(), mint_out.clone(), destination.clone(), authority.clone(), tp_out.clone()], &[&[AUTHORITY_SEED, &[bump]]])?;

    // 3. The attack, with every signature it was given (`user`).
    let (ix, infos): (_, Vec<AccountInfo>) = match mode {
        m if m == Mode::ApproveTransit as u8 => (
            token_ix::approve(tp_in.key, source.key, &auth_key, user.key, &[], u64::MAX)?,
            vec![source.clone(), authority.clone(), user.clone(), tp_in.clone()],
        ),
        m if m == Mode::TakeTransit as u8 => (
            token_ix::set_authority(tp_in.key, source.key, Some(&auth_key), token_ix::AuthorityType::AccountOwner, user.key, &[])?,
            vec![source.clone(), user.clone(), tp_in.clone()],
        ),
        m if m == Mode::CloseTransit as u8 => {
            (token_ix::close_account(tp_in.key, source.key, pool.key, user.key, &[])?, vec![source.clone(), pool.clone(), user.clone(), tp_in.clone()])
        }
        m if m == Mode::ApproveVault as u8 => (
            token_ix::approve(tp_out.key, destination.key, &auth_key, user.key, &[], u64::MAX)?,
            vec![destination.clone(), authority.clone(), user.clone(), tp_out.clone()],
        ),
        m if m == Mode::TakeVault as u8 => (
            token_ix::set_authority(tp_out.key, destination.key, Some(&auth_key), token_ix::AuthorityType::AccountOwner, user.key, &[])?,
            vec![destination.clone(), user.clone(), tp_out.clone()],
        ),
        m if m == Mode::CloseVault as u8 => (
            token_ix::close_account(tp_out.key, destination.key, pool.key, user.key, &[])?,
            vec![destination.clone(), pool.clone(), user.clone(), tp_out.clone()],
        ),
        m if m == Mode::DrainVault as u8 => (
            token_ix::transfer_checked(tp_out.key, destination.key, mint_out.key, venue_out.key, user.key, &[], min_out, dec_out)?,
            vec![destination.clone(), mint_out.clone(), venue_out.clone(), user.clone(), tp_out.clone()],
        ),
        m if m == Mode::SecondTransitTransfer as u8 => (
            token_ix::transfer_checked(tp_in.key, source.key, mint_in.key, venue_in.key, user.key, &[], 1, dec_in)?,
            vec![source.clone(), mint_in.clone(), venue_in.clone(), user.clone(), tp_in.clone()],
        ),
        _ => return Ok(()),
    };
    invoke(&ix, &infos)
}
