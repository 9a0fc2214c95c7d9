//! Token-2022 mint extensions the programs accept.
//!
//! A pool's books assume a plain token: what is sent arrives in full (no transfer fee), nobody but
//! the owner moves a vault's balance (no permanent delegate), transfers run no foreign code
//! (no transfer hook), new accounts are usable (no default frozen state), the mint cannot be
//! closed, paused, made non-transferable or confidential, and amounts mean what they say (no
//! interest-bearing or scaled UI amount). Any extension not on [`ALLOWED_MINT_EXTENSIONS`] is
//! refused; only display-only ones are listed. SPL Token (legacy) mints have no extensions.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::{
    extension::{BaseStateWithExtensions, ExtensionType, StateWithExtensions},
    state::Mint,
};

/// Extensions that only describe the token (name, symbol, URI, group membership) and change no
/// balance, transfer or authority.
pub const ALLOWED_MINT_EXTENSIONS: [ExtensionType; 6] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::GroupPointer,
    ExtensionType::TokenGroup,
    ExtensionType::GroupMemberPointer,
    ExtensionType::TokenGroupMember,
];

/// The first extension of `mint` that is not on [`ALLOWED_MINT_EXTENSIONS`], or `None` when every
/// extension is allowed (always for an SPL Token mint). Fails with `IncorrectProgramId` for an
/// account that neither token program owns and `InvalidAccountData` for one that is not a mint.
pub fn disallowed_mint_extension(mint: &AccountInfo) -> core::result::Result<Option<ExtensionType>, ProgramError> {
    if *mint.owner == anchor_spl::token::ID {
        return Ok(None);
    }
    if *mint.owner != anchor_spl::token_2022::ID {
        return Err(ProgramError::IncorrectProgramId);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<Mint>::unpack(&data)?;
    Ok(state.get_extension_types()?.into_iter().find(|e| !ALLOWED_MINT_EXTENSIONS.contains(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::program_pack::Pack;
    use anchor_spl::token_2022::spl_token_2022::{
        extension::{
            default_account_state::DefaultAccountState, interest_bearing_mint::InterestBearingConfig, metadata_pointer::MetadataPointer,
            mint_close_authority::MintCloseAuthority, non_transferable::NonTransferable, pausable::PausableConfig, permanent_delegate::PermanentDelegate,
            transfer_fee::TransferFeeConfig, transfer_hook::TransferHook, BaseStateWithExtensionsMut, StateWithExtensionsMut,
        },
        state::AccountState,
    };

    fn mint_data(extensions: &[ExtensionType], init: impl FnOnce(&mut StateWithExtensionsMut<Mint>)) -> Vec<u8> {
        let len = ExtensionType::try_calculate_account_len::<Mint>(extensions).unwrap();
        let mut data = vec![0u8; len];
        let mut state = StateWithExtensionsMut::<Mint>::unpack_uninitialized(&mut data).unwrap();
        init(&mut state);
        state.base = Mint { decimals: 6, is_initialized: true, ..Mint::default() };
        state.pack_base();
        if !extensions.is_empty() {
            state.init_account_type().unwrap();
        }
        data
    }

    fn check(owner: &Pubkey, data: &mut [u8]) -> core::result::Result<Option<ExtensionType>, ProgramError> {
        let key = Pubkey::new_unique();
        let mut lamports = 1_000_000_000;
        let info = AccountInfo::new(&key, false, false, &mut lamports, data, owner, false);
        disallowed_mint_extension(&info)
    }

    /// An initialiser of one extension at its default value.
    macro_rules! one {
        ($t:ty) => {
            |s: &mut StateWithExtensionsMut<Mint>| {
                s.init_extension::<$t>(true).unwrap();
            }
        };
    }

    #[test]
    fn plain_mints_pass() {
        let mut legacy = vec![0u8; Mint::LEN];
        Mint { decimals: 6, is_initialized: true, ..Mint::default() }.pack_into_slice(&mut legacy);
        assert_eq!(check(&anchor_spl::token::ID, &mut legacy), Ok(None));
        let mut plain = mint_data(&[], |_| {});
        assert_eq!(plain.len(), Mint::LEN);
        assert_eq!(check(&anchor_spl::token_2022::ID, &mut plain), Ok(None));
        let mut meta = mint_data(&[ExtensionType::MetadataPointer], one!(MetadataPointer));
        assert_eq!(check(&anchor_spl::token_2022::ID, &mut meta), Ok(None));
    }

    #[test]
    fn every_other_extension_is_refused() {
        let cases: Vec<(ExtensionType, fn(&mut StateWithExtensionsMut<Mint>))> = vec![
            (ExtensionType::TransferFeeConfig, one!(TransferFeeConfig)),
            (ExtensionType::TransferHook, one!(TransferHook)),
            (ExtensionType::PermanentDelegate, one!(PermanentDelegate)),
            (ExtensionType::DefaultAccountState, |s| {
                s.init_extension::<DefaultAccountState>(true).unwrap().state = AccountState::Frozen as u8;
            }),
            (ExtensionType::NonTransferable, one!(NonTransferable)),
            (ExtensionType::MintCloseAuthority, one!(MintCloseAuthority)),
            (ExtensionType::InterestBearingConfig, one!(InterestBearingConfig)),
            (ExtensionType::Pausable, one!(PausableConfig)),
        ];
        for (ext, init) in cases {
            // Alone, and behind an allowed extension.
            let mut data = mint_data(&[ext], init);
            assert_eq!(check(&anchor_spl::token_2022::ID, &mut data), Ok(Some(ext)), "{ext:?}");
            let mut data = mint_data(&[ExtensionType::MetadataPointer, ext], |s| {
                one!(MetadataPointer)(s);
                init(s);
            });
            assert_eq!(check(&anchor_spl::token_2022::ID, &mut data), Ok(Some(ext)), "{ext:?} after MetadataPointer");
        }
    }

    #[test]
    fn accounts_of_other_programs_are_not_mints() {
        let mut data = mint_data(&[], |_| {});
        assert_eq!(check(&Pubkey::new_unique(), &mut data), Err(ProgramError::IncorrectProgramId));
        let mut short = vec![0u8; 10];
        assert_eq!(check(&anchor_spl::token_2022::ID, &mut short), Err(ProgramError::InvalidAccountData));
    }
}
