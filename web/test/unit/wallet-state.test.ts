// A wallet's holdings read from its associated token accounts, and amounts for people.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { getU64Encoder } from '@solana/kit';

import { formatUnits, loadHoldings, loadMarketKeys, parseUnits, tokenAccountAmount, walletAccounts } from '../../src/client';
import { addr, fixture, fixtureAccounts, memoryRpc } from './helpers';

function tokenAccount(amount: bigint): Uint8Array {
  const d = new Uint8Array(165);
  d.set(getU64Encoder().encode(amount), 64);
  return d;
}

describe('holdings', () => {
  it('tokenAccountAmount reads bytes 64..72', () => {
    assert.equal(tokenAccountAmount(tokenAccount(123_456_789n)), 123_456_789n);
    assert.throws(() => tokenAccountAmount(new Uint8Array(10)), /too short/);
  });

  it('loadHoldings reads the USDC and ETHBULL3X accounts; a missing account holds 0', async () => {
    const accounts = fixtureAccounts();
    const keys = await loadMarketKeys(memoryRpc(accounts).rpc, 1n);
    const owner = addr(fixture.inputs.user);
    const w = await walletAccounts(owner, keys);
    accounts.set(w.usdc, { owner: addr(fixture.programs.token), data: tokenAccount(900_000_000n) });
    const { rpc } = memoryRpc(accounts, { getBalance: () => ({ context: { slot: 1n }, value: 5_000_000_000n }) });
    const h = await loadHoldings(rpc, keys, owner);
    assert.deepEqual(
      { usdc: h.usdc, tokens: h.tokens, lamports: h.lamports, usdcAccountExists: h.usdcAccountExists, tokenAccountExists: h.tokenAccountExists },
      { usdc: 900_000_000n, tokens: 0n, lamports: 5_000_000_000n, usdcAccountExists: true, tokenAccountExists: false },
    );
    assert.equal(h.accounts.lev, w.lev);
  });
});

describe('formatUnits / parseUnits', () => {
  it('formats without floating point', () => {
    assert.equal(formatUnits(1_234_567_891n, 6, 2), '1,234.56');
    assert.equal(formatUnits(100_000_000n, 6), '100');
    assert.equal(formatUnits(99_741_150n, 6), '99.74115');
    assert.equal(formatUnits(-1_500_000n, 6), '-1.5');
    assert.equal(formatUnits(12_345_678_901_234_567_890n, 6, 0, false), '12345678901234');
  });

  it('parses decimal strings to base units and refuses the rest', () => {
    assert.equal(parseUnits('100', 6), 100_000_000n);
    assert.equal(parseUnits(' 1,000.25 ', 6), 1_000_250_000n);
    assert.equal(parseUnits('.5', 6), 500_000n);
    assert.equal(parseUnits('0.000001', 6), 1n);
    assert.throws(() => parseUnits('0.0000001', 6), /at most 6 decimals/);
    assert.throws(() => parseUnits('1e3', 6), /not an amount/);
    assert.throws(() => parseUnits('', 6), /not an amount/);
    assert.throws(() => parseUnits('-1', 6), /not an amount/);
  });
});
