// MarketState: account bytes serialized by the programs' own Rust types (fixture), decoded here,
// compared with what crates/client's MarketState::load read from the same bytes; NAV and the rest
// only from the program's `nav` return data, obtained by simulation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { getCompiledTransactionMessageDecoder, getTransactionDecoder, type Address } from '@solana/kit';

import {
  decodeMarketState,
  decodeNavReturnData,
  loadMarketState,
  SimulationFailed,
  simulateNav,
  type MarketAccountsData,
} from '../../src/client';
import { NAV_DISCRIMINATOR } from '../../src/generated/leveraged-token';
import { addr, bytes, fixture, fixtureAccounts, memoryRpc } from './helpers';

const { accounts, inputs, keys, marketState: rust, programs } = fixture;

const data: MarketAccountsData = {
  market: bytes(accounts.market),
  lendingPool: bytes(accounts.lendingPool),
  lendingBorrower: bytes(accounts.lendingBorrower),
  levMint: bytes(accounts.levMint),
  oracle: bytes(accounts.oracle),
};
const payer = addr(inputs.user);

/** A node whose simulateTransaction returns `value` and records the transaction it got. */
function simulatingRpc(value: Record<string, unknown>) {
  return memoryRpc(fixtureAccounts(), {
    simulateTransaction: () => ({
      context: { slot: 1_000n },
      value: { accounts: null, fee: 5_000n, loadedAddresses: null, postBalances: null, postTokenBalances: null, preBalances: null, preTokenBalances: null, returnData: null, unitsConsumed: 19_155n, ...value },
    }),
  });
}

const navOk = {
  err: null,
  logs: [`Program ${programs.leveragedToken} invoke [1]`, `Program return: ${programs.leveragedToken} ${fixture.navReturnData}`, `Program ${programs.leveragedToken} success`],
  returnData: { programId: programs.leveragedToken, data: [fixture.navReturnData, 'base64'] },
};

describe('decodeMarketState', () => {
  const s = decodeMarketState(data, BigInt(inputs.now));

  it('decodes the market as the program wrote it', () => {
    assert.equal(s.market.marketId, BigInt(inputs.marketId));
    assert.equal(s.market.levMint, keys.levMint);
    assert.equal(s.market.collateralMint, inputs.collateralMint);
    assert.equal(s.market.quoteMint, inputs.quoteMint);
    assert.equal(s.market.lendingPool, keys.lendingPool);
    assert.equal(s.market.lendingBorrower, keys.lendingBorrower);
    assert.equal(s.market.oracle, inputs.oracle);
    assert.deepEqual(s.market.swapPools, [keys.ammPool, '11111111111111111111111111111111']);
    assert.equal(s.market.params.targetLeverageBps, 30_000n);
    assert.equal(s.market.params.bandLowBps, 28_000n);
    assert.equal(s.market.params.bandHighBps, 32_000n);
    assert.equal(s.market.collateral, 11_000_000n);
    assert.equal(s.market.collateralDecimals, 8);
    assert.equal(s.market.mintPaused, false);
    // Option<QueuedChange> with an enum inside.
    assert.equal(s.market.queued.__option, 'Some');
    if (s.market.queued.__option === 'Some') {
      const change = s.market.queued.value.change;
      assert.equal(change.__kind, 'Treasury');
      assert.equal(s.market.queued.value.eta - s.market.queued.value.queuedAt, 86_400n);
    }
  });

  it('decodes the lending pool and the credit line', () => {
    assert.equal(s.pool.mint, inputs.quoteMint);
    assert.equal(s.pool.liquidityVault, keys.lendingLiquidityVault);
    assert.equal(s.pool.borrowIndex, 1_020_000_000_000_000_000n);
    assert.equal(s.pool.config.liquidationLeverageBps, 50_000n);
    assert.equal(s.pool.queuedConfig.__option, 'None');
    assert.equal(s.borrower.authority, keys.market);
    assert.equal(s.borrower.pool, keys.lendingPool);
    assert.equal(s.borrower.scaledDebt, s.pool.totalScaledDebt);
  });

  it('reads supply, oracle age and confidence as MarketState::load does', () => {
    assert.equal(s.supply.toString(), rust.supply);
    assert.equal(s.mintedSupply + s.market.feesLev, s.supply);
    assert.equal(s.oracle.publishTime.toString(), rust.pricePublishTime);
    assert.equal(s.oracleAgeSecs.toString(), rust.oracleAgeSecs);
    assert.equal(s.priceConfBps.toString(), rust.priceConfBps);
    assert.equal(s.now.toString(), rust.now);
    assert.equal(s.oracle.price, 300_000_000_000n);
    assert.equal(s.oracle.exponent, -8);
    assert.equal(s.oracle.update.verificationLevel.__kind, 'Full');
  });

  it('leaves NAV to the program', () => {
    assert.equal(s.nav, null);
  });

  it('refuses an account of another type', () => {
    assert.throws(() => decodeMarketState({ ...data, market: data.lendingPool }, 0n), /not a Market account/);
    assert.throws(() => decodeMarketState({ ...data, oracle: data.market }, 0n), /not a PriceUpdateV2 account/);
  });
});

describe('the program’s NAV report', () => {
  it('decodes the nav return data to the Rust client’s numbers', () => {
    const nav = decodeNavReturnData(bytes(fixture.navReturnData));
    assert.equal(nav.nav.toString(), rust.nav);
    assert.equal(nav.navPerToken.toString(), rust.navPerToken);
    assert.equal(nav.leverageBps.toString(), rust.leverageBps);
    assert.equal(nav.leverageBpsOrNull?.toString(), rust.leverageBps);
    assert.equal(nav.debt.toString(), rust.debt);
    assert.equal(nav.collateralValue.toString(), rust.collateralValue);
    assert.equal(nav.priceWad.toString(), rust.priceWad);
    assert.equal(nav.supply, BigInt(rust.supply as string) + BigInt(rust.pendingFeeTokens as string));
    assert.equal(nav.insolvent, false);
    assert.equal(nav.trigger, 'outsideBand');
    assert.equal(nav.triggerName, rust.triggerName);
  });

  it('simulates the nav instruction with the market’s accounts', async () => {
    const { rpc, calls } = simulatingRpc(navOk);
    const nav = await simulateNav(
      rpc,
      { market: addr(keys.market), levMint: addr(keys.levMint), oracle: addr(inputs.oracle), lendingPool: addr(keys.lendingPool), lendingBorrower: addr(keys.lendingBorrower) },
      payer,
    );
    assert.equal(nav.navPerToken.toString(), rust.navPerToken);
    // What was sent: one unsigned v0 transaction, the payer first, the nav instruction with the
    // five accounts in the IDL's order.
    const sim = calls.find((c) => c.method === 'simulateTransaction')!;
    const [wire, config] = sim.params as [string, Record<string, unknown>];
    assert.deepEqual(config, { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: 'confirmed' });
    const tx = getTransactionDecoder().decode(bytes(wire));
    const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
    assert.ok(message.version === 0, 'a v0 transaction');
    const keysOf = message.staticAccounts;
    assert.equal(keysOf[0], payer);
    assert.equal(message.instructions.length, 1);
    const ix = message.instructions[0];
    assert.equal(keysOf[ix.programAddressIndex], programs.leveragedToken);
    assert.deepEqual(
      ix.accountIndices?.map((i) => keysOf[i] as Address),
      [keys.market, keys.levMint, inputs.oracle, keys.lendingPool, keys.lendingBorrower],
    );
    assert.deepEqual([...ix.data!], [...NAV_DISCRIMINATOR]);
  });

  it('names the program’s refusal from the IDL', async () => {
    const { rpc } = simulatingRpc({
      err: { InstructionError: [0, { Custom: 6006 }] },
      logs: [
        `Program ${programs.leveragedToken} invoke [1]`,
        'Program log: AnchorError thrown in programs/leveraged-token/src/market_core.rs:120. Error Code: OracleStale. Error Number: 6006. Error Message: The oracle price is older than the market allows.',
        `Program ${programs.leveragedToken} consumed 9000 of 200000 compute units`,
        `Program ${programs.leveragedToken} failed: custom program error: 0x1776`,
      ],
    });
    await assert.rejects(
      simulateNav(rpc, { market: addr(keys.market), levMint: addr(keys.levMint), oracle: addr(inputs.oracle), lendingPool: addr(keys.lendingPool), lendingBorrower: addr(keys.lendingBorrower) }, payer),
      (e: unknown) => {
        assert.ok(e instanceof SimulationFailed);
        assert.equal(e.simulation.failure?.error?.name, 'OracleStale');
        assert.equal(e.simulation.failure?.error?.message, 'The oracle price is older than the market allows');
        assert.equal(e.message, 'OracleStale: The oracle price is older than the market allows (leveragedToken, error 6006)');
        return true;
      },
    );
  });
});

describe('loadMarketState', () => {
  it('reads the accounts, the Clock sysvar and the simulated NAV report', async () => {
    const { rpc, calls } = simulatingRpc(navOk);
    const s = await loadMarketState(rpc, { market: addr(keys.market) } as never, { feePayer: payer });
    assert.equal(s.now.toString(), inputs.now);
    assert.equal(s.oracleAgeSecs.toString(), rust.oracleAgeSecs);
    assert.equal(s.supply.toString(), rust.supply);
    assert.equal(s.nav?.nav.toString(), rust.nav);
    assert.equal(s.nav?.leverageBps.toString(), rust.leverageBps);
    assert.equal(s.nav?.triggerName, rust.triggerName);
    assert.deepEqual(
      calls.map((c) => c.method),
      ['getMultipleAccounts', 'getMultipleAccounts', 'getAccountInfo', 'simulateTransaction'],
    );
  });

  it('without a fee payer reads the accounts only', async () => {
    const { rpc, calls } = memoryRpc(fixtureAccounts());
    const s = await loadMarketState(rpc, { market: addr(keys.market) } as never);
    assert.equal(s.nav, null);
    assert.ok(!calls.some((c) => c.method === 'simulateTransaction'));
  });
});
