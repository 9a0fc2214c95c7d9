// Instructions: the same program, accounts (with signer and writable flags) and data as
// crates/client's MarketKeys::mint / redeem / rebalance for the same inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createNoopSigner, isSignerRole, isWritableRole, type Instruction } from '@solana/kit';

import { loadMarketKeys, mintInstruction, rebalanceInstruction, redeemInstruction, walletAccounts } from '../../src/client';
import { addr, b64, fixture, fixtureAccounts, memoryRpc } from './helpers';

function plain(ix: Instruction) {
  return {
    programId: ix.programAddress,
    accounts: (ix.accounts ?? []).map((a) => ({ pubkey: a.address, isSigner: isSignerRole(a.role), isWritable: isWritableRole(a.role) })),
    data: b64(ix.data!),
  };
}

describe('market instructions', async () => {
  const { rpc } = memoryRpc(fixtureAccounts());
  const keys = await loadMarketKeys(rpc, BigInt(fixture.inputs.marketId));
  const user = createNoopSigner(addr(fixture.inputs.user));
  const wallet = await walletAccounts(user.address, keys);
  const rust = fixture.instructions;

  it('mint equals MarketKeys::mint', () => {
    assert.deepEqual(plain(mintInstruction(keys, user, wallet, 100_000_000n, 99_000_000n)), rust.mint);
  });

  it('redeem equals MarketKeys::redeem', () => {
    assert.deepEqual(plain(redeemInstruction(keys, user, wallet, 50_000_000n, 37_000_000n)), rust.redeem);
  });

  it('rebalance equals MarketKeys::rebalance', () => {
    assert.deepEqual(plain(rebalanceInstruction(keys, user, wallet.usdc)), rust.rebalance);
  });
});
