use anchor_lang::{prelude::*, system_program, AccountsExit};
use anchor_spl::token_interface::{token_metadata_initialize, Mint, TokenAccount, TokenInterface, TokenMetadataInitialize};
use lending_pool::{program::LendingPool as LendingProgram, LendingPool};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

use crate::{
    LevError, Market, MarketInitialized, MarketParams, COLLATERAL_VAULT_SEED, LEV_DECIMALS, LEV_MINT_SEED, MARKET_SEED, QUOTE_VAULT_SEED,
    TRANSIT_AUTHORITY_SEED, TRANSIT_SEED,
};

/// Everything `init_market` is told besides accounts.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitMarketArgs {
    pub params: MarketParams,
    /// Pyth feed id the oracle account must carry.
    pub feed_id: [u8; 32],
    /// Allowlisted swap venues: program and pool pairs, one to `MAX_SWAP_PROGRAMS` of each, same
    /// length (a default key marks an unused slot). Vectors, not the market's fixed arrays, so the
    /// transaction stays under the 1,232-byte packet limit with one venue.
    pub swap_programs: Vec<Pubkey>,
    pub swap_pools: Vec<Pubkey>,
    pub guardian: Pubkey,
    /// The key that may claim the fees.
    pub treasury: Pubkey,
    /// Delay of every later admin change (0 ..= 30 days; `DEFAULT_TIMELOCK_SECS` is a day).
    pub timelock_secs: i64,
    /// Credit line requested from the lending pool, USDC base units.
    pub credit_limit: u64,
    pub name: String,
    pub symbol: String,
    pub uri: String,
}

#[derive(Accounts)]
#[instruction(market_id: u64)]
pub struct InitMarket<'info> {
    /// Pays for every account and becomes the market admin.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The lending pool's admin, who grants the market its credit line in the same transaction.
    #[account(mut)]
    pub pool_admin: Signer<'info>,

    #[account(init, payer = admin, space = 8 + Market::INIT_SPACE, seeds = [MARKET_SEED, &market_id.to_le_bytes()], bump)]
    pub market: Box<Account<'info, Market>>,

    #[account(
        init,
        payer = admin,
        seeds = [LEV_MINT_SEED, market.key().as_ref()],
        bump,
        mint::decimals = LEV_DECIMALS,
        mint::authority = market,
        mint::token_program = lev_token_program,
        extensions::metadata_pointer::authority = market,
        extensions::metadata_pointer::metadata_address = lev_mint,
    )]
    pub lev_mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(mint::token_program = collateral_token_program)]
    pub collateral_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mint::token_program = quote_token_program)]
    pub quote_mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        init,
        payer = admin,
        seeds = [COLLATERAL_VAULT_SEED, market.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = market,
        token::token_program = collateral_token_program,
    )]
    pub collateral_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init,
        payer = admin,
        seeds = [QUOTE_VAULT_SEED, market.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = market,
        token::token_program = quote_token_program,
    )]
    pub quote_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    /// CHECK: a PDA that holds no data; it owns the transit accounts and signs swap venues.
    #[account(seeds = [TRANSIT_AUTHORITY_SEED, market.key().as_ref()], bump)]
    pub transit_authority: UncheckedAccount<'info>,
    #[account(
        init,
        payer = admin,
        seeds = [TRANSIT_SEED, market.key().as_ref(), collateral_mint.key().as_ref()],
        bump,
        token::mint = collateral_mint,
        token::authority = transit_authority,
        token::token_program = collateral_token_program,
    )]
    pub transit_collateral: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        init,
        payer = admin,
        seeds = [TRANSIT_SEED, market.key().as_ref(), quote_mint.key().as_ref()],
        bump,
        token::mint = quote_mint,
        token::authority = transit_authority,
        token::token_program = quote_token_program,
    )]
    pub transit_quote: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(
        mut,
        constraint = lending_pool.admin == pool_admin.key() @ LevError::NotAdmin,
        constraint = lending_pool.mint == quote_mint.key() @ LevError::InvalidParams,
    )]
    pub lending_pool: Box<Account<'info, LendingPool>>,
    /// CHECK: created by the lending pool program in the `register_borrower` CPI (which checks its
    /// seeds).
    #[account(mut)]
    pub lending_borrower: UncheckedAccount<'info>,
    pub lending_program: Program<'info, LendingProgram>,

    /// The Pyth price account the market will read (owner checked by the type).
    pub oracle: Box<Account<'info, PriceUpdateV2>>,

    #[account(address = anchor_spl::token_2022::ID)]
    pub lev_token_program: Interface<'info, TokenInterface>,
    pub collateral_token_program: Interface<'info, TokenInterface>,
    pub quote_token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handle_init_market(mut ctx: Context<InitMarket>, market_id: u64, args: InitMarketArgs) -> Result<()> {
    args.params.validate(ctx.accounts.lending_pool.config.liquidation_leverage_bps)?;
    require!(args.name.len() <= 32 && args.symbol.len() <= 10 && args.uri.len() <= 200, LevError::MetadataTooLong);
    let (swap_programs, swap_pools) = crate::venue_slots(&args.swap_programs, &args.swap_pools)?;
    crate::validate_venues(&swap_programs, &swap_pools)?;
    crate::validate_timelock(args.timelock_secs, ctx.accounts.lending_pool.timelock_secs)?;
    // Transfer fees, hooks, permanent delegates, default-frozen accounts, close authorities … would
    // each break the books or the vaults: only display-only extensions are accepted.
    for mint in [ctx.accounts.collateral_mint.to_account_info(), ctx.accounts.quote_mint.to_account_info()] {
        if let Some(ext) = program_utils::disallowed_mint_extension(&mint)? {
            msg!("mint {} has the Token-2022 extension {:?}", mint.key, ext);
            return err!(LevError::MintExtensionNotAllowed);
        }
    }
    require!(ctx.accounts.oracle.price_message.feed_id == args.feed_id, LevError::OracleWrongFeed);
    let now = Clock::get()?.unix_timestamp;

    let a = &mut ctx.accounts;
    let market_key = a.market.key();
    let market = &mut a.market;
    market.market_id = market_id;
    market.admin = a.admin.key();
    market.pending_admin = Pubkey::default();
    market.guardian = args.guardian;
    market.collateral_mint = a.collateral_mint.key();
    market.quote_mint = a.quote_mint.key();
    market.lev_mint = a.lev_mint.key();
    market.collateral_vault = a.collateral_vault.key();
    market.quote_vault = a.quote_vault.key();
    market.collateral_decimals = a.collateral_mint.decimals;
    market.quote_decimals = a.quote_mint.decimals;
    market.collateral_token_program = a.collateral_token_program.key();
    market.quote_token_program = a.quote_token_program.key();
    market.treasury = args.treasury;
    market.transit_authority = a.transit_authority.key();
    market.transit_collateral = a.transit_collateral.key();
    market.transit_quote = a.transit_quote.key();
    market.transit_authority_bump = ctx.bumps.transit_authority;
    market.fees_quote = 0;
    market.fees_lev = 0;
    market.timelock_secs = args.timelock_secs;
    market.queued = None;
    market.lending_pool = a.lending_pool.key();
    market.lending_borrower = a.lending_borrower.key();
    market.oracle = a.oracle.key();
    market.feed_id = args.feed_id;
    market.swap_programs = swap_programs;
    market.swap_pools = swap_pools;
    market.params = args.params;
    market.collateral = 0;
    market.settling = false;
    market.settled = false;
    market.residual_quote = 0;
    market.last_rebalance_ts = now;
    market.last_fee_accrual_ts = now;
    market.mint_paused = false;
    market.bump = ctx.bumps.market;
    market.lev_mint_bump = ctx.bumps.lev_mint;

    // Credit line: the pool checks that the borrower is this market (owner, discriminator and
    // PDA), so the market's data must be written before the CPI.
    a.market.exit(&crate::ID)?;
    lending_pool::cpi::register_borrower(
        CpiContext::new(
            a.lending_program.key(),
            lending_pool::cpi::accounts::RegisterBorrower {
                admin: a.pool_admin.to_account_info(),
                pool: a.lending_pool.to_account_info(),
                market: a.market.to_account_info(),
                borrower: a.lending_borrower.to_account_info(),
                system_program: a.system_program.to_account_info(),
            },
        ),
        market_key,
        args.credit_limit,
    )?;

    // Token metadata lives in the mint itself (metadata pointer → mint). Fund the extra bytes
    // first; Token-2022 reallocates.
    let metadata_len = 4 + 32 + 32 + 4 + args.name.len() + 4 + args.symbol.len() + 4 + args.uri.len() + 4;
    let mint_info = a.lev_mint.to_account_info();
    let needed = Rent::get()?.minimum_balance(mint_info.data_len() + metadata_len);
    let top_up = needed.saturating_sub(mint_info.lamports());
    if top_up > 0 {
        system_program::transfer(
            CpiContext::new(a.system_program.key(), system_program::Transfer { from: a.admin.to_account_info(), to: mint_info.clone() }),
            top_up,
        )?;
    }
    let id = market_id.to_le_bytes();
    let bump = [a.market.bump];
    let seeds = Market::signer_seeds(&id, &bump);
    token_metadata_initialize(
        CpiContext::new_with_signer(
            a.lev_token_program.key(),
            TokenMetadataInitialize {
                program_id: a.lev_token_program.to_account_info(),
                metadata: mint_info.clone(),
                update_authority: a.market.to_account_info(),
                mint_authority: a.market.to_account_info(),
                mint: mint_info,
            },
            &[&seeds],
        ),
        args.name,
        args.symbol,
        args.uri,
    )?;

    program_utils::emit(MarketInitialized { market: market_key, market_id, admin: a.market.admin, lev_mint: a.market.lev_mint, params: a.market.params });
    Ok(())
}
