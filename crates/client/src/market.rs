//! The leveraged-token market: addresses and instructions.

use anchor_lang::prelude::Pubkey;
use leveraged_token::{
    accounts, instruction, AdminChange, InitMarketArgs, COLLATERAL_VAULT_SEED, LEV_MINT_SEED, MARKET_SEED, QUOTE_VAULT_SEED, TRANSIT_AUTHORITY_SEED,
    TRANSIT_SEED,
};
use solana_instruction::Instruction;

use crate::{amm::AmmPool, anchor_ix, lending::LendingPoolKeys, TOKEN_2022_ID};

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[owner.as_ref(), token_program.as_ref(), mint.as_ref()], &anchor_spl::associated_token::ID).0
}

/// Every address of one market and of the venues it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketKeys {
    pub market_id: u64,
    pub market: Pubkey,
    pub lev_mint: Pubkey,
    pub collateral_vault: Pubkey,
    pub quote_vault: Pubkey,
    pub collateral_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub collateral_token_program: Pubkey,
    pub quote_token_program: Pubkey,
    pub transit_authority: Pubkey,
    pub transit_collateral: Pubkey,
    pub transit_quote: Pubkey,
    /// The key that may claim the fees.
    pub treasury: Pubkey,
    /// The oracle account this client reads (any full-verified update for the feed would do).
    pub oracle: Pubkey,
    pub lending: LendingPoolKeys,
    pub amm: AmmPool,
}

impl MarketKeys {
    #[allow(clippy::too_many_arguments)]
    pub fn derive(
        market_id: u64,
        collateral_mint: Pubkey,
        collateral_token_program: Pubkey,
        lending: LendingPoolKeys,
        amm: AmmPool,
        oracle: Pubkey,
        treasury: Pubkey,
    ) -> Self {
        let pid = leveraged_token::ID;
        let (market, _) = Pubkey::find_program_address(&[MARKET_SEED, &market_id.to_le_bytes()], &pid);
        let (lev_mint, _) = Pubkey::find_program_address(&[LEV_MINT_SEED, market.as_ref()], &pid);
        let (collateral_vault, _) = Pubkey::find_program_address(&[COLLATERAL_VAULT_SEED, market.as_ref()], &pid);
        let (quote_vault, _) = Pubkey::find_program_address(&[QUOTE_VAULT_SEED, market.as_ref()], &pid);
        let (transit_authority, _) = Pubkey::find_program_address(&[TRANSIT_AUTHORITY_SEED, market.as_ref()], &pid);
        let (transit_collateral, _) = Pubkey::find_program_address(&[TRANSIT_SEED, market.as_ref(), collateral_mint.as_ref()], &pid);
        let (transit_quote, _) = Pubkey::find_program_address(&[TRANSIT_SEED, market.as_ref(), lending.mint.as_ref()], &pid);
        MarketKeys {
            market_id,
            market,
            lev_mint,
            collateral_vault,
            quote_vault,
            collateral_mint,
            quote_mint: lending.mint,
            collateral_token_program,
            quote_token_program: lending.token_program,
            transit_authority,
            transit_collateral,
            transit_quote,
            treasury,
            oracle,
            lending,
            amm,
        }
    }

    /// The market's credit-line record at the lending pool.
    pub fn lending_borrower(&self) -> Pubkey {
        self.lending.borrower(&self.market)
    }

    /// The venue's (collateral, quote) vaults.
    fn amm_vaults(&self) -> (Pubkey, Pubkey) {
        if self.amm.is_a(&self.collateral_mint) {
            (self.amm.vault_a, self.amm.vault_b)
        } else {
            (self.amm.vault_b, self.amm.vault_a)
        }
    }

    /// The accounts shared by mint, redeem and rebalance.
    pub fn core(&self) -> accounts::MarketCore {
        let (swap_collateral_vault, swap_quote_vault) = self.amm_vaults();
        accounts::MarketCore {
            market: self.market,
            lev_mint: self.lev_mint,
            collateral_mint: self.collateral_mint,
            quote_mint: self.quote_mint,
            collateral_vault: self.collateral_vault,
            quote_vault: self.quote_vault,
            transit_authority: self.transit_authority,
            transit_collateral: self.transit_collateral,
            transit_quote: self.transit_quote,
            oracle: self.oracle,
            lending_pool: self.lending.pool,
            lending_borrower: self.lending_borrower(),
            lending_vault: self.lending.liquidity_vault,
            lending_program: lending_pool::ID,
            swap_program: amm::ID,
            swap_pool: self.amm.pool,
            swap_authority: self.amm.authority,
            swap_collateral_vault,
            swap_quote_vault,
            collateral_token_program: self.collateral_token_program,
            quote_token_program: self.quote_token_program,
            lev_token_program: TOKEN_2022_ID,
        }
    }

    pub fn init_market(&self, admin: Pubkey, pool_admin: Pubkey, args: InitMarketArgs) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::InitMarket {
                admin,
                pool_admin,
                market: self.market,
                lev_mint: self.lev_mint,
                collateral_mint: self.collateral_mint,
                quote_mint: self.quote_mint,
                collateral_vault: self.collateral_vault,
                quote_vault: self.quote_vault,
                transit_authority: self.transit_authority,
                transit_collateral: self.transit_collateral,
                transit_quote: self.transit_quote,
                lending_pool: self.lending.pool,
                lending_borrower: self.lending_borrower(),
                lending_program: lending_pool::ID,
                oracle: self.oracle,
                lev_token_program: TOKEN_2022_ID,
                collateral_token_program: self.collateral_token_program,
                quote_token_program: self.quote_token_program,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitMarket { market_id: self.market_id, args },
        )
    }

    pub fn mint_accounts(&self, user: Pubkey, user_quote: Pubkey, user_lev: Pubkey) -> accounts::MintLev {
        accounts::MintLev { core: self.core(), user, user_quote, user_lev }
    }

    pub fn mint(&self, user: Pubkey, user_quote: Pubkey, user_lev: Pubkey, usdc_in: u64, min_tokens_out: u64) -> Instruction {
        anchor_ix(leveraged_token::ID, self.mint_accounts(user, user_quote, user_lev), instruction::Mint { usdc_in, min_tokens_out })
    }

    pub fn redeem_accounts(&self, user: Pubkey, user_quote: Pubkey, user_lev: Pubkey) -> accounts::Redeem {
        accounts::Redeem { core: self.core(), user, user_quote, user_lev }
    }

    pub fn redeem(&self, user: Pubkey, user_quote: Pubkey, user_lev: Pubkey, tokens_in: u64, min_usdc_out: u64) -> Instruction {
        anchor_ix(leveraged_token::ID, self.redeem_accounts(user, user_quote, user_lev), instruction::Redeem { tokens_in, min_usdc_out })
    }

    pub fn rebalance_accounts(&self, keeper: Pubkey, keeper_quote: Pubkey) -> accounts::Rebalance {
        accounts::Rebalance { core: self.core(), keeper, keeper_quote }
    }

    pub fn rebalance(&self, keeper: Pubkey, keeper_quote: Pubkey) -> Instruction {
        anchor_ix(leveraged_token::ID, self.rebalance_accounts(keeper, keeper_quote), instruction::Rebalance {})
    }

    /// Redeem `tokens_in` in kind: receive collateral into `user_collateral`, repay the debt share
    /// from `user_quote` (no venue, no oracle).
    pub fn redeem_in_kind(
        &self,
        user: Pubkey,
        user_lev: Pubkey,
        user_collateral: Pubkey,
        user_quote: Pubkey,
        tokens_in: u64,
        min_collateral_out: u64,
    ) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::RedeemInKind {
                market: self.market,
                lev_mint: self.lev_mint,
                collateral_mint: self.collateral_mint,
                quote_mint: self.quote_mint,
                collateral_vault: self.collateral_vault,
                quote_vault: self.quote_vault,
                user,
                user_lev,
                user_collateral,
                user_quote,
                lending_pool: self.lending.pool,
                lending_borrower: self.lending_borrower(),
                lending_vault: self.lending.liquidity_vault,
                lending_program: lending_pool::ID,
                collateral_token_program: self.collateral_token_program,
                quote_token_program: self.quote_token_program,
                lev_token_program: TOKEN_2022_ID,
            },
            instruction::RedeemInKind { tokens_in, min_collateral_out },
        )
    }

    /// Anyone, while the vault is insolvent: one settlement step.
    pub fn settle(&self, settler: Pubkey) -> Instruction {
        anchor_ix(leveraged_token::ID, accounts::Settle { core: self.core(), settler }, instruction::Settle {})
    }

    pub fn nav(&self) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::Nav {
                market: self.market,
                lev_mint: self.lev_mint,
                oracle: self.oracle,
                lending_pool: self.lending.pool,
                lending_borrower: self.lending_borrower(),
            },
            instruction::Nav {},
        )
    }

    pub fn set_pause(&self, authority: Pubkey, mint_paused: bool) -> Instruction {
        anchor_ix(leveraged_token::ID, accounts::SetPause { authority, market: self.market }, instruction::SetPause { mint_paused })
    }

    /// Admin: queue `change` behind the market's timelock.
    pub fn queue_change(&self, admin: Pubkey, change: AdminChange) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::QueueChange { admin, market: self.market, lending_pool: self.lending.pool },
            instruction::QueueChange { change },
        )
    }

    /// Anyone: execute the queued change once its time has come.
    pub fn execute_change(&self, executor: Pubkey) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::ExecuteChange { executor, market: self.market, lending_pool: self.lending.pool, lev_mint: self.lev_mint },
            instruction::ExecuteChange {},
        )
    }

    /// Anyone: execute a queued oracle-feed change, with fresh updates of the current and the new
    /// feed (they must agree).
    pub fn execute_oracle_change(&self, executor: Pubkey, current_feed_update: Pubkey, new_feed_update: Pubkey) -> Instruction {
        let mut ix = self.execute_change(executor);
        ix.accounts.push(solana_instruction::AccountMeta::new_readonly(current_feed_update, false));
        ix.accounts.push(solana_instruction::AccountMeta::new_readonly(new_feed_update, false));
        ix
    }

    /// Anyone: execute a queued metadata-URI change (the Token-2022 program as the extra account).
    /// A longer URI needs the mint funded for its new size first: see [`metadata_top_up`].
    pub fn execute_metadata_uri_change(&self, executor: Pubkey) -> Instruction {
        let mut ix = self.execute_change(executor);
        ix.accounts.push(solana_instruction::AccountMeta::new_readonly(crate::TOKEN_2022_ID, false));
        ix
    }

    /// Guardian or admin: cancel the queued change.
    pub fn cancel_change(&self, authority: Pubkey) -> Instruction {
        anchor_ix(leveraged_token::ID, accounts::CancelChange { authority, market: self.market }, instruction::CancelChange {})
    }

    /// Treasury: claim the accrued fees to `quote_destination` (USDC) and `lev_destination`.
    pub fn claim_fees(&self, treasury: Pubkey, quote_destination: Pubkey, lev_destination: Pubkey) -> Instruction {
        anchor_ix(
            leveraged_token::ID,
            accounts::ClaimFees {
                treasury,
                market: self.market,
                quote_vault: self.quote_vault,
                quote_mint: self.quote_mint,
                lev_mint: self.lev_mint,
                quote_destination,
                lev_destination,
                quote_token_program: self.quote_token_program,
                lev_token_program: TOKEN_2022_ID,
            },
            instruction::ClaimFees {},
        )
    }

    pub fn propose_admin(&self, admin: Pubkey, new_admin: Pubkey) -> Instruction {
        anchor_ix(leveraged_token::ID, accounts::ProposeAdmin { admin, market: self.market }, instruction::ProposeAdmin { new_admin })
    }

    pub fn accept_admin(&self, new_admin: Pubkey) -> Instruction {
        anchor_ix(leveraged_token::ID, accounts::AcceptAdmin { new_admin, market: self.market }, instruction::AcceptAdmin {})
    }
}

/// Lamports to move into a Token-2022 mint of `data_len` bytes holding `lamports` before its
/// metadata URI grows to `new_uri_len` bytes (rent-exempt for at most `data_len + new_uri_len`; an
/// upper bound, since the old URI's bytes are freed).
pub fn metadata_top_up(data_len: usize, lamports: u64, new_uri_len: usize) -> u64 {
    solana_rent_minimum(data_len + new_uri_len).saturating_sub(lamports)
}

fn solana_rent_minimum(len: usize) -> u64 {
    anchor_lang::prelude::Rent::default().minimum_balance(len)
}
