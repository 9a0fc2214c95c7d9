//! Pre-funded PDAs. Anyone can send lamports to an address before it is created; Anchor 1.2.2's
//! `init` then takes its pre-funded path (`CreateAccountAllowPrefund`), which the system program of
//! Agave 3.1 refuses, so the account could never be created. Each program has a permissionless
//! `reclaim_prefunded(seeds)` that returns such lamports to the payer; this module lists the PDAs
//! every `init` creates and prepends a reclaim for each one that holds lamports, so deployment
//! cannot be blocked by a griefer.

use anchor_lang::prelude::Pubkey;
use solana_instruction::Instruction;
use solana_keypair::Keypair;

use crate::{
    amm::AmmPool,
    anchor_ix,
    chain::{Chain, ChainError},
    lending::LendingPoolKeys,
    market::MarketKeys,
};

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;

/// One PDA an `init` will create: its program, address and seeds (without the bump).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitPda {
    pub program: Pubkey,
    pub address: Pubkey,
    pub seeds: Vec<Vec<u8>>,
}

impl InitPda {
    pub fn new(program: Pubkey, seeds: &[&[u8]]) -> Self {
        let (address, _) = Pubkey::find_program_address(seeds, &program);
        InitPda { program, address, seeds: seeds.iter().map(|s| s.to_vec()).collect() }
    }

    /// `reclaim_prefunded` of this PDA's program, lamports to `payer`.
    pub fn reclaim_ix(&self, payer: Pubkey) -> Instruction {
        reclaim_ix(self.program, payer, self.address, self.seeds.clone())
    }
}

/// `reclaim_prefunded(seeds)` of `program` (one of the three) for `target`, lamports to `payer`.
pub fn reclaim_ix(program: Pubkey, payer: Pubkey, target: Pubkey, seeds: Vec<Vec<u8>>) -> Instruction {
    if program == leveraged_token::ID {
        let a = leveraged_token::accounts::ReclaimPrefunded { payer, target, system_program: SYSTEM_PROGRAM };
        anchor_ix(program, a, leveraged_token::instruction::ReclaimPrefunded { seeds })
    } else if program == lending_pool::ID {
        let a = lending_pool::accounts::ReclaimPrefunded { payer, target, system_program: SYSTEM_PROGRAM };
        anchor_ix(program, a, lending_pool::instruction::ReclaimPrefunded { seeds })
    } else {
        assert_eq!(program, amm::ID, "reclaim_prefunded exists in the three programs only");
        let a = amm::accounts::ReclaimPrefunded { payer, target, system_program: SYSTEM_PROGRAM };
        anchor_ix(program, a, amm::instruction::ReclaimPrefunded { seeds })
    }
}

impl MarketKeys {
    /// The PDAs `init_market` creates: market, leveraged mint, both vaults, the credit line.
    pub fn init_pdas(&self) -> Vec<InitPda> {
        let id = self.market_id.to_le_bytes();
        let m = self.market.as_ref();
        vec![
            InitPda::new(leveraged_token::ID, &[leveraged_token::MARKET_SEED, &id]),
            InitPda::new(leveraged_token::ID, &[leveraged_token::LEV_MINT_SEED, m]),
            InitPda::new(leveraged_token::ID, &[leveraged_token::COLLATERAL_VAULT_SEED, m]),
            InitPda::new(leveraged_token::ID, &[leveraged_token::QUOTE_VAULT_SEED, m]),
            InitPda::new(leveraged_token::ID, &[leveraged_token::TRANSIT_SEED, m, self.collateral_mint.as_ref()]),
            InitPda::new(leveraged_token::ID, &[leveraged_token::TRANSIT_SEED, m, self.quote_mint.as_ref()]),
            self.lending.borrower_pda(&self.market),
        ]
    }
}

impl LendingPoolKeys {
    /// The PDAs `init_pool` creates: pool, liquidity vault, share mint.
    pub fn init_pdas(&self) -> Vec<InitPda> {
        vec![
            InitPda::new(lending_pool::ID, &[lending_pool::POOL_SEED, self.mint.as_ref()]),
            InitPda::new(lending_pool::ID, &[lending_pool::LIQUIDITY_SEED, self.pool.as_ref()]),
            InitPda::new(lending_pool::ID, &[lending_pool::SHARE_MINT_SEED, self.pool.as_ref()]),
        ]
    }

    /// The credit line `register_borrower` (or `init_market`) creates for `authority`.
    pub fn borrower_pda(&self, authority: &Pubkey) -> InitPda {
        InitPda::new(lending_pool::ID, &[lending_pool::BORROWER_SEED, self.pool.as_ref(), authority.as_ref()])
    }
}

impl AmmPool {
    /// The PDAs `initialize_pool` creates: pool, both vaults, LP mint.
    pub fn init_pdas(&self) -> Vec<InitPda> {
        let p = self.pool.as_ref();
        vec![
            InitPda::new(amm::ID, &[amm::POOL_SEED, self.mint_a.as_ref(), self.mint_b.as_ref()]),
            InitPda::new(amm::ID, &[amm::VAULT_SEED, p, self.mint_a.as_ref()]),
            InitPda::new(amm::ID, &[amm::VAULT_SEED, p, self.mint_b.as_ref()]),
            InitPda::new(amm::ID, &[amm::LP_MINT_SEED, p]),
        ]
    }
}

/// Send `inits` (instructions that `init` the PDAs of `pdas`) with a reclaim before them for every
/// PDA a griefer pre-funded: in the same transaction when it fits the 1,232-byte packet (atomic,
/// nothing to race), otherwise the reclaims first in a transaction of their own. Should someone
/// park lamports again in between, the init fails on that PDA and the round repeats (three times
/// at most; each round the griefer's lamports go to the payer).
pub async fn send_guarded<C: Chain>(
    chain: &mut C,
    payer: Pubkey,
    pdas: &[InitPda],
    inits: &[Instruction],
    signers: &[&Keypair],
) -> Result<crate::chain::Landed, ChainError> {
    use crate::budget::{budget_ixs, tx_size, MAX_COMPUTE_UNITS, PACKET_BYTES};
    let mut last = None;
    for _ in 0..3 {
        let reclaims = guard_init(chain, payer, pdas, inits[0].clone()).await?;
        let reclaims = &reclaims[..reclaims.len() - 1];
        let together = [reclaims, inits].concat();
        // Sized with a compute-unit limit and price, as every client sends.
        let fits = tx_size(&[budget_ixs(MAX_COMPUTE_UNITS, Some(1)), together.clone()].concat(), &payer).0 <= PACKET_BYTES;
        if fits || reclaims.is_empty() {
            return chain.send(&together, signers).await;
        }
        chain.send(reclaims, &[]).await?;
        match chain.send(inits, signers).await {
            Ok(landed) => return Ok(landed),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| ChainError::Transport("init did not land".into())))
}

/// `init` preceded by a reclaim for every PDA of `pdas` that is still a bare system account holding
/// lamports (someone pre-funded it). Nothing is prepended when no PDA was touched.
pub async fn guard_init<C: Chain>(chain: &mut C, payer: Pubkey, pdas: &[InitPda], init: Instruction) -> Result<Vec<Instruction>, ChainError> {
    let mut ixs = Vec::new();
    for pda in pdas {
        if let Some(acc) = chain.account(&pda.address).await? {
            if acc.owner == SYSTEM_PROGRAM && acc.data.is_empty() && acc.lamports > 0 {
                ixs.push(pda.reclaim_ix(payer));
            }
        }
    }
    ixs.push(init);
    Ok(ixs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_pdas_match_the_derived_addresses() {
        let usdc = Pubkey::new_unique();
        let eth = Pubkey::new_unique();
        let lending = LendingPoolKeys::derive(usdc, crate::SPL_TOKEN_ID);
        let amm = AmmPool::derive(eth, crate::TOKEN_2022_ID, usdc, crate::SPL_TOKEN_ID, crate::SPL_TOKEN_ID);
        let keys = MarketKeys::derive(7, eth, crate::TOKEN_2022_ID, lending, amm, Pubkey::new_unique(), Pubkey::new_unique());
        let addrs = |v: Vec<InitPda>| v.into_iter().map(|p| p.address).collect::<Vec<_>>();
        assert_eq!(
            addrs(keys.init_pdas()),
            vec![keys.market, keys.lev_mint, keys.collateral_vault, keys.quote_vault, keys.transit_collateral, keys.transit_quote, keys.lending_borrower()]
        );
        assert_eq!(addrs(lending.init_pdas()), vec![lending.pool, lending.liquidity_vault, lending.share_mint]);
        assert_eq!(addrs(amm.init_pdas()), vec![amm.pool, amm.vault_a, amm.vault_b, amm.lp_mint]);
    }
}
