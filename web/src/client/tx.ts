// Transactions for a wallet to sign: the associated-token-account and compute-budget
// instructions the Rust client adds (user.rs `create_ata_idempotent_ix`, budget.rs), the compiled
// wire bytes a Wallet Standard wallet receives, and sending + confirming what it signed.
import {
  AccountRole,
  appendTransactionMessageInstructions,
  compileTransaction,
  createTransactionMessage,
  getBase64Decoder,
  getBase58Decoder,
  getTransactionDecoder,
  getTransactionEncoder,
  getU32Encoder,
  isSolanaError,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  type Address,
  type Base64EncodedWireTransaction,
  type GetLatestBlockhashApi,
  type GetSignatureStatusesApi,
  type Instruction,
  type Rpc,
  type SendTransactionApi,
  type Signature,
  type TransactionError,
} from '@solana/kit';

import { explainFailure, type ProgramError } from './errors';
import { associatedTokenAddress } from './pdas';
import { ASSOCIATED_TOKEN_PROGRAM_ADDRESS } from './programs';

export const SYSTEM_PROGRAM_ADDRESS = '11111111111111111111111111111111' as Address;
export const COMPUTE_BUDGET_PROGRAM_ADDRESS = 'ComputeBudget111111111111111111111111111111' as Address;

/** `CreateIdempotent` of the associated-token-account program: creates `owner`'s account for
 * `mint` if missing, a no-op otherwise (user.rs `create_ata_idempotent_ix`). */
export async function createAtaIdempotentInstruction(
  payer: Address,
  owner: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Instruction> {
  const ata = await associatedTokenAddress(owner, mint, tokenProgram);
  return {
    programAddress: ASSOCIATED_TOKEN_PROGRAM_ADDRESS,
    accounts: [
      { address: payer, role: AccountRole.WRITABLE_SIGNER },
      { address: ata, role: AccountRole.WRITABLE },
      { address: owner, role: AccountRole.READONLY },
      { address: mint, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM_ADDRESS, role: AccountRole.READONLY },
      { address: tokenProgram, role: AccountRole.READONLY },
    ],
    data: new Uint8Array([1]),
  };
}

/** `ComputeBudgetInstruction::SetComputeUnitLimit(units)`. */
export function setComputeUnitLimitInstruction(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = 2;
  data.set(getU32Encoder().encode(units), 1);
  return { programAddress: COMPUTE_BUDGET_PROGRAM_ADDRESS, data };
}

export const MAX_COMPUTE_UNITS = 1_400_000;

/** budget.rs `limit_with_jitter`: what a simulation used × 1.1 + 5,000, rounded up to a
 * thousand, plus `nonce % 1000` so two otherwise identical transactions differ. */
export function computeUnitLimit(used: bigint | number | undefined, nonce: number): number {
  const jitter = nonce % 1_000;
  const ceiling = MAX_COMPUTE_UNITS - 1_000;
  if (used === undefined) return ceiling + jitter;
  const u = BigInt(used);
  let limit = (u * 11_000n + 9_999n) / 10_000n + 5_000n;
  if (limit > BigInt(MAX_COMPUTE_UNITS)) limit = BigInt(MAX_COMPUTE_UNITS);
  const rounded = Number((limit + 999n) / 1_000n) * 1_000;
  return Math.min(rounded, ceiling) + jitter;
}

/** A transaction compiled for signing: the wire bytes (signatures zeroed) a wallet receives. */
export interface UnsignedTransaction {
  wire: Uint8Array;
  lastValidBlockHeight: bigint;
}

/** Compile `instructions` paid by `feePayer` under the latest blockhash (a v0 message). */
export async function compileForSigning(
  rpc: Rpc<GetLatestBlockhashApi>,
  instructions: ReadonlyArray<Instruction>,
  feePayer: Address,
): Promise<UnsignedTransaction> {
  const { value: blockhash } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const wire = new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
  return { wire, lastValidBlockHeight: blockhash.lastValidBlockHeight };
}

/** The first signature of a wire transaction (the fee payer's: the transaction's id). */
export function wireSignature(wire: Uint8Array): Signature {
  const tx = getTransactionDecoder().decode(wire);
  const first = Object.values(tx.signatures)[0];
  if (!first) throw new Error('transaction is not signed');
  return getBase58Decoder().decode(first) as Signature;
}

/** A transaction the node refused or that failed on chain, with the program's error. */
export class TransactionFailed extends Error {
  constructor(
    readonly error: ProgramError | undefined,
    readonly summary: string,
    readonly logs: string[],
    readonly signature?: Signature,
  ) {
    super(summary);
    this.name = 'TransactionFailed';
  }
}

/** Send signed wire bytes (with preflight); a preflight refusal becomes `TransactionFailed` with
 * the program's error from the simulation's logs. */
export async function sendSigned(rpc: Rpc<SendTransactionApi>, wire: Uint8Array, programs: ReadonlyArray<string> = []): Promise<Signature> {
  const b64 = getBase64Decoder().decode(wire) as Base64EncodedWireTransaction;
  try {
    return await rpc.sendTransaction(b64, { encoding: 'base64', preflightCommitment: 'confirmed' }).send();
  } catch (e) {
    if (isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
      const logs = [...(e.context.logs ?? [])];
      const { error, summary } = explainFailure(undefined, logs, programs);
      throw new TransactionFailed(error, error ? summary : e.message, logs);
    }
    throw e;
  }
}

/**
 * Wait until `signature` is confirmed, polling `getSignatureStatuses` (the node also serves
 * `signatureSubscribe`; polling needs no websocket). Throws `TransactionFailed` when it landed
 * with an error, and when it has not landed after `timeoutMs`.
 */
export async function confirmSignature(
  rpc: Rpc<GetSignatureStatusesApi>,
  signature: Signature,
  { timeoutMs = 60_000, pollMs = 300 }: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) {
      if (status.err) {
        const { error, summary } = explainFailure(status.err as TransactionError, []);
        throw new TransactionFailed(error, summary, [], signature);
      }
      return;
    }
    if (Date.now() > deadline) throw new TransactionFailed(undefined, `transaction ${signature} not confirmed after ${timeoutMs / 1000} s`, [], signature);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
