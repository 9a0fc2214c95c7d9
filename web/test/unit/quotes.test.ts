// Quotes come from simulating the transaction and reading the program's event: planMint /
// planRedeem / planRebalance send the instructions the Rust client sends (associated token
// account first), return the event the simulation's logs carry and size the compute limit from
// its units; a refusal is the program's error. minOut is user.rs `min_out`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { getBase64Encoder, getCompiledTransactionMessageDecoder, getTransactionDecoder, type Address } from '@solana/kit';

import { eventIn, loadMarketKeys, minOut, planMint, planRebalance, planRedeem, SimulationFailed } from '../../src/client';
import { addr, fixture, fixtureAccounts, memoryRpc } from './helpers';

const { programs } = fixture;
const owner = addr(fixture.inputs.user);
const eventsLogs = fixture.logs; // a Minted, the AMM's Swapped and a Rebalanced (fixture)

function simulating(value: Record<string, unknown>) {
  const sent: Uint8Array[] = [];
  const node = memoryRpc(fixtureAccounts(), {
    simulateTransaction: (wire: unknown) => {
      sent.push(new Uint8Array(getBase64Encoder().encode(String(wire))));
      return {
        context: { slot: 1_000n },
        value: { accounts: null, returnData: null, unitsConsumed: 150_000n, err: null, logs: eventsLogs, ...value },
      };
    },
  });
  return { ...node, sent };
}

/** Program of each instruction in a wire transaction. */
function programsOf(wire: Uint8Array): Address[] {
  const msg = getCompiledTransactionMessageDecoder().decode(getTransactionDecoder().decode(wire).messageBytes);
  assert.ok(msg.version === 0, 'a v0 transaction');
  return msg.instructions.map((ix) => msg.staticAccounts[ix.programAddressIndex]);
}

describe('minOut (user.rs min_out)', () => {
  it('keeps quote × (1 − slippage), rounded up', () => {
    assert.equal(minOut(1_000n, 50), 995n);
    assert.equal(minOut(999n, 1), 999n); // 998.9001 rounds up
    assert.equal(minOut(99_741_150n, 0), 99_741_150n);
    assert.equal(minOut(99_741_150n, 50n), 99_242_445n);
    assert.equal(minOut(5n, 10_000), 0n);
    assert.equal(minOut(5n, 20_000), 0n);
  });
});

describe('planMint / planRedeem / planRebalance', async () => {
  const keys = await loadMarketKeys(memoryRpc(fixtureAccounts()).rpc, BigInt(fixture.inputs.marketId));

  it('a mint quote is the Minted event of the simulation; the plan adds the compute limit', async () => {
    const node = simulating({});
    const plan = await planMint(node.rpc, keys, owner, 100_000_000n, 0n);
    const minted = fixture.events.find((e) => e.name === 'Minted')!.data;
    assert.equal(plan.event.tokens.toString(), minted.tokens);
    assert.equal(plan.event.fee.toString(), minted.fee);
    assert.deepEqual(programsOf(node.sent[0]), ['ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL', programs.leveragedToken]);
    assert.deepEqual(
      plan.instructions.map((ix) => ix.programAddress),
      ['ComputeBudget111111111111111111111111111111', 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL', programs.leveragedToken],
    );
    // 150,000 used → 170,000 + a jitter under 1,000.
    const limit = new DataView(plan.instructions[0].data!.buffer, plan.instructions[0].data!.byteOffset).getUint32(1, true);
    assert.ok(limit >= 170_000 && limit < 171_000, String(limit));
  });

  it('the redeem and rebalance quotes read their own events', async () => {
    const redeemLogs = [
      `Program ${programs.leveragedToken} invoke [1]`,
      // Redeemed is not in the fixture's logs: without it the plan fails rather than guess.
      `Program ${programs.leveragedToken} success`,
    ];
    await assert.rejects(planRedeem(simulating({ logs: redeemLogs }).rpc, keys, owner, 1n), (e: unknown) => e instanceof SimulationFailed && /no Redeemed event/.test(e.message));
    const rebalance = await planRebalance(simulating({}).rpc, keys, owner);
    assert.equal(rebalance.event.leverageAfterBps, 30_000n);
    assert.equal(rebalance.event.reward, 5_988n);
  });

  it('a refusal is the program error, named from the IDL', async () => {
    const refused = simulating({
      err: { InstructionError: [1, { Custom: 6004 }] },
      logs: [`Program ${programs.leveragedToken} invoke [1]`, `Program ${programs.leveragedToken} failed: custom program error: 0x1774`],
    });
    const err = await planMint(refused.rpc, keys, owner, 100_000_000n, 10n ** 12n).catch((e: unknown) => e);
    assert.ok(err instanceof SimulationFailed);
    assert.equal(err.simulation.failure?.error?.name, 'TokensBelowMinimum');
    assert.match(err.message, /You would receive fewer tokens than the minimum you asked for/);
  });

  it('eventIn finds the market event of a landed transaction', () => {
    assert.equal(eventIn<{ tokens: bigint }>(eventsLogs, 'Minted')?.tokens.toString(), fixture.events[0].data.tokens);
    assert.equal(eventIn(eventsLogs, 'Redeemed'), undefined);
  });
});
