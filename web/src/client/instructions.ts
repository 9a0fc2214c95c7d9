// The market's user and keeper instructions with every account filled from its MarketKeys, as
// crates/client/src/market.rs builds them (`MarketKeys::core`, `mint`, `redeem`, `rebalance`).
// Amounts are base units; the minimum-out arguments are the caller's slippage bound (a quote
// comes from simulating the instruction, see simulate.ts).
import type { Address, TransactionSigner } from '@solana/kit';

import { getMintInstruction, getRebalanceInstruction, getRedeemInstruction } from '../generated/leveraged-token';
import type { MarketKeys, WalletAccounts } from './pdas';
import { PROGRAM_ADDRESSES, TOKEN_2022_PROGRAM_ADDRESS } from './programs';

/** The accounts shared by mint, redeem and rebalance (`MarketKeys::core`). */
export function marketCoreAccounts(keys: MarketKeys) {
  const collateralIsA = keys.amm.mintA === keys.collateralMint;
  return {
    market: keys.market,
    levMint: keys.levMint,
    collateralMint: keys.collateralMint,
    quoteMint: keys.quoteMint,
    collateralVault: keys.collateralVault,
    quoteVault: keys.quoteVault,
    transitAuthority: keys.transitAuthority,
    transitCollateral: keys.transitCollateral,
    transitQuote: keys.transitQuote,
    oracle: keys.oracle,
    lendingPool: keys.lending.pool,
    lendingBorrower: keys.lendingBorrower,
    lendingVault: keys.lending.liquidityVault,
    lendingProgram: PROGRAM_ADDRESSES.lendingPool,
    swapProgram: PROGRAM_ADDRESSES.amm,
    swapPool: keys.amm.pool,
    swapAuthority: keys.amm.authority,
    swapCollateralVault: collateralIsA ? keys.amm.vaultA : keys.amm.vaultB,
    swapQuoteVault: collateralIsA ? keys.amm.vaultB : keys.amm.vaultA,
    collateralTokenProgram: keys.collateralTokenProgram,
    quoteTokenProgram: keys.quoteTokenProgram,
    levTokenProgram: TOKEN_2022_PROGRAM_ADDRESS,
  };
}

/** Deposit `usdcIn` for at least `minTokensOut` ETHBULL3X. */
export function mintInstruction(keys: MarketKeys, user: TransactionSigner, wallet: WalletAccounts, usdcIn: bigint, minTokensOut: bigint) {
  return getMintInstruction({ ...marketCoreAccounts(keys), user, userQuote: wallet.usdc, userLev: wallet.lev, usdcIn, minTokensOut });
}

/** Burn `tokensIn` ETHBULL3X for at least `minUsdcOut`. */
export function redeemInstruction(keys: MarketKeys, user: TransactionSigner, wallet: WalletAccounts, tokensIn: bigint, minUsdcOut: bigint) {
  return getRedeemInstruction({ ...marketCoreAccounts(keys), user, userQuote: wallet.usdc, userLev: wallet.lev, tokensIn, minUsdcOut });
}

/** Anyone: rebalance toward the target; the reward goes to `keeperQuote` (a USDC account). */
export function rebalanceInstruction(keys: MarketKeys, keeper: TransactionSigner, keeperQuote: Address) {
  return getRebalanceInstruction({ ...marketCoreAccounts(keys), keeper, keeperQuote });
}
