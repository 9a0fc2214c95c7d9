// The ETHBULL3X web app: plain TypeScript and DOM over web/src/client. Everything the programs
// compute (NAV, leverage, the rebalance trigger, what a mint or redemption gives) comes from the
// programs by simulation; this file only reads, formats and asks the wallet to sign.
//
// Query parameters: `rpc` (JSON-RPC URL; default VITE_RPC_URL, else http://127.0.0.1:8899),
// `market` (market id, default 1), `chain` (Wallet Standard chain, default solana:localnet),
// `burner` (register a Wallet Standard wallet with a keypair kept in this browser: for a local
// node without a wallet extension).
import { createSolanaRpc, type Signature } from '@solana/kit';
import { SOLANA_LOCALNET_CHAIN } from '@solana/wallet-standard-chains';
import type { IdentifierString, Wallet } from '@wallet-standard/base';

import {
  compileForSigning,
  confirmSignature,
  eventIn,
  fetchOffChainMetadata,
  fetchTokenMetadata,
  formatUnits,
  historyPoints,
  loadHoldings,
  loadMarketActivity,
  loadMarketKeys,
  loadMarketState,
  minOut,
  parseUnits,
  planMint,
  planRebalance,
  planRedeem,
  priceWadToUsd,
  sendSigned,
  SimulationFailed,
  TransactionFailed,
  type HistoryPoint,
  type Holdings,
  type MarketKeys,
  type MarketState,
  type Plan,
} from '../client';
import type { Minted, Rebalanced, Redeemed } from '../generated/leveraged-token';
import { chartSvg, gaugeSvg, type ChartPoint } from './svg';
import { Connection, watchWallets } from './wallet';

const params = new URLSearchParams(location.search);
const RPC_URL = params.get('rpc') ?? (import.meta.env.VITE_RPC_URL as string | undefined) ?? 'http://127.0.0.1:8899';
const MARKET_ID = BigInt(params.get('market') ?? '1');
const CHAIN = (params.get('chain') ?? SOLANA_LOCALNET_CHAIN) as IdentifierString;
const REFRESH_MS = 2_000;
const HISTORY_MS = 6_000;

const rpc = createSolanaRpc(RPC_URL);

// ---------------------------------------------------------------- DOM

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`missing element ${id}`);
  return el;
};
const setText = (id: string, text: string, value?: bigint | number | string | null) => {
  const el = $(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = value === null ? '' : String(value);
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---------------------------------------------------------------- state

type Tab = 'mint' | 'redeem';

interface Quote {
  tab: Tab;
  amount: bigint;
  /** Tokens (mint) or USDC (redeem) the program said it would pay, in base units. */
  out: bigint;
  fee: bigint;
  ethUsd: number;
  at: Date;
}

const app = {
  keys: undefined as MarketKeys | undefined,
  tokenDecimals: 6,
  market: undefined as MarketState | undefined,
  navError: undefined as string | undefined,
  holdings: undefined as Holdings | undefined,
  wallets: [] as Wallet[],
  conn: undefined as Connection | undefined,
  tab: 'mint' as Tab,
  quote: undefined as Quote | undefined,
  quoteSeq: 0,
  busy: false,
  localnet: false,
  samples: [] as ChartPoint[],
  points: [] as HistoryPoint[],
  symbol: 'ETHBULL3X',
};

const quoteDecimals = () => app.market?.market.quoteDecimals ?? 6;
/** Dollars with at least two decimals (`1.00`, `99.74115`). */
const usd = (units: bigint, maxFraction = 2) => {
  const s = formatUnits(units, quoteDecimals(), maxFraction);
  const dot = s.indexOf('.');
  return dot < 0 ? `${s}.00` : s.length - dot === 2 ? `${s}0` : s;
};
const tokens = (units: bigint, maxFraction = 6) => formatUnits(units, app.tokenDecimals, maxFraction);
const lev = (bps: bigint | number) => `${(Number(bps) / 10_000).toFixed(2)}x`;
const ethUsdOf = (m: MarketState) =>
  m.oracle.exponent < 0 ? Number(m.oracle.price) / 10 ** -m.oracle.exponent : Number(m.oracle.price) * 10 ** m.oracle.exponent;

function slippageBps(): bigint {
  const v = Number($<HTMLInputElement>('slippage').value);
  if (!Number.isFinite(v) || v < 0 || v > 50) throw new Error('slippage must be between 0% and 50%');
  return BigInt(Math.round(v * 100));
}

// ---------------------------------------------------------------- rendering

function renderMarket() {
  const m = app.market;
  if (!m) return;
  const p = m.market.params;
  const price = ethUsdOf(m);
  setText('eth-price', `$${price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, price);
  const stale = m.oracleAgeSecs > p.oracleMaxStalenessSecs;
  setText('oracle-age', `published ${m.oracleAgeSecs} s ago${stale ? ' — stale' : ''} (the market accepts ${p.oracleMaxStalenessSecs} s)`, m.oracleAgeSecs);
  $('oracle-age').classList.toggle('warn', stale);

  const nav = m.nav;
  const band = { lowBps: Number(p.bandLowBps), highBps: Number(p.bandHighBps), targetBps: Number(p.targetLeverageBps), emergencyBps: Number(p.emergencyLeverageBps) };
  setText('band', `band ${lev(p.bandLowBps)}–${lev(p.bandHighBps)} · target ${lev(p.targetLeverageBps)} · emergency ${lev(p.emergencyLeverageBps)}`);
  Object.assign($('gauge').dataset, { bandLow: String(p.bandLowBps), bandHigh: String(p.bandHighBps), target: String(p.targetLeverageBps), emergency: String(p.emergencyLeverageBps) });
  if (!nav) {
    setText('nav-per-token', '–', null);
    setText('market-nav', app.navError ?? '');
    setText('leverage', '–', null);
    $('gauge').innerHTML = gaugeSvg(null, band);
    setText('rebalance-status', app.navError ?? '', null);
    return;
  }
  setText('nav-per-token', `$${usd(nav.navPerToken, 6)}`, nav.navPerToken);
  setText(
    'market-nav',
    nav.supply === 0n ? 'no tokens outstanding' : `market NAV $${usd(nav.nav)} · debt $${usd(nav.debt)} · supply ${tokens(nav.supply, 2)}`,
    nav.nav,
  );
  const l = nav.leverageBpsOrNull;
  setText('leverage', l === null ? (nav.insolvent ? 'insolvent' : 'empty vault') : lev(l), l);
  const inBand = l !== null && l >= p.bandLowBps && l <= p.bandHighBps;
  $('leverage').dataset.inBand = String(inBand);
  $('gauge').innerHTML = gaugeSvg(l === null ? null : Number(l), band);

  const due = nav.trigger !== null;
  const status = $('rebalance-status');
  status.textContent = due ? `Due: ${nav.triggerName}` : `Not due: ${nav.triggerName.replace(/^not allowed: /, '')}`;
  status.dataset.due = String(due);
  status.dataset.trigger = nav.trigger ?? '';
  status.classList.toggle('warn', due);
  renderButtons();
}

function renderWallet() {
  const el = $('wallet');
  if (app.conn) {
    const a = app.conn.address;
    el.innerHTML = `<img src="${escapeHtml(app.conn.wallet.icon)}" width="20" height="20" alt=""/> <span data-testid="wallet-name">${escapeHtml(app.conn.wallet.name)}</span> <code data-testid="wallet-address" data-value="${a}">${a.slice(0, 4)}…${a.slice(-4)}</code> <button class="secondary small-btn" data-testid="disconnect">Disconnect</button>`;
    el.querySelector('button')!.onclick = () => void disconnect();
  } else if (app.wallets.length === 0) {
    el.innerHTML = `<span class="muted" data-testid="no-wallet">No Wallet Standard wallet for ${escapeHtml(CHAIN)} found. Install one (set to a local RPC ${escapeHtml(RPC_URL)}) or open <a href="?burner">?burner</a>.</span>`;
  } else {
    el.innerHTML = app.wallets
      .map((w, i) => `<button data-testid="connect-wallet" data-wallet="${escapeHtml(w.name)}" data-index="${i}"><img src="${escapeHtml(w.icon)}" width="18" height="18" alt=""/> Connect ${escapeHtml(w.name)}</button>`)
      .join(' ');
    el.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.onclick = () => void connect(app.wallets[Number(b.dataset.index)])));
  }
  $('faucet-button').hidden = !(app.localnet && app.conn);
  renderButtons();
}

function renderHoldings() {
  const h = app.holdings;
  if (!h) {
    for (const id of ['balance-tokens', 'balance-usdc', 'balance-sol', 'position-value']) setText(id, id === 'position-value' ? '' : '–', null);
    return;
  }
  setText('balance-tokens', tokens(h.tokens), h.tokens);
  setText('balance-usdc', usd(h.usdc, 6), h.usdc);
  setText('balance-sol', formatUnits(h.lamports, 9, 4), h.lamports);
  const nav = app.market?.nav;
  if (nav) {
    // Tokens × NAV per token: the position's share of the vault at the oracle, before the redeem
    // fee and the swap (the redeem quote gives what a redemption pays).
    const value = (h.tokens * nav.navPerToken) / 10n ** BigInt(app.tokenDecimals);
    setText('position-value', `≈ $${usd(value)} at NAV`, value);
  }
}

function renderQuote(state: 'idle' | 'loading' | 'ok' | 'error', html: string) {
  const el = $('quote');
  el.dataset.state = state;
  el.innerHTML = html;
}

function showQuote() {
  const q = app.quote;
  if (!q) return;
  let bps: bigint;
  try {
    bps = slippageBps();
  } catch (e) {
    renderQuote('error', escapeHtml((e as Error).message));
    return;
  }
  const min = minOut(q.out, bps);
  const outText = q.tab === 'mint' ? `${tokens(q.out)} ${app.symbol}` : `${usd(q.out, 6)} USDC`;
  const minText = q.tab === 'mint' ? `${tokens(min)} ${app.symbol}` : `${usd(min, 6)} USDC`;
  renderQuote(
    'ok',
    `<div class="kv"><span>You receive</span><b data-testid="quote-out" data-value="${q.out}">${outText}</b></div>` +
      `<div class="kv"><span>${q.tab === 'mint' ? 'Mint' : 'Redeem'} fee</span><span data-testid="quote-fee" data-value="${q.fee}">${usd(q.fee, 6)} USDC</span></div>` +
      `<div class="kv"><span>Minimum at ${(Number(bps) / 100).toFixed(2)}% slippage</span><span data-testid="quote-min" data-value="${min}">${minText}</span></div>` +
      `<div class="muted small">Simulated on the node at ETH $${q.ethUsd.toFixed(2)}, ${q.at.toLocaleTimeString()}.</div>`,
  );
}

function renderButtons() {
  const submit = $<HTMLButtonElement>('submit');
  submit.textContent = app.tab === 'mint' ? 'Mint' : 'Redeem';
  submit.disabled = app.busy || !app.conn || !app.quote;
  const reb = $<HTMLButtonElement>('rebalance-button');
  reb.disabled = app.busy || !app.conn;
  $<HTMLButtonElement>('max-button').disabled = !app.holdings;
}

function renderHistory() {
  const chartPoints: ChartPoint[] = [
    ...app.points.filter((p) => p.time !== null).map((p) => ({ time: p.time!, ethUsd: p.ethUsd, navPerTokenUsd: p.navPerTokenUsd, kind: p.kind })),
    ...app.samples,
  ];
  $('chart').innerHTML = chartSvg(chartPoints);
  const rows = app.points
    .slice(-8)
    .reverse()
    .map((p) => {
      const when = p.time === null ? '' : new Date(p.time * 1000).toLocaleTimeString();
      const nav = p.navPerTokenUsd === null ? '' : `NAV/token $${p.navPerTokenUsd.toFixed(6)}`;
      const levText = p.leverageBps === null ? '' : `leverage ${lev(p.leverageBps)}`;
      return `<tr data-kind="${p.kind}"><td>${when}</td><td>${p.kind}</td><td>ETH $${p.ethUsd.toFixed(2)}</td><td>${nav}</td><td>${levText}</td><td class="muted"><code>${p.signature.slice(0, 8)}…</code></td></tr>`;
    })
    .join('');
  $('activity').innerHTML = rows;
}

function setStatus(id: 'trade-status' | 'rebalance-result', state: 'pending' | 'ok' | 'error' | 'idle', html: string, data: Record<string, string> = {}) {
  const el = $(id);
  el.dataset.state = state;
  for (const k of Object.keys(el.dataset)) if (k !== 'state' && k !== 'testid') delete el.dataset[k];
  Object.assign(el.dataset, data);
  el.innerHTML = html;
  el.className = `result ${state}`;
}

/** A refusal as the program put it (name and message from its IDL), else the error's message. */
function refusal(e: unknown): { text: string; name: string } {
  if (e instanceof SimulationFailed) {
    const err = e.simulation.failure?.error;
    return { text: `Refused by the program — ${e.message}`, name: err?.name ?? '' };
  }
  if (e instanceof TransactionFailed) return { text: `Refused by the program — ${e.message}`, name: e.error?.name ?? '' };
  return { text: (e as Error).message ?? String(e), name: '' };
}

// ---------------------------------------------------------------- data

let refreshing = false;
async function refresh() {
  if (refreshing || !app.keys) return;
  refreshing = true;
  try {
    const keys = app.keys;
    const feePayer = app.conn?.address ?? keys.treasury;
    try {
      app.market = await loadMarketState(rpc, keys, { feePayer });
      app.navError = undefined;
    } catch (e) {
      // The nav simulation can fail (a stale oracle, an unfunded fee payer): show the accounts.
      app.market = await loadMarketState(rpc, keys);
      app.navError = e instanceof SimulationFailed ? `nav refused: ${e.message}` : `nav unavailable: ${(e as Error).message}`;
    }
    const m = app.market;
    if (m.nav) {
      // With no tokens outstanding the program's NAV per token is its empty-vault convention, not
      // a holder's: the chart keeps ETH only.
      const navPerTokenUsd = m.nav.supply === 0n ? null : Number(m.nav.navPerToken) / 10 ** quoteDecimals();
      const sample: ChartPoint = { time: Number(m.now), ethUsd: ethUsdOf(m), navPerTokenUsd, kind: 'live' };
      const last = app.samples[app.samples.length - 1];
      if (!last || last.time !== sample.time) app.samples.push(sample);
      if (app.samples.length > 2_000) app.samples.splice(0, app.samples.length - 2_000);
    }
    app.holdings = app.conn ? await loadHoldings(rpc, keys, app.conn.address) : undefined;
    renderMarket();
    renderHoldings();
    renderButtons();
    $('banner').hidden = true;
  } catch (e) {
    const b = $('banner');
    b.hidden = false;
    b.textContent = `Cannot read the market from ${RPC_URL}: ${(e as Error).message}`;
  } finally {
    refreshing = false;
  }
}

async function refreshHistory() {
  const keys = app.keys;
  const m = app.market;
  if (!keys || !m) return;
  try {
    const activity = await loadMarketActivity(rpc, keys.market, { limit: 200 });
    app.points = historyPoints(activity, keys.market, { collateral: m.market.collateralDecimals, quote: m.market.quoteDecimals, token: app.tokenDecimals });
    renderHistory();
  } catch (e) {
    console.warn('history', e);
  }
}

async function loadToken(keys: MarketKeys) {
  const md = await fetchTokenMetadata(rpc, keys.levMint);
  if (!md) return;
  app.symbol = md.symbol;
  setText('token-name', md.name);
  setText('token-symbol', `${md.symbol} · Token-2022 metadata`);
  setText('position-symbol', md.symbol);
  setText('position-name', md.name);
  $('token').dataset.uri = md.uri;
  try {
    const off = await fetchOffChainMetadata(md.uri);
    if (off.image) {
      $<HTMLImageElement>('token-image').src = off.image;
      $<HTMLImageElement>('position-image').src = off.image;
    }
    if (off.description) $('token').title = off.description;
  } catch (e) {
    console.warn('metadata', e);
  }
}

async function detectLocalnet() {
  try {
    const res = await fetch(RPC_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'levtoken_info' }) });
    const json = (await res.json()) as { result?: unknown };
    app.localnet = json.result !== undefined;
  } catch {
    app.localnet = false;
  }
}

// ---------------------------------------------------------------- wallet

async function connect(wallet: Wallet) {
  try {
    app.conn = await Connection.connect(wallet, CHAIN, (c) => {
      app.conn = c ?? undefined;
      app.quote = undefined;
      renderWallet();
      void refresh();
    });
  } catch (e) {
    setStatus('trade-status', 'error', escapeHtml(`Could not connect: ${(e as Error).message}`));
  }
  renderWallet();
  await refresh();
  void requote();
}

async function disconnect() {
  await app.conn?.disconnect();
  app.conn = undefined;
  app.holdings = undefined;
  app.quote = undefined;
  renderWallet();
  renderHoldings();
  renderQuote('idle', '');
}

/** Simulate, ask the wallet to sign, send and confirm; the landed transaction's logs. */
async function signSendConfirm(plan: Plan<unknown>, onStatus: (s: string) => void): Promise<{ signature: Signature; logs: string[] }> {
  const conn = app.conn!;
  const unsigned = await compileForSigning(rpc, plan.instructions, conn.address);
  onStatus(`Approve in ${conn.wallet.name}…`);
  let signature: Signature;
  if (conn.signs === 'signTransaction') {
    const signed = await conn.signTransaction(unsigned.wire);
    onStatus('Sending…');
    signature = await sendSigned(rpc, signed, plan.instructions.map((ix) => ix.programAddress));
  } else {
    signature = await conn.signAndSendTransaction(unsigned.wire);
  }
  onStatus('Confirming…');
  await confirmSignature(rpc, signature);
  const tx = await rpc.getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' }).send();
  return { signature, logs: [...(tx?.meta?.logMessages ?? [])] };
}

// ---------------------------------------------------------------- actions

let quoteTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleQuote() {
  clearTimeout(quoteTimer);
  // The shown quote is for the old amount: withdraw it at once.
  app.quote = undefined;
  app.quoteSeq++;
  renderQuote('loading', '<span class="muted">Simulating…</span>');
  renderButtons();
  quoteTimer = setTimeout(() => void requote(), 250);
}

async function requote() {
  const seq = ++app.quoteSeq;
  app.quote = undefined;
  renderButtons();
  const keys = app.keys;
  const text = $<HTMLInputElement>('amount').value;
  if (!keys || text.trim() === '') return renderQuote('idle', '');
  if (!app.conn) return renderQuote('idle', '<span class="muted">Connect a wallet to get a quote.</span>');
  const tab = app.tab;
  let amount: bigint;
  try {
    amount = parseUnits(text, tab === 'mint' ? quoteDecimals() : app.tokenDecimals);
  } catch (e) {
    return renderQuote('error', escapeHtml((e as Error).message));
  }
  if (amount === 0n) return renderQuote('idle', '');
  renderQuote('loading', '<span class="muted">Simulating…</span>');
  try {
    const owner = app.conn.address;
    const ethUsd = app.market ? ethUsdOf(app.market) : NaN;
    let quote: Quote;
    if (tab === 'mint') {
      const p = await planMint(rpc, keys, owner, amount, 0n);
      quote = { tab, amount, out: p.event.tokens, fee: p.event.fee, ethUsd, at: new Date() };
    } else {
      const p = await planRedeem(rpc, keys, owner, amount, 0n);
      quote = { tab, amount, out: p.event.usdcOut, fee: p.event.fee, ethUsd, at: new Date() };
    }
    if (seq !== app.quoteSeq) return;
    app.quote = quote;
    showQuote();
  } catch (e) {
    if (seq !== app.quoteSeq) return;
    const r = refusal(e);
    renderQuote('error', `<span data-testid="quote-error" data-error-name="${escapeHtml(r.name)}">${escapeHtml(r.text)}</span>`);
  }
  renderButtons();
}

async function submit() {
  const q = app.quote;
  const keys = app.keys;
  if (!q || !keys || !app.conn || app.busy) return;
  app.busy = true;
  renderButtons();
  const status = (s: string) => setStatus('trade-status', 'pending', escapeHtml(s));
  try {
    const min = minOut(q.out, slippageBps());
    status('Checking the transaction on the node…');
    const owner = app.conn.address;
    // The transaction as it will be signed, minimum included: a refusal here costs nothing and
    // never reaches the wallet.
    const plan = q.tab === 'mint' ? await planMint(rpc, keys, owner, q.amount, min) : await planRedeem(rpc, keys, owner, q.amount, min);
    const { signature, logs } = await signSendConfirm(plan, status);
    if (q.tab === 'mint') {
      const e = eventIn<Minted>(logs, 'Minted');
      if (!e) throw new Error(`landed without a Minted event (${signature})`);
      setStatus(
        'trade-status',
        'ok',
        `Minted <b>${tokens(e.tokens)} ${escapeHtml(app.symbol)}</b> for ${usd(e.usdcIn, 6)} USDC (fee ${usd(e.fee, 6)} USDC). <code>${signature.slice(0, 16)}…</code>`,
        { action: 'mint', signature, tokens: String(e.tokens), usdcIn: String(e.usdcIn), fee: String(e.fee), quoted: String(q.out), min: String(min) },
      );
    } else {
      const e = eventIn<Redeemed>(logs, 'Redeemed');
      if (!e) throw new Error(`landed without a Redeemed event (${signature})`);
      setStatus(
        'trade-status',
        'ok',
        `Redeemed ${tokens(e.tokens)} ${escapeHtml(app.symbol)} for <b>${usd(e.usdcOut, 6)} USDC</b> (fee ${usd(e.fee, 6)} USDC). <code>${signature.slice(0, 16)}…</code>`,
        { action: 'redeem', signature, tokens: String(e.tokens), usdcOut: String(e.usdcOut), fee: String(e.fee), quoted: String(q.out), quotedFee: String(q.fee), min: String(min) },
      );
    }
    $<HTMLInputElement>('amount').value = '';
    app.quote = undefined;
    renderQuote('idle', '');
  } catch (e) {
    const r = refusal(e);
    setStatus('trade-status', 'error', escapeHtml(r.text), { errorName: r.name });
  } finally {
    app.busy = false;
    renderButtons();
    await refresh();
    void refreshHistory();
  }
}

async function rebalance() {
  const keys = app.keys;
  if (!keys || !app.conn || app.busy) return;
  app.busy = true;
  renderButtons();
  const status = (s: string) => setStatus('rebalance-result', 'pending', escapeHtml(s));
  try {
    status('Simulating…');
    const plan = await planRebalance(rpc, keys, app.conn.address);
    const { signature, logs } = await signSendConfirm(plan, status);
    const e = eventIn<Rebalanced>(logs, 'Rebalanced');
    if (!e) throw new Error(`landed without a Rebalanced event (${signature})`);
    const price = app.market ? priceWadToUsd(e.priceWad, app.market.market.collateralDecimals, app.market.market.quoteDecimals) : NaN;
    setStatus(
      'rebalance-result',
      'ok',
      `Rebalanced at ETH $${price.toFixed(2)}: leverage ${lev(e.leverageBeforeBps)} → <b>${lev(e.leverageAfterBps)}</b> (${e.relever ? 'bought' : 'sold'} ETH), reward ${usd(e.reward, 6)} USDC.`,
      { signature, before: String(e.leverageBeforeBps), after: String(e.leverageAfterBps), reward: String(e.reward) },
    );
  } catch (e) {
    const r = refusal(e);
    setStatus('rebalance-result', 'error', escapeHtml(r.text), { errorName: r.name });
  } finally {
    app.busy = false;
    renderButtons();
    await refresh();
    void refreshHistory();
  }
}

async function faucet() {
  if (!app.conn) return;
  const res = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'levtoken_faucet', params: [app.conn.address, 1000] }),
  });
  const json = (await res.json()) as { error?: { message: string } };
  if (json.error) setStatus('trade-status', 'error', escapeHtml(`faucet: ${json.error.message}`));
  await refresh();
}

function selectTab(tab: Tab) {
  app.tab = tab;
  $('tab-mint').classList.toggle('active', tab === 'mint');
  $('tab-redeem').classList.toggle('active', tab === 'redeem');
  $('amount-label').textContent = tab === 'mint' ? 'USDC to deposit' : `${app.symbol} to redeem`;
  $<HTMLInputElement>('amount').value = '';
  setStatus('trade-status', 'idle', '');
  renderQuote('idle', '');
  app.quote = undefined;
  renderButtons();
}

// ---------------------------------------------------------------- start

async function registerBurner() {
  const KEY = 'levtoken.burner.secretKey';
  let b64 = localStorage.getItem(KEY);
  if (!b64) {
    const kp = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', kp.privateKey));
    const pub = new Uint8Array(await crypto.subtle.exportKey('raw', kp.publicKey));
    const secret = new Uint8Array([...pkcs8.slice(-32), ...pub]);
    b64 = btoa(String.fromCharCode(...secret));
    localStorage.setItem(KEY, b64);
  }
  const secretKey = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const { registerLocalKeypairWallet } = await import('../wallet/local-keypair-wallet');
  await registerLocalKeypairWallet({ secretKey, name: 'Burner (this browser)', chains: [CHAIN], rpcUrl: RPC_URL });
}

async function main() {
  $('footer').textContent = `node ${RPC_URL} · market ${MARKET_ID} · wallets for ${CHAIN}`;
  $('tab-mint').onclick = () => selectTab('mint');
  $('tab-redeem').onclick = () => selectTab('redeem');
  $<HTMLInputElement>('amount').oninput = scheduleQuote;
  $<HTMLInputElement>('slippage').oninput = () => showQuote();
  document.querySelectorAll<HTMLButtonElement>('[data-slippage]').forEach((b) => {
    b.onclick = () => {
      $<HTMLInputElement>('slippage').value = b.dataset.slippage!;
      showQuote();
    };
  });
  $('max-button').onclick = () => {
    const h = app.holdings;
    if (!h) return;
    $<HTMLInputElement>('amount').value = app.tab === 'mint' ? formatUnits(h.usdc, quoteDecimals(), 6, false) : formatUnits(h.tokens, app.tokenDecimals, 6, false);
    scheduleQuote();
  };
  $('submit').onclick = () => void submit();
  $('rebalance-button').onclick = () => void rebalance();
  $('faucet-button').onclick = () => void faucet();

  watchWallets(CHAIN, (wallets) => {
    app.wallets = wallets;
    if (app.conn && !wallets.includes(app.conn.wallet)) app.conn = undefined;
    renderWallet();
  });
  if (params.has('burner')) void registerBurner();

  await detectLocalnet();
  renderWallet();
  try {
    app.keys = await loadMarketKeys(rpc, MARKET_ID);
  } catch (e) {
    const b = $('banner');
    b.hidden = false;
    b.textContent = `Cannot load market ${MARKET_ID} from ${RPC_URL}: ${(e as Error).message}`;
    return;
  }
  $('footer').textContent += ` · market account ${app.keys.market}`;
  await Promise.all([loadToken(app.keys).catch((e) => console.warn('token', e)), refresh()]);
  await refreshHistory();
  document.body.dataset.ready = 'true';
  setInterval(() => void refresh(), REFRESH_MS);
  setInterval(() => void refreshHistory(), HISTORY_MS);
}

void main();
