// Anchor events in transaction logs, attributed to the program whose invocation wrote them and
// decoded with that program's generated codecs (what crates/client/src/events.rs does per type).
import { getBase64Encoder, type Decoder, type ReadonlyUint8Array } from '@solana/kit';

import * as ammClient from '../generated/amm';
import * as lendingClient from '../generated/lending-pool';
import * as levClient from '../generated/leveraged-token';
import { IDLS, programName, type ProgramName } from './programs';

const MODULES: Record<ProgramName, Record<string, unknown>> = {
  leveragedToken: levClient,
  lendingPool: lendingClient,
  amm: ammClient,
};

export interface DecodedEvent {
  program: ProgramName;
  /** The event's name in the IDL (`Minted`). */
  name: string;
  /** Its fields, decoded by the generated codec (`getMintedDecoder`). */
  data: Record<string, unknown>;
}

function decoderFor(program: ProgramName, name: string): Decoder<Record<string, unknown>> {
  const get = MODULES[program][`get${name}Decoder`];
  if (typeof get !== 'function') throw new Error(`no generated decoder for event ${name} of ${program}`);
  return get() as Decoder<Record<string, unknown>>;
}

/** Decode one event's bytes (discriminator + Borsh) emitted by `program`; `undefined` if unknown. */
export function decodeEvent(program: ProgramName, bytes: ReadonlyUint8Array): DecodedEvent | undefined {
  const event = IDLS[program].events?.find(
    (e) => bytes.length >= e.discriminator.length && e.discriminator.every((b, i) => bytes[i] === b),
  );
  if (!event) return undefined;
  const data = decoderFor(program, event.name).decode(bytes, event.discriminator.length);
  return { program, name: event.name, data };
}

const INVOKE = /^Program (\w+) invoke \[\d+\]$/;
const EXIT = /^Program (\w+) (success|failed)/;
const DATA = /^(?:Program log: )?Program data: (\S+)$/;

/**
 * Every event of our programs in `logs`, in order. Follows the invocation stack so an event is
 * decoded with the IDL of the program that emitted it (the AMM's `Swapped` inside a market's
 * `rebalance`). Accepts `Program data: <b64>` (SBF) and `Program log: Program data: <b64>`
 * (programs running natively in the in-process bank).
 */
export function parseEvents(logs: ReadonlyArray<string>): DecodedEvent[] {
  const stack: string[] = [];
  const out: DecodedEvent[] = [];
  for (const line of logs) {
    const invoke = INVOKE.exec(line);
    if (invoke) {
      stack.push(invoke[1]);
      continue;
    }
    if (EXIT.test(line)) {
      stack.pop();
      continue;
    }
    const data = DATA.exec(line);
    if (!data || stack.length === 0) continue;
    const program = programName(stack[stack.length - 1]);
    if (!program) continue;
    const event = decodeEvent(program, getBase64Encoder().encode(data[1]));
    if (event) out.push(event);
  }
  return out;
}
