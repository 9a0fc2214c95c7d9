// The market's history from getSignaturesForAddress + getTransaction: events decoded from each
// landed transaction's logs, oldest first, failed transactions skipped; chart points from the
// events (the fixture's Minted and Rebalanced, written by the programs' own types).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Address, Signature } from '@solana/kit';

import { historyPoints, loadMarketActivity, priceWadToUsd, WAD, type MarketActivity } from '../../src/client';
import { addr, fixture, memoryRpc } from './helpers';

const market = addr(fixture.keys.market);
const sig = (c: string) => c.repeat(88) as Signature;
const decimals = { collateral: 8, quote: 6, token: 6 };

describe('priceWadToUsd', () => {
  it('turns quote base units per collateral base unit (× 10^18) into USD per ETH', () => {
    // $3,000: 30 USDC base units (6 decimals) per wrapped-ETH base unit (8 decimals).
    assert.equal(priceWadToUsd(30n * WAD, 8, 6), 3_000);
    assert.equal(priceWadToUsd(36n * WAD, 8, 6), 3_600);
  });
});

describe('loadMarketActivity', () => {
  it('reads the transactions newest-first from the node and returns them oldest first, skipping failures', async () => {
    const txs: Record<string, unknown> = {
      [sig('3')]: { slot: 30n, blockTime: 1_030n, meta: { err: null, logMessages: fixture.logs } },
      [sig('2')]: { slot: 20n, blockTime: 1_020n, meta: { err: { InstructionError: [0, { Custom: 6004 }] }, logMessages: [] } },
      [sig('1')]: { slot: 10n, blockTime: 1_010n, meta: { err: null, logMessages: ['Program log: init'] } },
    };
    const { rpc, calls } = memoryRpc(new Map(), {
      getSignaturesForAddress: () => [
        { signature: sig('3'), slot: 30n, err: null, blockTime: 1_030n },
        { signature: sig('4'), slot: 25n, err: { InstructionError: [0, 'Custom'] }, blockTime: 1_025n },
        { signature: sig('2'), slot: 20n, err: null, blockTime: 1_020n },
        { signature: sig('1'), slot: 10n, err: null, blockTime: 1_010n },
      ],
      getTransaction: (s: unknown) => txs[String(s)] ?? null,
    });
    const activity = await loadMarketActivity(rpc, market, { limit: 50 });
    assert.deepEqual(activity.map((a) => a.signature), [sig('1'), sig('3')]);
    assert.deepEqual(activity[1].events.map((e) => e.name), ['Minted', 'Swapped', 'Rebalanced']);
    assert.equal(activity[1].blockTime, 1_030n);
    const sigCall = calls.find((c) => c.method === 'getSignaturesForAddress')!;
    assert.deepEqual(sigCall.params, [market, { limit: 50, commitment: 'confirmed' }]);
    // The failed transaction in the signature list is never fetched.
    assert.ok(!calls.some((c) => c.method === 'getTransaction' && c.params[0] === sig('4')));
  });
});

describe('historyPoints', () => {
  const activity = async (): Promise<MarketActivity[]> => {
    const { rpc } = memoryRpc(new Map(), {
      getSignaturesForAddress: () => [{ signature: sig('3'), slot: 30n, err: null, blockTime: 1_030n }],
      getTransaction: () => ({ slot: 30n, blockTime: 1_030n, meta: { err: null, logMessages: fixture.logs } }),
    });
    return loadMarketActivity(rpc, market);
  };

  it('a mint gives its price and the NAV per token it paid; a rebalance its price and leverage', async () => {
    const points = historyPoints(await activity(), market, decimals);
    const minted = fixture.events.find((e) => e.name === 'Minted')!.data;
    assert.deepEqual(points.map((p) => p.kind), ['Minted', 'Rebalanced']);
    assert.equal(points[0].ethUsd, 3_000);
    assert.equal(points[0].navPerTokenUsd, Number(minted.navAdded) / Number(minted.tokens));
    assert.equal(points[0].leverageBps, 30_000n);
    assert.equal(points[0].time, 1_030);
    assert.equal(points[1].navPerTokenUsd, null);
    assert.equal(points[1].leverageBps, 30_000n);
  });

  it('a redemption gives the NAV of the tokens burnt at the oracle: collateral × price − debt', () => {
    const a: MarketActivity = {
      signature: sig('5'),
      slot: 50n,
      blockTime: null,
      events: [
        {
          program: 'leveragedToken',
          name: 'Redeemed',
          // 0.1 ETH at $3,600 = $360, less $200 of debt: $160 for 100 tokens.
          data: { market, tokens: 100_000_000n, collateralSold: 10_000_000n, debtRepaid: 200_000_000n, usdcOut: 150_000_000n, fee: 150_000n, priceWad: 36n * WAD, leverageBps: 30_000n },
        },
      ],
    };
    const [p] = historyPoints([a], market, decimals);
    assert.equal(p.kind, 'Redeemed');
    assert.equal(p.ethUsd, 3_600);
    assert.equal(p.navPerTokenUsd, 1.6);
    assert.equal(p.time, null);
  });

  it("ignores other markets' events", async () => {
    assert.deepEqual(historyPoints(await activity(), 'So11111111111111111111111111111111111111112' as Address, decimals), []);
  });
});
