// Every address of a market, derived as crates/client derives it (market.rs `MarketKeys::derive`,
// lending.rs `LendingPoolKeys::derive`, amm.rs `AmmPool::derive`, user.rs `WalletAccounts::of`),
// with the seeds the IDLs declare (the generated find*Pda functions).
import {
  fetchEncodedAccount,
  getAddressEncoder,
  getProgramDerivedAddress,
  type Address,
  type GetAccountInfoApi,
  type Rpc,
} from '@solana/kit';

import * as ammClient from '../generated/amm';
import * as lendingClient from '../generated/lending-pool';
import * as levClient from '../generated/leveraged-token';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS } from './programs';

/** One lending pool's addresses (`LendingPoolKeys`). */
export interface LendingPoolKeys {
  pool: Address;
  mint: Address;
  liquidityVault: Address;
  shareMint: Address;
  tokenProgram: Address;
}

/** One AMM pool's addresses (`AmmPool`): side A is the mint with the smaller bytes. */
export interface AmmPoolKeys {
  pool: Address;
  authority: Address;
  mintA: Address;
  mintB: Address;
  vaultA: Address;
  vaultB: Address;
  lpMint: Address;
  tokenProgramA: Address;
  tokenProgramB: Address;
  lpTokenProgram: Address;
}

/** Every address of one market and of the venues it uses (`MarketKeys`). */
export interface MarketKeys {
  marketId: bigint;
  market: Address;
  levMint: Address;
  collateralVault: Address;
  quoteVault: Address;
  collateralMint: Address;
  quoteMint: Address;
  collateralTokenProgram: Address;
  quoteTokenProgram: Address;
  transitAuthority: Address;
  transitCollateral: Address;
  transitQuote: Address;
  /** The key that may claim the fees. */
  treasury: Address;
  /** The oracle account this client reads (any full-verified update for the feed would do). */
  oracle: Address;
  lending: LendingPoolKeys;
  /** The market's credit line at the lending pool (`MarketKeys::lending_borrower`). */
  lendingBorrower: Address;
  amm: AmmPoolKeys;
}

export async function deriveLendingPoolKeys(mint: Address, tokenProgram: Address): Promise<LendingPoolKeys> {
  const [pool] = await lendingClient.findPoolPda({ mint });
  const [[liquidityVault], [shareMint]] = await Promise.all([
    lendingClient.findLiquidityVaultPda({ pool }),
    lendingClient.findShareMintPda({ pool }),
  ]);
  return { pool, mint, liquidityVault, shareMint, tokenProgram };
}

/** The credit-line record of `authority` at `lending`'s pool. */
export async function deriveLendingBorrower(lending: LendingPoolKeys, authority: Address): Promise<Address> {
  return (await lendingClient.findBorrowerPda({ pool: lending.pool, authority }))[0];
}

/** Byte order of two addresses, as Rust compares `Pubkey`s. */
export function compareAddresses(x: Address, y: Address): number {
  const enc = getAddressEncoder();
  const a = enc.encode(x);
  const b = enc.encode(y);
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The one pool of a pair; the mints (with their token programs) may come in either order. */
export async function deriveAmmPool(
  mintX: Address,
  tokenProgramX: Address,
  mintY: Address,
  tokenProgramY: Address,
  lpTokenProgram: Address,
): Promise<AmmPoolKeys> {
  const [[mintA, tokenProgramA], [mintB, tokenProgramB]] =
    compareAddresses(mintY, mintX) < 0
      ? [[mintY, tokenProgramY], [mintX, tokenProgramX]]
      : [[mintX, tokenProgramX], [mintY, tokenProgramY]];
  const [pool] = await ammClient.findPoolPda({ mintA, mintB });
  const [[authority], [vaultA], [vaultB], [lpMint]] = await Promise.all([
    ammClient.findAuthorityPda({ pool }),
    ammClient.findVaultAPda({ pool, mintA }),
    ammClient.findVaultBPda({ pool, mintB }),
    ammClient.findLpMintPda({ pool }),
  ]);
  return { pool, authority, mintA, mintB, vaultA, vaultB, lpMint, tokenProgramA, tokenProgramB, lpTokenProgram };
}

export interface MarketKeysInput {
  marketId: bigint | number;
  collateralMint: Address;
  collateralTokenProgram: Address;
  lending: LendingPoolKeys;
  amm: AmmPoolKeys;
  oracle: Address;
  treasury: Address;
}

export async function deriveMarketKeys(input: MarketKeysInput): Promise<MarketKeys> {
  const marketId = BigInt(input.marketId);
  const [market] = await levClient.findMarketPda({ marketId });
  const [[levMint], [collateralVault], [quoteVault], [transitAuthority], [transitCollateral], [transitQuote], lendingBorrower] =
    await Promise.all([
      levClient.findLevMintPda({ market }),
      levClient.findCollateralVaultPda({ market }),
      levClient.findQuoteVaultPda({ market }),
      levClient.findTransitAuthorityPda({ market }),
      levClient.findTransitCollateralPda({ market, collateralMint: input.collateralMint }),
      levClient.findTransitQuotePda({ market, quoteMint: input.lending.mint }),
      deriveLendingBorrower(input.lending, market),
    ]);
  return {
    marketId,
    market,
    levMint,
    collateralVault,
    quoteVault,
    collateralMint: input.collateralMint,
    quoteMint: input.lending.mint,
    collateralTokenProgram: input.collateralTokenProgram,
    quoteTokenProgram: input.lending.tokenProgram,
    transitAuthority,
    transitCollateral,
    transitQuote,
    treasury: input.treasury,
    oracle: input.oracle,
    lending: input.lending,
    lendingBorrower,
    amm: input.amm,
  };
}

/** Every address of market `marketId`, read from the chain like `MarketKeys::load`: the market
 * names its mints, oracle and treasury; the venue is the AMM's pool for the market's two mints. */
export async function loadMarketKeys(rpc: Rpc<GetAccountInfoApi>, marketId: bigint | number): Promise<MarketKeys> {
  const [marketAddress] = await levClient.findMarketPda({ marketId });
  const market = await levClient.fetchMarket(rpc, marketAddress);
  const m = market.data;
  const lending = await deriveLendingPoolKeys(m.quoteMint, m.quoteTokenProgram);
  const probe = await deriveAmmPool(m.collateralMint, m.collateralTokenProgram, m.quoteMint, m.quoteTokenProgram, TOKEN_PROGRAM_ADDRESS);
  const pool = await ammClient.fetchPool(rpc, probe.pool);
  const lpMint = await fetchEncodedAccount(rpc, pool.data.lpMint);
  const lpTokenProgram = lpMint.exists ? lpMint.programAddress : TOKEN_PROGRAM_ADDRESS;
  const amm = { ...probe, lpTokenProgram };
  return deriveMarketKeys({
    marketId,
    collateralMint: m.collateralMint,
    collateralTokenProgram: m.collateralTokenProgram,
    lending,
    amm,
    oracle: m.oracle,
    treasury: m.treasury,
  });
}

/** The associated token account of `owner` for `mint` under `tokenProgram`. */
export async function associatedTokenAddress(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  const enc = getAddressEncoder();
  const [ata] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS,
    seeds: [enc.encode(owner), enc.encode(tokenProgram), enc.encode(mint)],
  });
  return ata;
}

/** A wallet's USDC and ETHBULL3X associated token accounts for a market (`WalletAccounts`). */
export interface WalletAccounts {
  owner: Address;
  usdc: Address;
  lev: Address;
}

export async function walletAccounts(owner: Address, keys: MarketKeys): Promise<WalletAccounts> {
  const [usdc, lev] = await Promise.all([
    associatedTokenAddress(owner, keys.quoteMint, keys.quoteTokenProgram),
    associatedTokenAddress(owner, keys.levMint, TOKEN_2022_PROGRAM_ADDRESS),
  ]);
  return { owner, usdc, lev };
}
