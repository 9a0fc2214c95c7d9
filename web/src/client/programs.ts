// The three programs: their addresses and IDLs (copied into src/generated/idl by `npm run
// codegen`, so they always match the generated client).
import type { Address } from '@solana/kit';

import ammIdlJson from '../generated/idl/amm.json' with { type: 'json' };
import lendingPoolIdlJson from '../generated/idl/lending_pool.json' with { type: 'json' };
import leveragedTokenIdlJson from '../generated/idl/leveraged_token.json' with { type: 'json' };

/** The parts of an Anchor IDL (spec 0.1.0) this layer reads. */
export interface AnchorIdl {
  address: string;
  metadata: { name: string; version: string; spec: string };
  errors?: ReadonlyArray<{ code: number; name: string; msg?: string }>;
  events?: ReadonlyArray<{ name: string; discriminator: ReadonlyArray<number> }>;
}

export type ProgramName = 'leveragedToken' | 'lendingPool' | 'amm';

export const IDLS: Readonly<Record<ProgramName, AnchorIdl>> = {
  leveragedToken: leveragedTokenIdlJson as AnchorIdl,
  lendingPool: lendingPoolIdlJson as AnchorIdl,
  amm: ammIdlJson as AnchorIdl,
};

export const PROGRAM_ADDRESSES: Readonly<Record<ProgramName, Address>> = {
  leveragedToken: IDLS.leveragedToken.address as Address,
  lendingPool: IDLS.lendingPool.address as Address,
  amm: IDLS.amm.address as Address,
};

export const TOKEN_PROGRAM_ADDRESS = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' as Address;
export const TOKEN_2022_PROGRAM_ADDRESS = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb' as Address;
export const ASSOCIATED_TOKEN_PROGRAM_ADDRESS = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL' as Address;
/** Pyth's receiver program: the owner of `PriceUpdateV2` accounts. */
export const PYTH_RECEIVER_PROGRAM_ADDRESS = 'rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ' as Address;

/** Which of our programs has this address, if any. */
export function programName(address: string): ProgramName | undefined {
  return (Object.keys(PROGRAM_ADDRESSES) as ProgramName[]).find((p) => PROGRAM_ADDRESSES[p] === address);
}
