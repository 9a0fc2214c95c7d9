// Program errors by code, named and explained from the IDLs, and the reason a transaction or a
// simulation failed, found in its error and logs.
import type { TransactionError } from '@solana/kit';

import { IDLS, programName, type ProgramName } from './programs';

export interface ProgramError {
  /** The program that raised it, when it is one of ours. */
  program: ProgramName | undefined;
  /** Its address. */
  programAddress: string | undefined;
  code: number;
  /** The error's name in the program (`TokensBelowMinimum`), when known. */
  name: string | undefined;
  /** Its message (`You would receive fewer tokens than the minimum you asked for`), when known. */
  message: string | undefined;
}

/** The IDL's entry for custom error `code` of `program` (Anchor: 6000 and up). */
export function idlError(program: ProgramName, code: number): { name: string; message: string | undefined } | undefined {
  const e = IDLS[program].errors?.find((err) => err.code === code);
  return e && { name: e.name, message: e.msg };
}

/** Custom error `code` raised by the program at `programAddress`, named from its IDL. */
export function programError(programAddress: string | undefined, code: number): ProgramError {
  const program = programAddress === undefined ? undefined : programName(programAddress);
  const known = program === undefined ? undefined : idlError(program, code);
  return { program, programAddress, code, name: known?.name, message: known?.message };
}

const FAILED = /^Program (\w+) failed: custom program error: 0x([0-9a-fA-F]+)$/;
const ANCHOR = /AnchorError.*Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*?)\.?$/;

/**
 * Why a transaction failed, from its error and its logs: the custom error of the innermost
 * program that failed (a CPI's error belongs to the called program, not to the instruction's), or
 * the instruction error itself. Anchor's own errors (account constraints, 2000–4999) are not in
 * the IDLs; their names and messages come from the `AnchorError` log line.
 */
export function explainFailure(
  err: TransactionError | null | undefined,
  logs: ReadonlyArray<string> | null | undefined,
  instructionPrograms: ReadonlyArray<string> = [],
): { error: ProgramError | undefined; summary: string } {
  const lines = logs ?? [];
  let error: ProgramError | undefined;
  for (const line of lines) {
    const m = FAILED.exec(line);
    if (m) {
      error = programError(m[1], parseInt(m[2], 16));
      break; // the first failure is the innermost: its callers fail after it
    }
  }
  if (error === undefined && err && typeof err === 'object' && 'InstructionError' in err) {
    const [index, ixErr] = err.InstructionError;
    if (typeof ixErr === 'object' && ixErr !== null && 'Custom' in ixErr) {
      error = programError(instructionPrograms[Number(index)], Number(ixErr.Custom));
    }
  }
  if (error !== undefined && error.name === undefined) {
    const anchor = lines.map((l) => ANCHOR.exec(l)).find((m) => m && Number(m[2]) === error!.code);
    if (anchor) error = { ...error, name: anchor[1], message: anchor[3] };
  }
  if (error !== undefined) {
    const who = error.program ?? error.programAddress ?? 'a program';
    const what = error.name ? `${error.name}: ${error.message ?? ''}`.trim() : `custom error ${error.code}`;
    return { error, summary: `${what} (${who}, error ${error.code})` };
  }
  return { error: undefined, summary: err ? `transaction failed: ${JSON.stringify(err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}` : 'no error' };
}
