// A market's on-chain state as crates/client/src/state.rs `MarketState` reads it: the market, its
// lending pool and credit line, the ETHBULL3X supply and the oracle, at the cluster's time.
//
// What this file does NOT do: compute NAV, debt, leverage or whether a rebalance is due. Those are
// the programs' economics (lev-math, in Rust); here they come only from the program itself, by
// simulating its read-only `nav` instruction (`simulateNav`), and are `null` until then. The few
// values computed here are readings of the accounts (supply = minted + owed fee tokens, the
// oracle's age and confidence), each checked against the Rust client in the unit tests.
import {
  fetchEncodedAccounts,
  getU64Decoder,
  type Address,
  type GetAccountInfoApi,
  type GetMultipleAccountsApi,
  type ReadonlyUint8Array,
  type Rpc,
  type SimulateTransactionApi,
} from '@solana/kit';
import { fetchSysvarClock } from '@solana/sysvars';

import {
  BORROWER_DISCRIMINATOR,
  getBorrowerDecoder,
  getLendingPoolDecoder,
  LENDING_POOL_DISCRIMINATOR,
  type Borrower,
  type LendingPool,
} from '../generated/lending-pool';
import {
  getMarketDecoder,
  getNavInstruction,
  getNavViewDecoder,
  getPriceUpdateV2Decoder,
  MARKET_DISCRIMINATOR,
  type Market,
  type NavView,
  type PriceUpdateV2,
} from '../generated/leveraged-token';
import type { MarketKeys } from './pdas';
import { PROGRAM_ADDRESSES } from './programs';
import { simulateInstructions, SimulationFailed } from './simulate';

/** Anchor's discriminator of Pyth's `PriceUpdateV2` account: sha256("account:PriceUpdateV2")[..8]. */
export const PRICE_UPDATE_V2_DISCRIMINATOR: ReadonlyUint8Array = new Uint8Array([34, 241, 35, 99, 157, 126, 244, 205]);

/** `lev_math::Trigger`, in the order of `NavView::rebalance_trigger` (255 = none). */
export const TRIGGERS = ['emergency', 'outsideBand', 'scheduled'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** The Rust client's `trigger_name`. */
export function triggerName(trigger: Trigger | null): string {
  switch (trigger) {
    case 'emergency':
      return 'emergency: leverage at or above the emergency threshold';
    case 'outsideBand':
      return 'leverage outside the band';
    case 'scheduled':
      return 'scheduled recentre due';
    default:
      return 'not allowed: leverage inside the band and no recentre due';
  }
}

/** What the program's `nav` instruction reported, with its trigger code named. */
export interface NavReport extends NavView {
  /** `null` when the program reports none (code 255). */
  trigger: Trigger | null;
  triggerName: string;
  /** `leverageBps`, unless NAV ≤ 0 (the program reports u64::MAX) or the vault is empty (0). */
  leverageBpsOrNull: bigint | null;
}

export interface OracleReading {
  update: PriceUpdateV2;
  /** Pyth mantissa and exponent: the price is `price × 10^exponent` USD per ETH. */
  price: bigint;
  exponent: number;
  conf: bigint;
  publishTime: bigint;
}

export interface MarketState {
  market: Market;
  pool: LendingPool;
  borrower: Borrower;
  /** The ETHBULL3X mint's supply. */
  mintedSupply: bigint;
  /** Supply as the program counts it (`Market::supply`): minted plus the streaming-fee tokens owed
   * to the treasury (without the fee pending since the last accrual). */
  supply: bigint;
  /** The oracle as published (not checked for staleness here; the program checks it). */
  oracle: OracleReading;
  /** The oracle's confidence in bps of its price, rounded up (`Price::confidence_bps`). */
  priceConfBps: bigint;
  /** The cluster's time (Clock sysvar). */
  now: bigint;
  /** Seconds since the oracle published. */
  oracleAgeSecs: bigint;
  /** NAV, NAV per token, leverage, debt, collateral value and rebalance trigger as the program
   * computes them now: from `simulateNav`; `null` when not simulated. */
  nav: NavReport | null;
}

function expectDiscriminator(what: string, data: ReadonlyUint8Array, disc: ReadonlyUint8Array): void {
  if (data.length < disc.length || disc.some((b, i) => data[i] !== b)) {
    throw new Error(`${what}: not a ${what} account (discriminator mismatch)`);
  }
}

export function decodePriceUpdate(data: ReadonlyUint8Array): PriceUpdateV2 {
  expectDiscriminator('PriceUpdateV2', data, PRICE_UPDATE_V2_DISCRIMINATOR);
  return getPriceUpdateV2Decoder().decode(data, PRICE_UPDATE_V2_DISCRIMINATOR.length);
}

/** Supply of an SPL Token / Token-2022 mint (bytes 36..44, as `chain::mint_supply`). */
export function mintSupply(data: ReadonlyUint8Array): bigint {
  if (data.length < 44) throw new Error('mint: account too short');
  return getU64Decoder().decode(data, 36);
}

/** The raw data of the accounts a `MarketState` reads. */
export interface MarketAccountsData {
  market: ReadonlyUint8Array;
  lendingPool: ReadonlyUint8Array;
  lendingBorrower: ReadonlyUint8Array;
  levMint: ReadonlyUint8Array;
  oracle: ReadonlyUint8Array;
}

/** Decode the accounts into a `MarketState` at cluster time `now` (its `nav` is `null`). */
export function decodeMarketState(data: MarketAccountsData, now: bigint): MarketState {
  expectDiscriminator('Market', data.market, MARKET_DISCRIMINATOR);
  expectDiscriminator('LendingPool', data.lendingPool, LENDING_POOL_DISCRIMINATOR);
  expectDiscriminator('Borrower', data.lendingBorrower, BORROWER_DISCRIMINATOR);
  const market = getMarketDecoder().decode(data.market);
  const pool = getLendingPoolDecoder().decode(data.lendingPool);
  const borrower = getBorrowerDecoder().decode(data.lendingBorrower);
  const mintedSupply = mintSupply(data.levMint);
  const update = decodePriceUpdate(data.oracle);
  const m = update.priceMessage;
  if (m.price <= 0n) throw new Error('oracle price not positive');
  return {
    market,
    pool,
    borrower,
    mintedSupply,
    supply: mintedSupply + market.feesLev,
    oracle: { update, price: m.price, exponent: m.exponent, conf: m.conf, publishTime: m.publishTime },
    // conf × 10 000 / price, rounded up.
    priceConfBps: (m.conf * 10_000n + m.price - 1n) / m.price,
    now,
    oracleAgeSecs: now - m.publishTime,
    nav: null,
  };
}

/** Decode the `nav` instruction's return data (a Borsh `NavView`). */
export function decodeNavReturnData(data: ReadonlyUint8Array): NavReport {
  const view = getNavViewDecoder().decode(data);
  const trigger = view.rebalanceTrigger < TRIGGERS.length ? TRIGGERS[view.rebalanceTrigger] : null;
  const U64_MAX = 0xffff_ffff_ffff_ffffn;
  return {
    ...view,
    trigger,
    triggerName: triggerName(trigger),
    leverageBpsOrNull: view.leverageBps === U64_MAX || view.leverageBps === 0n ? null : view.leverageBps,
  };
}

/** The accounts the `nav` instruction reads. */
export type NavAccounts = Pick<MarketKeys, 'market' | 'levMint' | 'oracle' | 'lendingBorrower'> & { lendingPool: Address };

/**
 * Ask the program for NAV, leverage and the rest by simulating its read-only `nav` instruction,
 * paid by `feePayer` (any existing funded account; nothing is signed or sent). Throws
 * `SimulationFailed` (with the program's error, e.g. `OracleStale`) when the program refuses.
 */
export async function simulateNav(rpc: Rpc<SimulateTransactionApi>, accounts: NavAccounts, feePayer: Address): Promise<NavReport> {
  const ix = getNavInstruction({
    market: accounts.market,
    levMint: accounts.levMint,
    oracle: accounts.oracle,
    lendingPool: accounts.lendingPool,
    lendingBorrower: accounts.lendingBorrower,
  });
  const sim = await simulateInstructions(rpc, [ix], feePayer);
  if (sim.err) throw new SimulationFailed(sim);
  if (!sim.returnData || sim.returnData.programId !== PROGRAM_ADDRESSES.leveragedToken) {
    throw new SimulationFailed({ ...sim, failure: { error: undefined, summary: 'nav returned no data' } });
  }
  return decodeNavReturnData(sim.returnData.data);
}

/**
 * Read a market's state like `MarketState::load`: the accounts, the Clock sysvar's time and, when
 * `feePayer` is given, the program's own NAV report (`simulateNav`).
 */
export async function loadMarketState(
  rpc: Rpc<GetAccountInfoApi & GetMultipleAccountsApi & SimulateTransactionApi>,
  keys: MarketKeys,
  options: { feePayer?: Address } = {},
): Promise<MarketState> {
  const [marketAcc] = await fetchEncodedAccounts(rpc, [keys.market]);
  if (!marketAcc.exists) throw new Error(`market ${keys.market} does not exist`);
  const market = getMarketDecoder().decode(marketAcc.data);
  // The market names the accounts to read (its oracle may differ from the keys' default).
  const addresses = [market.lendingPool, market.lendingBorrower, market.levMint, market.oracle];
  const [accounts, clock] = await Promise.all([fetchEncodedAccounts(rpc, addresses), fetchSysvarClock(rpc)]);
  const [pool, borrower, levMint, oracle] = accounts.map((a, i): ReadonlyUint8Array => {
    if (!a.exists) throw new Error(`account ${addresses[i]} does not exist`);
    return a.data;
  });
  const state = decodeMarketState(
    { market: marketAcc.data, lendingPool: pool, lendingBorrower: borrower, levMint, oracle },
    clock.unixTimestamp,
  );
  if (options.feePayer) {
    state.nav = await simulateNav(
      rpc,
      { market: keys.market, levMint: market.levMint, oracle: market.oracle, lendingPool: market.lendingPool, lendingBorrower: market.lendingBorrower },
      options.feePayer,
    );
  }
  return state;
}
