// The Wallet Standard wallet of src/wallet (the browser tests' and ?burner's) and the app's side of
// the protocol (src/app/wallet.ts), in Node: connect, change events, real ed25519 signatures of
// the wire transaction and of messages, refusals.
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';

import { getBase58Decoder, getTransactionDecoder } from '@solana/kit';
import type { WalletAccount } from '@wallet-standard/base';

import { Connection, isUsable } from '../../src/app/wallet';
import { compileForSigning, setComputeUnitLimitInstruction } from '../../src/client';
import { LocalKeypairWallet } from '../../src/wallet/local-keypair-wallet';
import { memoryRpc } from './helpers';

function keypair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { secretKey: new Uint8Array([...d, ...x]), address: getBase58Decoder().decode(x), publicKey };
}

const blockhash = { blockhash: 'EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N', lastValidBlockHeight: 150n };
const rpc = memoryRpc(new Map(), { getLatestBlockhash: () => ({ context: { slot: 1n }, value: blockhash }) }).rpc;

describe('LocalKeypairWallet', () => {
  it('connects, announces its account by standard:events and disconnects', async () => {
    const kp = keypair();
    const w = await LocalKeypairWallet.create({ secretKey: kp.secretKey, name: 'T' });
    assert.equal(w.address, kp.address);
    assert.deepEqual(w.accounts, []);
    assert.deepEqual(w.chains, ['solana:localnet']);
    const seen: number[] = [];
    const off = w.features['standard:events'].on('change', ({ accounts }) => seen.push(accounts?.length ?? -1));
    const { accounts } = await w.features['standard:connect'].connect();
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].address, kp.address);
    assert.deepEqual([...accounts[0].publicKey], [...kp.secretKey.slice(32)]);
    assert.ok(accounts[0].features.includes('solana:signTransaction'));
    await w.features['standard:disconnect'].disconnect();
    off();
    await w.features['standard:connect'].connect();
    assert.deepEqual(seen, [1, 0]);
  });

  it('refuses a key whose public half does not match its seed', async () => {
    const a = keypair();
    const b = keypair();
    await assert.rejects(LocalKeypairWallet.create({ secretKey: new Uint8Array([...a.secretKey.slice(0, 32), ...b.secretKey.slice(32)]) }));
  });

  it('signs the wire transaction with an ed25519 signature that verifies', async () => {
    const kp = keypair();
    const w = await LocalKeypairWallet.create({ secretKey: kp.secretKey });
    const { accounts } = await w.features['standard:connect'].connect();
    const unsigned = await compileForSigning(rpc, [setComputeUnitLimitInstruction(1_000)], w.address);
    const [{ signedTransaction }] = await w.features['solana:signTransaction'].signTransaction({ account: accounts[0], transaction: unsigned.wire, chain: 'solana:localnet' });
    const tx = getTransactionDecoder().decode(signedTransaction);
    const sig = tx.signatures[w.address];
    assert.ok(sig);
    assert.ok(verify(null, Buffer.from(tx.messageBytes), kp.publicKey, Buffer.from(sig)));
    assert.deepEqual(w.requests.map((r) => [r.feature, r.chain]), [['solana:signTransaction', 'solana:localnet']]);
  });

  it('signs messages', async () => {
    const kp = keypair();
    const w = await LocalKeypairWallet.create({ secretKey: kp.secretKey });
    const { accounts } = await w.features['standard:connect'].connect();
    const message = new TextEncoder().encode('hello');
    const [{ signature }] = await w.features['solana:signMessage'].signMessage({ account: accounts[0], message });
    assert.ok(verify(null, Buffer.from(message), kp.publicKey, Buffer.from(signature)));
    assert.ok(!verify(null, Buffer.from('hellO'), kp.publicKey, Buffer.from(signature)));
  });

  it('refuses: another account, another chain, a transaction it need not sign, a rejection by the user', async () => {
    const kp = keypair();
    const other = keypair();
    let approve = true;
    const w = await LocalKeypairWallet.create({ secretKey: kp.secretKey, approve: () => approve });
    const { accounts } = await w.features['standard:connect'].connect();
    const sign = (account: WalletAccount, wire: Uint8Array, chain?: `${string}:${string}`) =>
      w.features['solana:signTransaction'].signTransaction({ account, transaction: wire, ...(chain && { chain }) });
    const mine = await compileForSigning(rpc, [setComputeUnitLimitInstruction(1_000)], w.address);
    const theirs = await compileForSigning(rpc, [setComputeUnitLimitInstruction(1_000)], other.address as never);
    await assert.rejects(sign({ ...accounts[0], address: other.address }, mine.wire), /not connected/);
    await assert.rejects(sign(accounts[0], mine.wire, 'solana:mainnet'), /not supported/);
    await assert.rejects(sign(accounts[0], theirs.wire), /does not need/);
    approve = false;
    await assert.rejects(sign(accounts[0], mine.wire), /rejected/);
    assert.equal(w.requests.length, 1, 'only the rejected one reached the user');
  });
});

describe("the app's Wallet Standard side", () => {
  it('isUsable: connects and signs Solana transactions', async () => {
    const w = await LocalKeypairWallet.create({ secretKey: keypair().secretKey });
    assert.ok(isUsable(w, 'solana:localnet'));
    // A wallet listing only mainnet still signs (the app sends to its node).
    const mainnetOnly = await LocalKeypairWallet.create({ secretKey: keypair().secretKey, chains: ['solana:mainnet'] });
    assert.ok(isUsable(mainnetOnly, 'solana:localnet'));
    const noSolana = { ...w, chains: ['bitcoin:mainnet'], features: w.features } as unknown as typeof w;
    assert.ok(!isUsable(noSolana, 'solana:localnet'));
    const { 'standard:connect': _, ...withoutConnect } = w.features;
    assert.ok(!isUsable({ ...w, chains: w.chains, features: withoutConnect } as unknown as typeof w, 'solana:localnet'));
  });

  it('Connection connects, signs through solana:signTransaction and follows account changes', async () => {
    const kp = keypair();
    const w = await LocalKeypairWallet.create({ secretKey: kp.secretKey });
    const changes: Array<string | null> = [];
    const c = await Connection.connect(w, 'solana:localnet', (x) => changes.push(x ? x.address : null));
    assert.equal(c.address, kp.address);
    assert.equal(c.signs, 'signTransaction');
    const unsigned = await compileForSigning(rpc, [setComputeUnitLimitInstruction(1_000)], c.address);
    const signed = getTransactionDecoder().decode(await c.signTransaction(unsigned.wire));
    assert.ok(verify(null, Buffer.from(signed.messageBytes), kp.publicKey, Buffer.from(signed.signatures[c.address]!)));
    // A wallet offering only signAndSendTransaction is used through it.
    const sendOnly = await LocalKeypairWallet.create({ secretKey: keypair().secretKey, signAndSendOnly: true });
    assert.ok(!('solana:signTransaction' in sendOnly.features));
    assert.ok(isUsable(sendOnly, 'solana:localnet'));
    assert.ok(!isUsable(sendOnly, 'solana:devnet'), 'it sends to its own cluster only');
    const c2 = await Connection.connect(sendOnly, 'solana:localnet', () => {});
    assert.equal(c2.signs, 'signAndSendTransaction');
    assert.deepEqual([...c2.account.features], ['solana:signAndSendTransaction', 'solana:signMessage']);
    // The wallet disconnects on its side: the app hears it.
    await w.features['standard:disconnect'].disconnect();
    assert.deepEqual(changes, [null]);
  });
});
