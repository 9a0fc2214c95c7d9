// Transactions for wallets: the instructions the Rust client adds (associated token account,
// compute budget) with the same bytes, the compute-unit limit rule of budget.rs, wire bytes,
// sending with a preflight refusal explained, and confirmation by polling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AccountRole,
  generateKeyPairSigner,
  getBase58Decoder,
  getTransactionDecoder,
  getTransactionEncoder,
  partiallySignTransaction,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SolanaError,
  type Signature,
} from '@solana/kit';

import {
  compileForSigning,
  computeUnitLimit,
  confirmSignature,
  createAtaIdempotentInstruction,
  loadMarketKeys,
  sendSigned,
  setComputeUnitLimitInstruction,
  TransactionFailed,
  walletAccounts,
  wireSignature,
} from '../../src/client';
import { addr, fixture, fixtureAccounts, memoryRpc } from './helpers';

describe('createAtaIdempotentInstruction', () => {
  it('is user.rs create_ata_idempotent_ix: CreateIdempotent (1) with payer, account, owner, mint, system, token program', async () => {
    const keys = await loadMarketKeys(memoryRpc(fixtureAccounts()).rpc, BigInt(fixture.inputs.marketId));
    const owner = addr(fixture.inputs.user);
    const ix = await createAtaIdempotentInstruction(owner, owner, keys.levMint, addr(fixture.programs.token2022));
    const { lev } = await walletAccounts(owner, keys);
    assert.equal(ix.programAddress, 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
    assert.deepEqual(ix.accounts, [
      { address: owner, role: AccountRole.WRITABLE_SIGNER },
      { address: lev, role: AccountRole.WRITABLE },
      { address: owner, role: AccountRole.READONLY },
      { address: keys.levMint, role: AccountRole.READONLY },
      { address: '11111111111111111111111111111111', role: AccountRole.READONLY },
      { address: fixture.programs.token2022, role: AccountRole.READONLY },
    ]);
    assert.deepEqual([...ix.data!], [1]);
  });
});

describe('compute budget', () => {
  it('SetComputeUnitLimit is instruction 2 with a little-endian u32', () => {
    const ix = setComputeUnitLimitInstruction(170_007);
    assert.equal(ix.programAddress, 'ComputeBudget111111111111111111111111111111');
    assert.deepEqual([...ix.data!], [2, 0x17, 0x98, 0x02, 0x00]);
  });

  it('computeUnitLimit gives budget.rs limit_with_jitter', () => {
    // The Rust tests' cases (crates/client/src/budget.rs).
    assert.equal(computeUnitLimit(150_000, 7), 170_007);
    assert.equal(computeUnitLimit(150_001, 7), 171_007);
    assert.equal(computeUnitLimit(undefined, 3), 1_400_000 - 1_000 + 3);
    assert.equal(computeUnitLimit(2n ** 64n - 1n, 999), 1_400_000 - 1);
    assert.notEqual(computeUnitLimit(150_000, 7), computeUnitLimit(150_000, 8));
  });
});

describe('compileForSigning, wireSignature, sendSigned', () => {
  const blockhash = { blockhash: 'EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N', lastValidBlockHeight: 150n };

  it('compiles under the latest blockhash with empty signatures the wallet fills', async () => {
    const signer = await generateKeyPairSigner();
    const { rpc } = memoryRpc(new Map(), { getLatestBlockhash: () => ({ context: { slot: 1n }, value: blockhash }) });
    const u = await compileForSigning(rpc, [setComputeUnitLimitInstruction(10_000)], signer.address);
    assert.equal(u.lastValidBlockHeight, 150n);
    const tx = getTransactionDecoder().decode(u.wire);
    assert.deepEqual(Object.keys(tx.signatures), [signer.address]);
    assert.equal(tx.signatures[signer.address], null);
    assert.throws(() => wireSignature(u.wire), /not signed/);
    const signed = await partiallySignTransaction([signer.keyPair], tx);
    const wire = new Uint8Array(getTransactionEncoder().encode(signed));
    assert.equal(wireSignature(wire), getBase58Decoder().decode(signed.signatures[signer.address]!));
  });

  it('a preflight refusal becomes TransactionFailed with the program error from the logs', async () => {
    const lev = fixture.programs.leveragedToken;
    const logs = [`Program ${lev} invoke [1]`, `Program ${lev} failed: custom program error: 0x1774`];
    const { rpc } = memoryRpc(new Map(), {
      sendTransaction: () => {
        throw new SolanaError(SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE, {
          accounts: null, logs, returnData: null, unitsConsumed: 1n,
        } as never);
      },
    });
    const err = await sendSigned(rpc, new Uint8Array([0])).catch((e: unknown) => e);
    assert.ok(err instanceof TransactionFailed);
    assert.equal(err.error?.name, 'TokensBelowMinimum');
    assert.match(err.message, /^TokensBelowMinimum: You would receive fewer tokens than the minimum you asked for/);
    assert.deepEqual(err.logs, logs);
  });
});

describe('confirmSignature', () => {
  const sig = '5'.repeat(88) as Signature;

  it('polls until confirmed', async () => {
    let n = 0;
    const { rpc } = memoryRpc(new Map(), {
      getSignatureStatuses: () => ({ context: { slot: 1n }, value: [n++ < 2 ? null : { confirmationStatus: 'confirmed', err: null, slot: 5n, confirmations: 0n }] }),
    });
    await confirmSignature(rpc, sig, { pollMs: 1 });
    assert.equal(n, 3);
  });

  it('throws with the program error when the transaction landed failed, and on timeout', async () => {
    const failed = memoryRpc(new Map(), {
      getSignatureStatuses: () => ({ context: { slot: 1n }, value: [{ confirmationStatus: 'confirmed', err: { InstructionError: [1, { Custom: 6013 }] }, slot: 5n, confirmations: 0n }] }),
    });
    await assert.rejects(confirmSignature(failed.rpc, sig, { pollMs: 1 }), /custom error 6013|RebalanceNotNeeded/);
    const never = memoryRpc(new Map(), { getSignatureStatuses: () => ({ context: { slot: 1n }, value: [null] }) });
    await assert.rejects(confirmSignature(never.rpc, sig, { pollMs: 1, timeoutMs: 5 }), /not confirmed/);
  });
});
