// Addresses: each one equal to what crates/client derives for the same inputs (fixture written by
// tools/web-fixtures with MarketKeys::derive, LendingPoolKeys::derive, AmmPool::derive and
// WalletAccounts::of).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ASSOCIATED_TOKEN_PROGRAM_ADDRESS,
  compareAddresses,
  deriveAmmPool,
  deriveLendingPoolKeys,
  deriveMarketKeys,
  loadMarketKeys,
  PROGRAM_ADDRESSES,
  PYTH_RECEIVER_PROGRAM_ADDRESS,
  TOKEN_2022_PROGRAM_ADDRESS,
  TOKEN_PROGRAM_ADDRESS,
  walletAccounts,
} from '../../src/client';
import { LEVERAGED_TOKEN_PROGRAM_ADDRESS } from '../../src/generated/leveraged-token';
import { addr, fixture, fixtureAccounts, memoryRpc } from './helpers';

const { inputs, keys, programs } = fixture;

async function derive() {
  const lending = await deriveLendingPoolKeys(addr(inputs.quoteMint), addr(inputs.quoteTokenProgram));
  const amm = await deriveAmmPool(
    addr(inputs.collateralMint),
    addr(inputs.collateralTokenProgram),
    addr(inputs.quoteMint),
    addr(inputs.quoteTokenProgram),
    addr(inputs.lpTokenProgram),
  );
  return deriveMarketKeys({
    marketId: BigInt(inputs.marketId),
    collateralMint: addr(inputs.collateralMint),
    collateralTokenProgram: addr(inputs.collateralTokenProgram),
    lending,
    amm,
    oracle: addr(inputs.oracle),
    treasury: addr(inputs.treasury),
  });
}

/** The fixture's key names → the TS MarketKeys paths. */
function flatten(k: Awaited<ReturnType<typeof derive>>): Record<string, string> {
  return {
    market: k.market,
    levMint: k.levMint,
    collateralVault: k.collateralVault,
    quoteVault: k.quoteVault,
    transitAuthority: k.transitAuthority,
    transitCollateral: k.transitCollateral,
    transitQuote: k.transitQuote,
    lendingPool: k.lending.pool,
    lendingLiquidityVault: k.lending.liquidityVault,
    lendingShareMint: k.lending.shareMint,
    lendingBorrower: k.lendingBorrower,
    ammPool: k.amm.pool,
    ammAuthority: k.amm.authority,
    ammMintA: k.amm.mintA,
    ammMintB: k.amm.mintB,
    ammVaultA: k.amm.vaultA,
    ammVaultB: k.amm.vaultB,
    ammLpMint: k.amm.lpMint,
  };
}

describe('program addresses', () => {
  it('are the ones the Rust crates declare', () => {
    assert.equal(PROGRAM_ADDRESSES.leveragedToken, programs.leveragedToken);
    assert.equal(PROGRAM_ADDRESSES.lendingPool, programs.lendingPool);
    assert.equal(PROGRAM_ADDRESSES.amm, programs.amm);
    assert.equal(LEVERAGED_TOKEN_PROGRAM_ADDRESS, programs.leveragedToken);
    assert.equal(PYTH_RECEIVER_PROGRAM_ADDRESS, programs.pythReceiver);
    assert.equal(TOKEN_PROGRAM_ADDRESS, programs.token);
    assert.equal(TOKEN_2022_PROGRAM_ADDRESS, programs.token2022);
    assert.equal(ASSOCIATED_TOKEN_PROGRAM_ADDRESS, 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
  });
});

describe('PDAs', () => {
  it('equal the Rust client’s MarketKeys for the same inputs', async () => {
    const derived = flatten(await derive());
    const expected = Object.fromEntries(Object.keys(derived).map((k) => [k, keys[k]]));
    assert.deepEqual(derived, expected);
  });

  it('sort the AMM pair by bytes whatever order the mints come in', async () => {
    const swapped = await deriveAmmPool(
      addr(inputs.quoteMint),
      addr(inputs.quoteTokenProgram),
      addr(inputs.collateralMint),
      addr(inputs.collateralTokenProgram),
      addr(inputs.lpTokenProgram),
    );
    assert.equal(swapped.pool, keys.ammPool);
    assert.equal(swapped.mintA, keys.ammMintA);
    assert.ok(compareAddresses(swapped.mintA, swapped.mintB) < 0);
  });

  it('give the wallet the associated token accounts the Rust client uses', async () => {
    const w = await walletAccounts(addr(inputs.user), await derive());
    assert.deepEqual({ usdc: w.usdc, lev: w.lev }, { usdc: keys.userUsdc, lev: keys.userLev });
  });

  it('load from the chain like MarketKeys::load', async () => {
    const { rpc } = memoryRpc(fixtureAccounts());
    const loaded = await loadMarketKeys(rpc, BigInt(inputs.marketId));
    assert.deepEqual(loaded, await derive());
    assert.equal(loaded.treasury, inputs.treasury);
    assert.equal(loaded.oracle, inputs.oracle);
  });
});
