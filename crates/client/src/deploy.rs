//! Deployment through any [`Chain`]: the lending pool, the AMM (localnet only: it creates test
//! mints and seeds the pool) and the market. Used by the migrations script, `levtoken demo`, the
//! backtest and the CLI tests.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use lending_pool::PoolConfig;
use lev_math::{Price, Round};
use leveraged_token::{InitMarketArgs, MarketParams};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::{
    amm::AmmPool,
    chain::{Chain, ChainError},
    lending::LendingPoolKeys,
    market::MarketKeys,
    oracle::ETH_USD_FEED_ID,
    prefund::send_guarded,
    ETH_DECIMALS, SPL_TOKEN_ID, TOKEN_2022_ID, USDC_DECIMALS,
};

/// Rent-exempt minimum for `len` bytes (the default rent: 3480 lamports per byte-year × 2 years).
pub fn rent_exempt(len: usize) -> u64 {
    (128 + len as u64) * 3_480 * 2
}

/// Instructions creating a mint whose authority is `authority`.
pub fn create_mint_ixs(payer: &Pubkey, mint: &Pubkey, authority: &Pubkey, token_program: &Pubkey, decimals: u8) -> Vec<Instruction> {
    vec![
        solana_system_interface::instruction::create_account(payer, mint, rent_exempt(82), 82, token_program),
        spl_token_2022::instruction::initialize_mint2(token_program, mint, authority, None, decimals).expect("mint ix"),
    ]
}

/// Instructions creating a token account at `account` for `mint` owned by `owner`.
pub fn create_token_account_ixs(payer: &Pubkey, account: &Pubkey, mint: &Pubkey, owner: &Pubkey, token_program: &Pubkey) -> Vec<Instruction> {
    vec![
        solana_system_interface::instruction::create_account(payer, account, rent_exempt(165), 165, token_program),
        spl_token_2022::instruction::initialize_account3(token_program, account, mint, owner).expect("account ix"),
    ]
}

pub fn mint_to_ix(token_program: &Pubkey, mint: &Pubkey, dest: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    spl_token_2022::instruction::mint_to(token_program, mint, dest, authority, &[], amount).expect("mint_to ix")
}

/// Create a token account (fresh keypair address) and return its address.
pub async fn new_token_account<C: Chain>(chain: &mut C, mint: &Pubkey, owner: &Pubkey, token_program: &Pubkey) -> Result<Pubkey, ChainError> {
    let kp = Keypair::new();
    let payer = chain.payer();
    chain.send(&create_token_account_ixs(&payer, &kp.pubkey(), mint, owner, token_program), &[&kp]).await?;
    Ok(kp.pubkey())
}

/// What a localnet deployment looks like.
#[derive(Clone, Debug)]
pub struct LocalnetConfig {
    pub market_id: u64,
    pub amm_fee_bps: u16,
    /// USDC on each side of the AMM at start, whole dollars.
    pub amm_depth_usd: u64,
    /// ETH price at start (Pyth mantissa at expo −8).
    pub eth_price_mantissa: i64,
    /// USDC lent into the pool at start, whole dollars.
    pub lend_usd: u64,
    pub pool_config: PoolConfig,
    pub params: MarketParams,
    pub credit_limit: u64,
    /// The market's and the lending pool's admin timelock. `DEFAULT_TIMELOCK_SECS` (a day) for a
    /// real deployment; the localnet demo, the backtest and the tests use 0 so that an in-process
    /// run needs no waiting (the delay is then visible, not enforced).
    pub timelock_secs: i64,
}

impl LocalnetConfig {
    /// The defaults of `levtoken demo`: a $10M, 5 bps pool at $3,000 and $1M lent.
    pub fn demo(params: MarketParams) -> Self {
        LocalnetConfig {
            market_id: 1,
            amm_fee_bps: 5,
            amm_depth_usd: 10_000_000,
            eth_price_mantissa: 3_000 * 100_000_000,
            lend_usd: 1_000_000,
            pool_config: default_pool_config(),
            params,
            credit_limit: 100_000_000 * 1_000_000,
            timelock_secs: 0,
        }
    }
}

/// 0% base, 4% at 80% utilisation, 79% at 100%; unsafe for borrowers at 5x.
pub fn default_pool_config() -> PoolConfig {
    PoolConfig { base_rate_bps: 0, slope1_bps: 400, slope2_bps: 7_500, optimal_utilization_bps: 8_000, liquidation_leverage_bps: 50_000 }
}

/// Everything a localnet deployment created. The payer is the mint authority of both test mints.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub keys: MarketKeys,
    pub usdc: Pubkey,
    pub eth: Pubkey,
    pub treasury: Pubkey,
    /// The payer's accounts that seeded the AMM and the pool.
    pub lp_usdc: Pubkey,
    pub lp_eth: Pubkey,
}

/// The token metadata URI of a localnet deployment (`levtoken localnet` serves its own).
pub const DEMO_METADATA_URI: &str = "https://example.invalid/ethbull3x.json";

/// Create mints, the lending pool (funded), the AMM (seeded at the oracle price) and the market,
/// reading the price from `oracle` (which must already hold a `PriceUpdateV2` for ETH/USD).
pub async fn deploy_localnet<C: Chain>(chain: &mut C, cfg: &LocalnetConfig, oracle: Pubkey) -> Result<Deployment, ChainError> {
    deploy_localnet_with_uri(chain, cfg, oracle, DEMO_METADATA_URI).await
}

/// [`deploy_localnet`] with the token's metadata URI (at most 200 bytes; every byte over
/// [`DEMO_METADATA_URI`]'s 39 takes one from `init_market`'s 13 spare in the packet).
pub async fn deploy_localnet_with_uri<C: Chain>(chain: &mut C, cfg: &LocalnetConfig, oracle: Pubkey, uri: &str) -> Result<Deployment, ChainError> {
    let payer = chain.payer();
    let usdc_kp = Keypair::new();
    let eth_kp = Keypair::new();
    let (usdc, eth) = (usdc_kp.pubkey(), eth_kp.pubkey());
    let mut ixs = create_mint_ixs(&payer, &usdc, &payer, &SPL_TOKEN_ID, USDC_DECIMALS);
    ixs.extend(create_mint_ixs(&payer, &eth, &payer, &TOKEN_2022_ID, ETH_DECIMALS));
    chain.send(&ixs, &[&usdc_kp, &eth_kp]).await?;

    let lending = LendingPoolKeys::derive(usdc, SPL_TOKEN_ID);
    let amm = AmmPool::derive(eth, TOKEN_2022_ID, usdc, SPL_TOKEN_ID, SPL_TOKEN_ID);
    let pdas = [lending.init_pdas(), amm.init_pdas()].concat();
    send_guarded(chain, payer, &pdas, &[lending.init_pool(payer, cfg.pool_config, cfg.timelock_secs), amm.initialize(payer, cfg.amm_fee_bps)], &[]).await?;

    // Seed the AMM at the oracle price and fund the pool.
    let price = Price::from_oracle(cfg.eth_price_mantissa, -8, ETH_DECIMALS, USDC_DECIMALS).ok_or_else(|| ChainError::Transport("bad start price".into()))?;
    let depth = cfg.amm_depth_usd * 1_000_000;
    let eth_side = price.base_for_quote(depth as u128, Round::Down).unwrap_or(0) as u64;
    let lend = cfg.lend_usd * 1_000_000;
    let lp_usdc = new_token_account(chain, &usdc, &payer, &SPL_TOKEN_ID).await?;
    let lp_eth = new_token_account(chain, &eth, &payer, &TOKEN_2022_ID).await?;
    let lp_token = new_token_account(chain, &amm.lp_mint, &payer, &SPL_TOKEN_ID).await?;
    let shares = new_token_account(chain, &lending.share_mint, &payer, &SPL_TOKEN_ID).await?;
    chain
        .send(
            &[
                mint_to_ix(&SPL_TOKEN_ID, &usdc, &lp_usdc, &payer, depth + lend),
                mint_to_ix(&TOKEN_2022_ID, &eth, &lp_eth, &payer, eth_side),
                {
                    let ((owner_a, owner_b), (max_a, max_b)) = (amm.in_ab_order(&eth, lp_eth, lp_usdc), amm.in_ab_order(&eth, eth_side, depth));
                    amm.add_liquidity(payer, owner_a, owner_b, lp_token, max_a, max_b, 1)
                },
                lending.deposit(payer, lp_usdc, shares, lend, 1),
            ],
            &[],
        )
        .await?;

    let keys = deploy_market_with_uri(chain, cfg, eth, lending, amm, oracle, uri).await?;
    let treasury = keys.treasury;
    Ok(Deployment { keys, usdc, eth, treasury, lp_usdc, lp_eth })
}

/// Create market `cfg.market_id` on existing pools: the market and its mint, with the payer as
/// admin, guardian and treasury (a localnet deployment).
pub async fn deploy_market<C: Chain>(
    chain: &mut C,
    cfg: &LocalnetConfig,
    collateral_mint: Pubkey,
    lending: LendingPoolKeys,
    amm: AmmPool,
    oracle: Pubkey,
) -> Result<MarketKeys, ChainError> {
    deploy_market_with_uri(chain, cfg, collateral_mint, lending, amm, oracle, DEMO_METADATA_URI).await
}

/// [`deploy_market`] with the token's metadata URI.
pub async fn deploy_market_with_uri<C: Chain>(
    chain: &mut C,
    cfg: &LocalnetConfig,
    collateral_mint: Pubkey,
    lending: LendingPoolKeys,
    amm: AmmPool,
    oracle: Pubkey,
    uri: &str,
) -> Result<MarketKeys, ChainError> {
    let payer = chain.payer();
    let treasury = payer;
    let keys = MarketKeys::derive(cfg.market_id, collateral_mint, TOKEN_2022_ID, lending, amm, oracle, treasury);
    let args = InitMarketArgs {
        params: cfg.params,
        feed_id: ETH_USD_FEED_ID,
        swap_programs: vec![amm::ID],
        swap_pools: vec![amm.pool],
        guardian: payer,
        treasury,
        timelock_secs: cfg.timelock_secs,
        credit_limit: cfg.credit_limit,
        name: "ETH 3x Long".into(),
        symbol: "ETHBULL3X".into(),
        uri: uri.into(),
    };
    send_guarded(chain, payer, &keys.init_pdas(), &[keys.init_market(payer, payer, args)], &[]).await?;
    Ok(keys)
}
