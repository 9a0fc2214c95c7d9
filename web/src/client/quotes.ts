// Quotes and ready-to-sign transactions for mint, redeem and rebalance, by simulating the
// transaction and reading the event the program emits (Minted, Redeemed, Rebalanced). Nothing
// here computes the economics: the tokens, USDC, fees and trades are what the program reported.
import { createNoopSigner, type Address, type Instruction, type Rpc, type SimulateTransactionApi } from '@solana/kit';

import type { Minted, Rebalanced, Redeemed } from '../generated/leveraged-token';
import { parseEvents } from './events';
import { mintInstruction, rebalanceInstruction, redeemInstruction } from './instructions';
import { walletAccounts, type MarketKeys } from './pdas';
import { TOKEN_2022_PROGRAM_ADDRESS } from './programs';
import { simulateInstructions, SimulationFailed, type Simulation } from './simulate';
import { computeUnitLimit, createAtaIdempotentInstruction, setComputeUnitLimitInstruction } from './tx';

const BPS = 10_000n;

/** user.rs `min_out`: `quote × (1 − maxSlippageBps)`, rounded up — the minimum-out argument
 * that accepts at most `maxSlippageBps` less than the quote. */
export function minOut(quote: bigint, maxSlippageBps: bigint | number): bigint {
  const bps = BigInt(maxSlippageBps);
  const keep = bps >= BPS ? 0n : BPS - bps;
  return (quote * keep + BPS - 1n) / BPS;
}

/** A simulated transaction: what to sign and what the program said it would do. */
export interface Plan<E> {
  /** The compute-unit limit (from the simulation, as the Rust client sizes it) and the
   * instructions, in the order to sign them. */
  instructions: Instruction[];
  /** The program's event for this action in the simulation's logs. */
  event: E;
  simulation: Simulation;
}

let nonce = Math.floor(Math.random() * 1_000);

async function plan<E>(
  rpc: Rpc<SimulateTransactionApi>,
  instructions: Instruction[],
  feePayer: Address,
  eventName: 'Minted' | 'Redeemed' | 'Rebalanced',
): Promise<Plan<E>> {
  const simulation = await simulateInstructions(rpc, instructions, feePayer);
  if (simulation.err) throw new SimulationFailed(simulation);
  const event = parseEvents(simulation.logs).find((e) => e.program === 'leveragedToken' && e.name === eventName);
  if (!event) throw new SimulationFailed({ ...simulation, failure: { error: undefined, summary: `the simulation emitted no ${eventName} event` } });
  const limit = computeUnitLimit(simulation.unitsConsumed, nonce++);
  return { instructions: [setComputeUnitLimitInstruction(limit), ...instructions], event: event.data as E, simulation };
}

/**
 * Mint with `usdcIn` (base units) for at least `minTokensOut`, simulated for `owner`: creates the
 * owner's ETHBULL3X account first when missing. `minTokensOut = 0` gives the quote; the event's
 * `tokens` and `fee` are what the program would do now. Throws `SimulationFailed` with the
 * program's error when it refuses.
 */
export async function planMint(
  rpc: Rpc<SimulateTransactionApi>,
  keys: MarketKeys,
  owner: Address,
  usdcIn: bigint,
  minTokensOut = 0n,
): Promise<Plan<Minted>> {
  const wallet = await walletAccounts(owner, keys);
  const ixs = [
    await createAtaIdempotentInstruction(owner, owner, keys.levMint, TOKEN_2022_PROGRAM_ADDRESS),
    mintInstruction(keys, createNoopSigner(owner), wallet, usdcIn, minTokensOut),
  ];
  return plan<Minted>(rpc, ixs, owner, 'Minted');
}

/** Redeem `tokensIn` for at least `minUsdcOut` (0: the quote); the event's `usdcOut` is what the
 * holder would receive and `fee` the redeem fee kept by the market. */
export async function planRedeem(
  rpc: Rpc<SimulateTransactionApi>,
  keys: MarketKeys,
  owner: Address,
  tokensIn: bigint,
  minUsdcOut = 0n,
): Promise<Plan<Redeemed>> {
  const wallet = await walletAccounts(owner, keys);
  const ixs = [
    await createAtaIdempotentInstruction(owner, owner, keys.quoteMint, keys.quoteTokenProgram),
    redeemInstruction(keys, createNoopSigner(owner), wallet, tokensIn, minUsdcOut),
  ];
  return plan<Redeemed>(rpc, ixs, owner, 'Redeemed');
}

/** Rebalance as `keeper` (anyone), the reward paid to the keeper's USDC account (created when
 * missing). Refused with `RebalanceNotNeeded` when leverage is in the band and nothing is due. */
export async function planRebalance(rpc: Rpc<SimulateTransactionApi>, keys: MarketKeys, keeper: Address): Promise<Plan<Rebalanced>> {
  const { usdc } = await walletAccounts(keeper, keys);
  const ixs = [
    await createAtaIdempotentInstruction(keeper, keeper, keys.quoteMint, keys.quoteTokenProgram),
    rebalanceInstruction(keys, createNoopSigner(keeper), usdc),
  ];
  return plan<Rebalanced>(rpc, ixs, keeper, 'Rebalanced');
}

/** The programs of a plan's instructions (to attribute a refusal to the right IDL). */
export function planPrograms(p: Plan<unknown>): string[] {
  return p.instructions.map((ix) => ix.programAddress);
}

/** The market's own event in a landed transaction's logs. */
export function eventIn<E>(logs: ReadonlyArray<string>, name: 'Minted' | 'Redeemed' | 'Rebalanced'): E | undefined {
  return parseEvents(logs).find((e) => e.program === 'leveragedToken' && e.name === name)?.data as E | undefined;
}
