// A wallet's holdings in a market: SOL, USDC and ETHBULL3X (its associated token accounts), and
// amounts for people (base units ↔ decimal strings, without floating point).
import {
  fetchEncodedAccounts,
  getU64Decoder,
  type Address,
  type GetBalanceApi,
  type GetMultipleAccountsApi,
  type ReadonlyUint8Array,
  type Rpc,
} from '@solana/kit';

import { walletAccounts, type MarketKeys, type WalletAccounts } from './pdas';

/** Amount of an SPL Token / Token-2022 account (bytes 64..72). */
export function tokenAccountAmount(data: ReadonlyUint8Array): bigint {
  if (data.length < 72) throw new Error('token account: too short');
  return getU64Decoder().decode(data, 64);
}

export interface Holdings {
  accounts: WalletAccounts;
  lamports: bigint;
  /** USDC base units (0 when the account does not exist). */
  usdc: bigint;
  /** ETHBULL3X base units (0 when the account does not exist). */
  tokens: bigint;
  usdcAccountExists: boolean;
  tokenAccountExists: boolean;
}

export async function loadHoldings(rpc: Rpc<GetMultipleAccountsApi & GetBalanceApi>, keys: MarketKeys, owner: Address): Promise<Holdings> {
  const accounts = await walletAccounts(owner, keys);
  const [[usdc, lev], { value: lamports }] = await Promise.all([
    fetchEncodedAccounts(rpc, [accounts.usdc, accounts.lev]),
    rpc.getBalance(owner, { commitment: 'confirmed' }).send(),
  ]);
  return {
    accounts,
    lamports,
    usdc: usdc.exists ? tokenAccountAmount(usdc.data) : 0n,
    tokens: lev.exists ? tokenAccountAmount(lev.data) : 0n,
    usdcAccountExists: usdc.exists,
    tokenAccountExists: lev.exists,
  };
}

/** `amount` base units as a decimal string with at most `maxFraction` digits (rounded toward
 * zero) and thousands separators: `formatUnits(1234567891n, 6, 2)` → `"1,234.56"`. */
export function formatUnits(amount: bigint, decimals: number, maxFraction = decimals, group = true): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const unit = 10n ** BigInt(decimals);
  const whole = (abs / unit).toString();
  let frac = (abs % unit).toString().padStart(decimals, '0').slice(0, Math.min(maxFraction, decimals));
  frac = frac.replace(/0+$/, '');
  const w = group ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole;
  return `${neg ? '-' : ''}${w}${frac ? `.${frac}` : ''}`;
}

/** A decimal string (`"100"`, `"0.5"`, `"1,000.25"`) as base units; throws on anything else or
 * on more fraction digits than `decimals`. */
export function parseUnits(text: string, decimals: number): bigint {
  const s = text.trim().replace(/,/g, '');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new Error(`not an amount: "${text}"`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new Error(`at most ${decimals} decimals`);
  return BigInt(m[1] || '0') * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}
