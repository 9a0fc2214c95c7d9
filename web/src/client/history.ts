// The market's history from its transactions: `getSignaturesForAddress(market)` then
// `getTransaction` for each, the events decoded from the logs (events.ts). Each Minted, Redeemed,
// Rebalanced or SettleStep event gives a point: the oracle price the program used and, where the
// event carries what it takes, the NAV per token at that moment.
import type {
  Address,
  GetSignaturesForAddressApi,
  GetTransactionApi,
  Rpc,
  Signature,
} from '@solana/kit';

import { parseEvents, type DecodedEvent } from './events';

export const WAD = 10n ** 18n;

export interface MarketActivity {
  signature: Signature;
  slot: bigint;
  /** Unix seconds, when the node reports it. */
  blockTime: bigint | null;
  /** Our programs' events in the transaction, in order. */
  events: DecodedEvent[];
}

/**
 * The market's last `limit` successful transactions, oldest first, with their events. Failed
 * transactions (they changed nothing) are skipped.
 */
export async function loadMarketActivity(
  rpc: Rpc<GetSignaturesForAddressApi & GetTransactionApi>,
  market: Address,
  { limit = 200, concurrency = 8 }: { limit?: number; concurrency?: number } = {},
): Promise<MarketActivity[]> {
  const sigs = await rpc.getSignaturesForAddress(market, { limit, commitment: 'confirmed' }).send();
  const ok = sigs.filter((s) => s.err === null);
  const out: Array<MarketActivity | null> = new Array(ok.length).fill(null);
  for (let i = 0; i < ok.length; i += concurrency) {
    await Promise.all(
      ok.slice(i, i + concurrency).map(async (s, j) => {
        const tx = await rpc
          .getTransaction(s.signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' })
          .send();
        if (!tx || !tx.meta || tx.meta.err !== null) return;
        out[i + j] = {
          signature: s.signature,
          slot: tx.slot,
          blockTime: tx.blockTime ?? s.blockTime ?? null,
          events: parseEvents(tx.meta.logMessages ?? []),
        };
      }),
    );
  }
  return out.filter((a): a is MarketActivity => a !== null).reverse();
}

/** USD per whole collateral token from a `price_wad` (quote base units per collateral base unit,
 * × 10^18), for display. */
export function priceWadToUsd(priceWad: bigint, collateralDecimals: number, quoteDecimals: number): number {
  return (Number(priceWad) / 1e18) * 10 ** (collateralDecimals - quoteDecimals);
}

export type PointKind = 'Minted' | 'Redeemed' | 'Rebalanced' | 'SettleStep';

export interface HistoryPoint {
  signature: Signature;
  slot: bigint;
  time: number | null;
  kind: PointKind;
  /** The oracle price the program used (USD per ETH). */
  ethUsd: number;
  /**
   * NAV per whole token (USD) where the event tells it: a mint's `nav_added / tokens` (the NAV
   * per token the minter paid), a redemption's `(collateral_sold × price − debt_repaid) / tokens`
   * (the NAV of the tokens burnt, at the oracle, before swap costs and fee); `null` for a
   * rebalance or settlement step, whose events do not carry it.
   */
  navPerTokenUsd: number | null;
  /** Leverage (bps) after the event: the program's reading, where the event carries it. */
  leverageBps: bigint | null;
}

export interface Decimals {
  collateral: number;
  quote: number;
  token: number;
}

/** Chart points from the market's activity (events of our market only). */
export function historyPoints(activity: ReadonlyArray<MarketActivity>, market: Address, d: Decimals): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  const perToken = (quoteUnits: bigint, tokens: bigint): number | null =>
    tokens === 0n ? null : (Number(quoteUnits) / 10 ** d.quote) / (Number(tokens) / 10 ** d.token);
  for (const a of activity) {
    for (const e of a.events) {
      if (e.program !== 'leveragedToken' || e.data.market !== market) continue;
      const base = { signature: a.signature, slot: a.slot, time: a.blockTime === null ? null : Number(a.blockTime) };
      const x = e.data as Record<string, bigint>;
      const eth = (w: bigint) => priceWadToUsd(w, d.collateral, d.quote);
      switch (e.name) {
        case 'Minted':
          out.push({ ...base, kind: 'Minted', ethUsd: eth(x.priceWad), navPerTokenUsd: perToken(x.navAdded, x.tokens), leverageBps: x.leverageBps });
          break;
        case 'Redeemed': {
          const value = (x.collateralSold * x.priceWad) / WAD - x.debtRepaid;
          out.push({ ...base, kind: 'Redeemed', ethUsd: eth(x.priceWad), navPerTokenUsd: perToken(value, x.tokens), leverageBps: x.leverageBps });
          break;
        }
        case 'Rebalanced':
          out.push({ ...base, kind: 'Rebalanced', ethUsd: eth(x.priceWad), navPerTokenUsd: null, leverageBps: x.leverageAfterBps });
          break;
        case 'SettleStep':
          out.push({ ...base, kind: 'SettleStep', ethUsd: eth(x.priceWad), navPerTokenUsd: null, leverageBps: null });
          break;
      }
    }
  }
  return out;
}
