// Token-2022 metadata as a wallet reads it, from the ETHBULL3X mint as Token-2022 wrote it on
// levtoken localnet (fixture: scripts/localnet-fixture.mjs) and from hand-built TLV bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { getAddressEncoder, type Address } from '@solana/kit';

import {
  decodeMetadataPointer,
  decodeTokenMetadata,
  EXTENSION_METADATA_POINTER,
  EXTENSION_TOKEN_METADATA,
  fetchOffChainMetadata,
  fetchTokenMetadata,
  mintDecimals,
  mintExtensions,
  TOKEN_2022_PROGRAM_ADDRESS,
} from '../../src/client';
import { addr, bytes, fixture, memoryRpc } from './helpers';

const localnet: { mint: string; market: string; metadataUri: string; owner: string; data: string } = JSON.parse(
  readFileSync(new URL('../fixtures/localnet-mint.json', import.meta.url), 'utf8'),
);

describe('Token-2022 mint extensions', () => {
  const data = bytes(localnet.data);

  it('lists the metadata pointer and the token metadata of the ETHBULL3X mint', () => {
    assert.deepEqual(mintExtensions(data).map((e) => e.type), [EXTENSION_METADATA_POINTER, EXTENSION_TOKEN_METADATA]);
    assert.equal(mintDecimals(data), 6);
  });

  it('the pointer points at the mint itself, the market may update it', () => {
    const pointer = mintExtensions(data).find((e) => e.type === EXTENSION_METADATA_POINTER)!;
    assert.deepEqual(decodeMetadataPointer(pointer.value), { authority: localnet.market, metadataAddress: localnet.mint });
  });

  it('decodes name, symbol and URI as the program set them', () => {
    const ext = mintExtensions(data).find((e) => e.type === EXTENSION_TOKEN_METADATA)!;
    assert.deepEqual(decodeTokenMetadata(ext.value), {
      updateAuthority: localnet.market,
      mint: localnet.mint,
      name: 'ETH 3x Long',
      symbol: 'ETHBULL3X',
      uri: localnet.metadataUri,
      additionalMetadata: [],
    });
  });

  it('a plain 82-byte mint has no extensions; a short or foreign account is refused', () => {
    assert.deepEqual(mintExtensions(bytes(fixture.accounts.levMint)), []);
    assert.throws(() => mintExtensions(new Uint8Array(40)), /too short/);
    const notMint = new Uint8Array(200);
    notMint[165] = 2; // an Account, not a Mint
    assert.throws(() => mintExtensions(notMint), /not a Token-2022 mint/);
  });

  it('refuses an extension that overruns the account', () => {
    const d = new Uint8Array(bytes(localnet.data));
    d[168] = 0xff; // the first extension's length
    d[169] = 0xff;
    assert.throws(() => mintExtensions(d), /overruns/);
  });

  it('decodes additional metadata pairs', () => {
    const enc = new TextEncoder();
    const str = (s: string) => {
      const b = enc.encode(s);
      return [...new Uint8Array(new Uint32Array([b.length]).buffer), ...b];
    };
    const mint = addr(localnet.mint);
    const value = new Uint8Array([
      ...new Uint8Array(32), // no update authority
      ...getAddressEncoder().encode(mint),
      ...str('N'),
      ...str('S'),
      ...str('u'),
      ...new Uint8Array(new Uint32Array([1]).buffer),
      ...str('k'),
      ...str('v'),
    ]);
    assert.deepEqual(decodeTokenMetadata(value), { updateAuthority: null, mint, name: 'N', symbol: 'S', uri: 'u', additionalMetadata: [['k', 'v']] });
  });
});

describe('fetchTokenMetadata', () => {
  const stored = (owner: string, data: string) => ({ owner: addr(owner), data: bytes(data) });

  it('follows the pointer to the metadata, as a wallet does', async () => {
    const { rpc } = memoryRpc(new Map([[localnet.mint, stored(localnet.owner, localnet.data)]]));
    const md = await fetchTokenMetadata(rpc, addr(localnet.mint));
    assert.equal(md?.name, 'ETH 3x Long');
    assert.equal(md?.symbol, 'ETHBULL3X');
    assert.equal(md?.uri, localnet.metadataUri);
  });

  it('is null for a mint of the classic token program, and throws for a missing mint', async () => {
    const { rpc } = memoryRpc(new Map([[fixture.keys.levMint, stored(fixture.programs.token, fixture.accounts.levMint)]]));
    assert.equal(await fetchTokenMetadata(rpc, addr(fixture.keys.levMint)), null);
    await assert.rejects(fetchTokenMetadata(rpc, addr(localnet.market)), /does not exist/);
  });

  it('is null when the metadata names another mint', async () => {
    const other = 'So11111111111111111111111111111111111111112' as Address;
    const { rpc } = memoryRpc(new Map([[other, stored(TOKEN_2022_PROGRAM_ADDRESS, localnet.data)]]));
    assert.equal(await fetchTokenMetadata(rpc, other), null);
  });
});

describe('fetchOffChainMetadata', () => {
  const respond = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;

  it('reads name, symbol, description and image', async () => {
    const md = await fetchOffChainMetadata('http://x/ethbull3x.json', respond(200, { name: 'ETH 3x Long', symbol: 'ETHBULL3X', image: 'http://x/i.svg', extra: 1 }));
    assert.deepEqual(md, { name: 'ETH 3x Long', symbol: 'ETHBULL3X', description: undefined, image: 'http://x/i.svg' });
  });

  it('throws on an HTTP error or a non-object', async () => {
    await assert.rejects(fetchOffChainMetadata('http://x/a', respond(404, {})), /HTTP 404/);
    await assert.rejects(fetchOffChainMetadata('http://x/a', respond(200, 'text')), /not a JSON object/);
  });
});
