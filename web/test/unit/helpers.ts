// Shared by the unit tests: the Rust-side fixture and an in-memory JSON-RPC node serving it.
import { readFileSync } from 'node:fs';

import {
  address,
  getBase64Decoder,
  getBase64Encoder,
  unixTimestamp,
  type Address,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { getSysvarClockEncoder, SYSVAR_CLOCK_ADDRESS } from '@solana/sysvars';

/** web/test/fixtures/rust-client.json, written by tools/web-fixtures from levtoken-client. */
export interface RustFixture {
  inputs: Record<string, string>;
  programs: Record<string, string>;
  keys: Record<string, string>;
  accounts: Record<'market' | 'lendingPool' | 'lendingBorrower' | 'ammPool' | 'oracle' | 'levMint', string>;
  marketState: Record<string, string | boolean | null>;
  navReturnData: string;
  instructions: Record<'mint' | 'redeem' | 'rebalance', { programId: string; accounts: { pubkey: string; isSigner: boolean; isWritable: boolean }[]; data: string }>;
  logs: string[];
  events: { program: string; name: string; data: Record<string, string | number | boolean> }[];
}

export const fixture: RustFixture = JSON.parse(
  readFileSync(new URL('../fixtures/rust-client.json', import.meta.url), 'utf8'),
);

export const bytes = (b64: string): ReadonlyUint8Array => getBase64Encoder().encode(b64);
export const b64 = (data: ReadonlyUint8Array): string => getBase64Decoder().decode(data);
export const addr = (s: string): Address => address(s);

export interface StoredAccount {
  owner: Address;
  data: ReadonlyUint8Array;
}

/** The fixture's accounts at their addresses, with their owners, plus the Clock sysvar. */
export function fixtureAccounts(): Map<string, StoredAccount> {
  const { keys, inputs, programs, accounts } = fixture;
  const clock = getSysvarClockEncoder().encode({
    slot: 1_000n,
    epochStartTimestamp: unixTimestamp(BigInt(inputs.now) - 1_000n),
    epoch: 2n,
    leaderScheduleEpoch: 3n,
    unixTimestamp: unixTimestamp(BigInt(inputs.now)),
  });
  return new Map<string, StoredAccount>([
    [keys.market, { owner: addr(programs.leveragedToken), data: bytes(accounts.market) }],
    [keys.lendingPool, { owner: addr(programs.lendingPool), data: bytes(accounts.lendingPool) }],
    [keys.lendingBorrower, { owner: addr(programs.lendingPool), data: bytes(accounts.lendingBorrower) }],
    [keys.ammPool, { owner: addr(programs.amm), data: bytes(accounts.ammPool) }],
    [inputs.oracle, { owner: addr(programs.pythReceiver), data: bytes(accounts.oracle) }],
    [keys.levMint, { owner: addr(programs.token2022), data: bytes(accounts.levMint) }],
    [SYSVAR_CLOCK_ADDRESS, { owner: addr('Sysvar1111111111111111111111111111111111111'), data: clock }],
  ]);
}

type Handler = (...params: unknown[]) => unknown;

/**
 * A JSON-RPC node in memory, shaped as Kit's `Rpc` (each method returns `{ send() }`): account
 * reads come from `accounts`; other methods from `handlers`. Records every call.
 */
export function memoryRpc(accounts: Map<string, StoredAccount>, handlers: Record<string, Handler> = {}) {
  const calls: { method: string; params: unknown[] }[] = [];
  const info = (key: string) => {
    const a = accounts.get(key);
    return a
      ? {
          data: [b64(a.data), 'base64'],
          executable: false,
          lamports: 1_000_000_000n,
          owner: a.owner,
          rentEpoch: 0n,
          space: BigInt(a.data.length),
        }
      : null;
  };
  const methods: Record<string, Handler> = {
    getAccountInfo: (key) => ({ context: { slot: 1_000n }, value: info(String(key)) }),
    getMultipleAccounts: (keys) => ({ context: { slot: 1_000n }, value: (keys as string[]).map(info) }),
    ...handlers,
  };
  const rpc = new Proxy(
    {},
    {
      get: (_, method: string) =>
        (...params: unknown[]) => ({
          send: async () => {
            calls.push({ method, params });
            const handler = methods[method];
            if (!handler) throw new Error(`memoryRpc: ${method} not served`);
            return handler(...params);
          },
        }),
    },
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { rpc: rpc as any, calls };
}
