// Simulating transactions: the one way this client learns what an instruction would do (NAV,
// quotes, refusals). Nothing here re-computes the programs' economics.
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64Encoder,
  getBase64EncodedWireTransaction,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
  type Instruction,
  type ReadonlyUint8Array,
  type Rpc,
  type SimulateTransactionApi,
  type TransactionError,
} from '@solana/kit';

import { explainFailure, type ProgramError } from './errors';

export interface Simulation {
  err: TransactionError | null;
  logs: string[];
  returnData: { programId: Address; data: ReadonlyUint8Array } | null;
  unitsConsumed: bigint | undefined;
  /** When `err` is set: the program error behind it (named from the IDL) and a one-line summary. */
  failure: { error: ProgramError | undefined; summary: string } | undefined;
}

/** Any blockhash: the node replaces it (`replaceRecentBlockhash`). */
const PLACEHOLDER_BLOCKHASH = '11111111111111111111111111111111' as Blockhash;

/**
 * Simulate `instructions` paid by `feePayer` (an existing, funded account: the node charges the
 * simulated fee to it; no signature is needed, `sigVerify` is off).
 */
export async function simulateInstructions(
  rpc: Rpc<SimulateTransactionApi>,
  instructions: ReadonlyArray<Instruction>,
  feePayer: Address,
): Promise<Simulation> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: PLACEHOLDER_BLOCKHASH, lastValidBlockHeight: 0n }, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const wire = getBase64EncodedWireTransaction(compileTransaction(message));
  const { value } = await rpc
    .simulateTransaction(wire, { encoding: 'base64', sigVerify: false, replaceRecentBlockhash: true, commitment: 'confirmed' })
    .send();
  const logs = [...(value.logs ?? [])];
  return {
    err: value.err,
    logs,
    returnData: value.returnData
      ? { programId: value.returnData.programId, data: getBase64Encoder().encode(value.returnData.data[0]) }
      : null,
    unitsConsumed: value.unitsConsumed,
    failure: value.err
      ? explainFailure(value.err, logs, instructions.map((ix) => ix.programAddress))
      : undefined,
  };
}

/** A simulation the program refused, with the program's error when there is one. */
export class SimulationFailed extends Error {
  constructor(readonly simulation: Simulation) {
    super(simulation.failure?.summary ?? 'simulation failed');
    this.name = 'SimulationFailed';
  }
}
