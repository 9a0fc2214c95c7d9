// A Token-2022 mint's metadata as a wallet shows it: the metadata-pointer extension names where the
// metadata lives (for ETHBULL3X, the mint itself), the token-metadata extension carries name,
// symbol and URI, and the URI's JSON (Metaplex's off-chain format) carries the image.
import {
  fetchEncodedAccount,
  getAddressDecoder,
  getU16Decoder,
  getU32Decoder,
  getUtf8Decoder,
  type Address,
  type GetAccountInfoApi,
  type ReadonlyUint8Array,
  type Rpc,
} from '@solana/kit';

import { TOKEN_2022_PROGRAM_ADDRESS } from './programs';

/** Token-2022 `ExtensionType` numbers this file reads. */
export const EXTENSION_METADATA_POINTER = 18;
export const EXTENSION_TOKEN_METADATA = 19;

/** A base mint is 82 bytes; Token-2022 pads it to an account's 165 and adds the account-type byte. */
const MINT_SIZE = 82;
const ACCOUNT_TYPE_OFFSET = 165;
const ACCOUNT_TYPE_MINT = 1;

const ZERO_ADDRESS = '11111111111111111111111111111111';

export interface MintExtension {
  type: number;
  value: ReadonlyUint8Array;
}

/** The TLV extensions of a Token-2022 mint account (none for a plain 82-byte mint). */
export function mintExtensions(data: ReadonlyUint8Array): MintExtension[] {
  if (data.length < MINT_SIZE) throw new Error('mint: account too short');
  if (data.length === MINT_SIZE) return [];
  if (data.length <= ACCOUNT_TYPE_OFFSET || data[ACCOUNT_TYPE_OFFSET] !== ACCOUNT_TYPE_MINT) {
    throw new Error('mint: not a Token-2022 mint with extensions');
  }
  const u16 = getU16Decoder();
  const out: MintExtension[] = [];
  let at = ACCOUNT_TYPE_OFFSET + 1;
  while (at + 4 <= data.length) {
    const type = u16.decode(data, at);
    const length = u16.decode(data, at + 2);
    if (type === 0) break; // Uninitialized: the rest is padding
    if (at + 4 + length > data.length) throw new Error(`mint: extension ${type} overruns the account`);
    out.push({ type, value: data.slice(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  return out;
}

export interface TokenMetadata {
  /** `null` when the metadata can no longer be changed. */
  updateAuthority: Address | null;
  mint: Address;
  name: string;
  symbol: string;
  uri: string;
  additionalMetadata: Array<[string, string]>;
}

/** spl-token-metadata-interface's `TokenMetadata` (Borsh: strings are u32 length + UTF-8). */
export function decodeTokenMetadata(value: ReadonlyUint8Array): TokenMetadata {
  const addr = getAddressDecoder();
  const u32 = getU32Decoder();
  const utf8 = getUtf8Decoder();
  let at = 0;
  const str = (): string => {
    const n = u32.decode(value, at);
    if (at + 4 + n > value.length) throw new Error('token metadata: string overruns the extension');
    const s = utf8.decode(value.slice(at + 4, at + 4 + n));
    at += 4 + n;
    return s;
  };
  const authority = addr.decode(value, 0);
  const mint = addr.decode(value, 32);
  at = 64;
  const name = str();
  const symbol = str();
  const uri = str();
  const count = u32.decode(value, at);
  at += 4;
  const additionalMetadata: Array<[string, string]> = [];
  for (let i = 0; i < count; i++) additionalMetadata.push([str(), str()]);
  return { updateAuthority: authority === ZERO_ADDRESS ? null : authority, mint, name, symbol, uri, additionalMetadata };
}

export interface MetadataPointer {
  authority: Address | null;
  metadataAddress: Address | null;
}

export function decodeMetadataPointer(value: ReadonlyUint8Array): MetadataPointer {
  const addr = getAddressDecoder();
  const authority = addr.decode(value, 0);
  const metadataAddress = addr.decode(value, 32);
  return {
    authority: authority === ZERO_ADDRESS ? null : authority,
    metadataAddress: metadataAddress === ZERO_ADDRESS ? null : metadataAddress,
  };
}

/** Decimals of an SPL Token / Token-2022 mint (byte 44). */
export function mintDecimals(data: ReadonlyUint8Array): number {
  if (data.length < MINT_SIZE) throw new Error('mint: account too short');
  return data[44];
}

/**
 * The on-chain metadata of `mint` as a wallet finds it: the mint's metadata pointer, then the
 * token-metadata extension of the account it points to (the mint itself for ETHBULL3X). `null`
 * when the mint has no pointer or the pointed account holds no metadata for this mint.
 */
export async function fetchTokenMetadata(rpc: Rpc<GetAccountInfoApi>, mint: Address): Promise<TokenMetadata | null> {
  const account = await fetchEncodedAccount(rpc, mint);
  if (!account.exists) throw new Error(`mint ${mint} does not exist`);
  if (account.programAddress !== TOKEN_2022_PROGRAM_ADDRESS) return null;
  const extensions = mintExtensions(account.data);
  const pointer = extensions.find((e) => e.type === EXTENSION_METADATA_POINTER);
  if (!pointer) return null;
  const { metadataAddress } = decodeMetadataPointer(pointer.value);
  if (metadataAddress === null) return null;
  let holder = extensions;
  if (metadataAddress !== mint) {
    const other = await fetchEncodedAccount(rpc, metadataAddress);
    if (!other.exists || other.programAddress !== TOKEN_2022_PROGRAM_ADDRESS) return null;
    holder = mintExtensions(other.data);
  }
  const ext = holder.find((e) => e.type === EXTENSION_TOKEN_METADATA);
  if (!ext) return null;
  const metadata = decodeTokenMetadata(ext.value);
  return metadata.mint === mint ? metadata : null;
}

/** The off-chain JSON a metadata URI serves (the fields wallets read). */
export interface OffChainMetadata {
  name?: string;
  symbol?: string;
  description?: string;
  image?: string;
}

/** Fetch and check the JSON at a metadata URI (`fetch` as the browser or Node provides it). */
export async function fetchOffChainMetadata(uri: string, fetchFn: typeof fetch = fetch): Promise<OffChainMetadata> {
  const res = await fetchFn(uri);
  if (!res.ok) throw new Error(`metadata ${uri}: HTTP ${res.status}`);
  const json: unknown = await res.json();
  if (typeof json !== 'object' || json === null) throw new Error(`metadata ${uri}: not a JSON object`);
  const o = json as Record<string, unknown>;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return { name: s('name'), symbol: s('symbol'), description: s('description'), image: s('image') };
}
