use anchor_lang::prelude::*;
use anchor_spl::token_interface::{token_metadata_update_field, Mint, TokenMetadataUpdateField};
use lending_pool::LendingPool;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use lev_math::BPS;

use crate::{
    accrue_streaming_fee, math_err, read_feed, read_oracle, AdminChange, ChangeExecuted, GuardianSet, LevError, Market, MetadataUriSet, OracleSet,
    ParamsUpdated, SwapVenuesSet, TimelockSet, TreasurySet, CHANGE_GRACE_SECS, MARKET_SEED, MAX_FEED_SWITCH_DEVIATION_BPS,
};

#[derive(Accounts)]
pub struct ExecuteChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    #[account(mut, seeds = [MARKET_SEED, &market.market_id.to_le_bytes()], bump = market.bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(address = market.lending_pool)]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    /// For the streaming fee, accrued at the old rate before new parameters apply; written by a
    /// `MetadataUri` change (the metadata lives in the mint).
    #[account(mut, address = market.lev_mint)]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,
    // For an `Oracle` change, `remaining_accounts` = [an update of the current feed, an update of
    // the new feed]: both must be fresh and agree within `MAX_FEED_SWITCH_DEVIATION_BPS`.
    // For a `MetadataUri` change, `remaining_accounts` = [the Token-2022 program]; a longer URI
    // needs the mint funded for its new size first (the runtime refuses a mint left below rent).
}

/// Anyone: apply the queued change once its time has come and before it lapses (validated again
/// against today's lending pool). A new oracle feed must price the collateral like the current one
/// does: a feed switch cannot be used to declare the vault insolvent or rich.
pub fn handle_execute_change<'info>(mut ctx: Context<'info, ExecuteChange<'info>>) -> Result<()> {
    let a = &mut ctx.accounts;
    let queued = a.market.queued.ok_or(LevError::NoChangeQueued)?;
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    require!(now >= queued.eta, LevError::TimelockNotElapsed);
    require!(now <= queued.eta.saturating_add(CHANGE_GRACE_SECS), LevError::ChangeExpired);
    let change = queued.change;
    change.validate(&a.lending_pool)?;
    if let AdminChange::Oracle { feed_id, .. } = change {
        let [current, new, ..] = ctx.remaining_accounts else {
            return err!(LevError::OracleFeedsDisagree);
        };
        let current = Account::<PriceUpdateV2>::try_from(current)?;
        let new = Account::<PriceUpdateV2>::try_from(new)?;
        let old_price = read_oracle(&current, &a.market, &clock)?;
        let new_price = read_feed(&new, &feed_id, &a.market, &clock)?;
        let bound = old_price.wad.checked_mul(MAX_FEED_SWITCH_DEVIATION_BPS as u128).ok_or_else(math_err)? / BPS as u128;
        require!(new_price.wad.abs_diff(old_price.wad) <= bound, LevError::OracleFeedsDisagree);
    }
    if matches!(change, AdminChange::Params(_)) {
        // The streaming fee up to now is owed at the old rate.
        let minted = a.lev_mint.supply;
        accrue_streaming_fee(&mut a.market, minted, now)?;
    }
    let market_key = a.market.key();
    if let Some(uri) = change.metadata_uri() {
        let [token_program, ..] = ctx.remaining_accounts else {
            return err!(LevError::MetadataProgramMismatch);
        };
        // Only Token-2022 itself, the mint's owner, may be handed the market's signature.
        require_keys_eq!(token_program.key(), anchor_spl::token_2022::ID, LevError::MetadataProgramMismatch);
        require_keys_eq!(*a.lev_mint.to_account_info().owner, anchor_spl::token_2022::ID, LevError::MetadataProgramMismatch);
        let id = a.market.market_id.to_le_bytes();
        let bump = [a.market.bump];
        let seeds = Market::signer_seeds(&id, &bump);
        token_metadata_update_field(
            CpiContext::new_with_signer(
                token_program.key(),
                TokenMetadataUpdateField {
                    program_id: token_program.clone(),
                    metadata: a.lev_mint.to_account_info(),
                    update_authority: a.market.to_account_info(),
                },
                &[&seeds],
            ),
            anchor_spl::token_interface::spl_token_metadata_interface::state::Field::Uri,
            uri.to_string(),
        )?;
        // The mint's supply is what the vault's shares count: the update must not touch it.
        let supply = a.lev_mint.supply;
        a.lev_mint.reload()?;
        require_eq!(a.lev_mint.supply, supply, LevError::MetadataProgramMismatch);
        program_utils::emit(MetadataUriSet { market: market_key, uri: uri.to_string() });
    }
    let m = &mut a.market;
    m.queued = None;
    match change {
        AdminChange::Params(params) => {
            m.params = params;
            program_utils::emit(ParamsUpdated { market: market_key, params });
        }
        AdminChange::SwapVenues { programs, pools } => {
            m.swap_programs = programs;
            m.swap_pools = pools;
            program_utils::emit(SwapVenuesSet { market: market_key, programs, pools });
        }
        AdminChange::Oracle { feed_id, oracle } => {
            m.feed_id = feed_id;
            m.oracle = oracle;
            program_utils::emit(OracleSet { market: market_key, feed_id, oracle });
        }
        AdminChange::Treasury(treasury) => {
            m.treasury = treasury;
            program_utils::emit(TreasurySet { market: market_key, treasury });
        }
        AdminChange::Guardian(guardian) => {
            m.guardian = guardian;
            program_utils::emit(GuardianSet { market: market_key, guardian });
        }
        AdminChange::Timelock(secs) => {
            m.timelock_secs = secs;
            program_utils::emit(TimelockSet { market: market_key, timelock_secs: secs });
        }
        // Applied above, in the mint.
        AdminChange::MetadataUri { .. } => {}
    }
    program_utils::emit(ChangeExecuted { market: market_key, change, by: a.executor.key() });
    Ok(())
}
