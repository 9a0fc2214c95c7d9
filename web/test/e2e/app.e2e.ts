// The browser test (issue 11): the web app in headless Chromium against `levtoken localnet`,
// with a real Wallet Standard wallet that signs with a local ed25519 keypair. Every number the
// page shows is checked against the chain itself (token balances by getTokenAccountsByOwner, the
// landed transactions by getTransaction, their signatures verified with node:crypto).
// Screenshots of each step: web/test-results/screens/.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { getBase64Encoder, getTransactionDecoder } from '@solana/kit';
import type { Browser, Page } from 'playwright-core';

import { launchBrowser, newKeypair, screensDir, startApp, startLocalnet, walletBundle, type Localnet } from './harness';

const WAIT = 60_000;
const USDC = 1_000_000n; // base units per USDC (6 decimals)

describe('ETHBULL3X web app in Chromium against levtoken localnet', { timeout: 15 * 60_000 }, () => {
  let node: Localnet;
  let app: { url: string; stop(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let bundle: string;
  const wallet = newKeypair();
  const screens = screensDir();
  const shot = (name: string) => page.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
  const pageErrors: string[] = [];

  /** `data-value` of an element (a base-unit amount, bps, or USD). */
  const value = async (testid: string) => {
    const v = await page.getByTestId(testid).getAttribute('data-value');
    assert.ok(v !== null && v !== '', `${testid} has no value`);
    return v!;
  };
  const big = async (testid: string) => BigInt(await value(testid));
  const data = async (testid: string, key: string) => {
    const v = await page.getByTestId(testid).getAttribute(`data-${key}`);
    assert.ok(v !== null, `${testid} has no data-${key}`);
    return v!;
  };
  /** Wait until `data-<key>` of an element satisfies `ok`. */
  const waitData = (testid: string, key: string, ok: string) =>
    page.waitForFunction(
      ([t, k, want]) => document.querySelector(`[data-testid="${t}"]`)?.getAttribute(`data-${k}`) === want,
      [testid, key, ok],
      { timeout: WAIT },
    );

  /** Wait until the number in `data-value` is within `tol` of `want`. */
  const waitNumber = (testid: string, want: number, tol = 0.005) =>
    page.waitForFunction(
      ([t, w, e]) => Math.abs(Number(document.querySelector(`[data-testid="${t}"]`)?.getAttribute('data-value') ?? NaN) - w) <= e,
      [testid, want, tol] as const,
      { timeout: WAIT },
    );

  /** The wallet's balance of `mint` on the chain (not from the page). */
  const chainBalance = async (mint: string, owner = wallet.address): Promise<bigint> => {
    const r = await node.call<{ value: { account: { data: { parsed: { info: { tokenAmount: { amount: string } } } } } }[] }>(
      'getTokenAccountsByOwner',
      [owner, { mint }, { encoding: 'jsonParsed', commitment: 'confirmed' }],
    );
    return r.value.reduce((s, a) => s + BigInt(a.account.data.parsed.info.tokenAmount.amount), 0n);
  };
  const requests = () => page.evaluate(() => window.__testWallet?.requests.length ?? -1);

  /** The landed transaction: no error, the wallet's ed25519 signature valid over its message. */
  const checkLanded = async (signature: string, signer = wallet) => {
    const tx = await node.call<{ meta: { err: unknown; logMessages: string[] }; transaction: [string, string] }>('getTransaction', [
      signature,
      { encoding: 'base64', maxSupportedTransactionVersion: 0, commitment: 'confirmed' },
    ]);
    assert.ok(tx, `transaction ${signature} not found`);
    assert.equal(tx.meta.err, null);
    const decoded = getTransactionDecoder().decode(getBase64Encoder().encode(tx.transaction[0]));
    const sig = decoded.signatures[signer.address as keyof typeof decoded.signatures];
    assert.ok(sig, 'signed by the wallet');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(signer.publicKey).toString('base64url') }, format: 'jwk' });
    assert.ok(verify(null, Buffer.from(decoded.messageBytes), key, Buffer.from(sig!)), 'the signature verifies with the wallet key');
    return tx;
  };

  before(async () => {
    [node, app, bundle, browser] = await Promise.all([startLocalnet(), startApp(), walletBundle(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await app?.stop().catch(() => {});
    await node?.stop();
  });

  it('shows the market and the token as a wallet would, then finds the wallet through Wallet Standard', async () => {
    await page.goto(`${app.url}?rpc=${encodeURIComponent(node.info.rpcUrl)}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
    // No wallet yet: the app says so.
    await page.getByTestId('no-wallet').waitFor({ timeout: WAIT });
    // Token-2022 metadata: name and symbol from the mint's extension, the image from its URI.
    assert.equal(await page.getByTestId('token-name').textContent(), 'ETH 3x Long');
    assert.match((await page.getByTestId('token-symbol').textContent())!, /^ETHBULL3X/);
    assert.equal(await data('token', 'uri'), node.info.metadataUri);
    const served = (await (await fetch(node.info.metadataUri)).json()) as { image: string };
    const img = page.getByTestId('token-image');
    assert.equal(await img.getAttribute('src'), served.image);
    await page.waitForFunction(() => (document.querySelector('[data-testid="token-image"]') as HTMLImageElement).naturalWidth > 0, null, { timeout: WAIT });
    assert.equal(Number(await value('eth-price')), node.info.priceUsd);
    assert.equal(await data('rebalance-status', 'due'), 'false');

    // The wallet arrives after the app started, as an extension's would: registerWallet.
    await page.addScriptTag({
      content: `window.__testWalletConfig = ${JSON.stringify({ secretKey: wallet.secretKey, name: 'Test wallet', chains: ['solana:localnet'], rpcUrl: node.info.rpcUrl })};\n${bundle}`,
    });
    const connect = page.locator('[data-testid="connect-wallet"][data-wallet="Test wallet"]');
    await connect.waitFor({ timeout: WAIT });
    await connect.click();
    await waitData('wallet-address', 'value', wallet.address);

    // Demo USDC from the node's faucet (the button shows on a local node only).
    await page.getByTestId('faucet-button').click();
    await waitData('balance-usdc', 'value', String(1_000n * USDC));
    assert.equal(await chainBalance(node.info.usdcMint), 1_000n * USDC);
    await shot('01-connected');
  });

  let minted = 0n;

  it('mints with $100 at the simulated quote: tokens and NAV shown, as on chain', async () => {
    await page.getByTestId('amount').fill('100');
    await waitData('quote', 'state', 'ok');
    const quoted = await big('quote-out');
    const quotedFee = await big('quote-fee');
    const min = await big('quote-min');
    assert.equal(quotedFee, 100_000n, 'the 10 bps mint fee on $100');
    assert.ok(quoted > 90n * USDC && quoted < 101n * USDC, `about 100 tokens at NAV ≈ $1: ${quoted}`);
    assert.equal(min, (quoted * 9_950n + 9_999n) / 10_000n, '0.5% default slippage, rounded up');
    await shot('02-mint-quote');

    const before = await requests();
    await page.getByTestId('submit').click();
    await waitData('trade-status', 'state', 'ok');
    assert.equal(await requests(), before + 1, 'the wallet was asked to sign once');
    const signature = await data('trade-status', 'signature');
    await checkLanded(signature);
    minted = BigInt(await data('trade-status', 'tokens'));
    assert.ok(minted >= min, 'at least the minimum');
    assert.equal(BigInt(await data('trade-status', 'fee')), quotedFee, 'the fee as quoted');
    assert.equal(BigInt(await data('trade-status', 'usdc-in')), 100n * USDC);

    await waitData('balance-tokens', 'value', String(minted));
    assert.equal(await chainBalance(node.info.levMint), minted);
    await waitData('balance-usdc', 'value', String(900n * USDC));
    assert.equal(await chainBalance(node.info.usdcMint), 900n * USDC);
    // NAV per token (from the program's nav) and the position's value at NAV: $100 less the fee
    // and the swap's cost.
    const navPerToken = await big('nav-per-token');
    assert.ok(navPerToken > 990_000n && navPerToken < 1_010_000n, `NAV per token ≈ $1: ${navPerToken}`);
    const posValue = await big('position-value');
    assert.ok(posValue > 98n * USDC && posValue < 100n * USDC, `position ≈ $99.6: ${posValue}`);
    const leverage = Number(await value('leverage'));
    assert.ok(leverage >= Number(await data('gauge', 'band-low')) && leverage <= Number(await data('gauge', 'band-high')), `in band: ${leverage}`);
    await shot('03-minted');
  });

  it('the node moves ETH +20%: leverage falls out of the band and a rebalance is due', async () => {
    const moved = await node.call<{ previousUsd: number; priceUsd: number }>('levtoken_setPrice', ['+20%']);
    assert.ok(Math.abs(moved.priceUsd - moved.previousUsd * 1.2) < 1e-6);
    await waitNumber('eth-price', moved.priceUsd);
    await waitData('rebalance-status', 'due', 'true');
    assert.equal(await data('rebalance-status', 'trigger'), 'outsideBand');
    const leverage = Number(await value('leverage'));
    assert.ok(leverage < Number(await data('gauge', 'band-low')), `below the band: ${leverage}`);
    assert.equal(await data('leverage', 'in-band'), 'false');
    // ETH +20% at 3x: NAV per token up about 60%.
    const navPerToken = Number(await big('nav-per-token'));
    assert.ok(navPerToken > 1_550_000 && navPerToken < 1_650_000, `NAV per token ≈ $1.6: ${navPerToken}`);
    await shot('04-eth-up');
  });

  it('anyone rebalances: leverage back in the band', async () => {
    const before = await requests();
    await page.getByTestId('rebalance-button').click();
    await waitData('rebalance-result', 'state', 'ok');
    assert.equal(await requests(), before + 1);
    await checkLanded(await data('rebalance-result', 'signature'));
    const low = Number(await data('gauge', 'band-low'));
    const high = Number(await data('gauge', 'band-high'));
    const beforeBps = Number(await data('rebalance-result', 'before'));
    const afterBps = Number(await data('rebalance-result', 'after'));
    assert.ok(beforeBps < low, `was below the band: ${beforeBps}`);
    assert.ok(afterBps >= low && afterBps <= high, `back in the band: ${afterBps}`);
    await waitData('rebalance-status', 'due', 'false');
    await waitData('leverage', 'in-band', 'true');
    await shot('05-rebalanced');
  });

  it('redeems everything: the USDC quoted comes back, less the quoted fee', async () => {
    await page.getByTestId('tab-redeem').click();
    await page.getByTestId('max-button').click();
    await waitData('quote', 'state', 'ok');
    const quoted = await big('quote-out');
    const quotedFee = await big('quote-fee');
    const min = await big('quote-min');
    // $100 at 3x through ETH +20% is about $160 before costs.
    assert.ok(quoted > 150n * USDC && quoted < 162n * USDC, `about $159 back: ${quoted}`);
    assert.ok(quotedFee > 0n && quotedFee < quoted / 500n, `a 10 bps fee: ${quotedFee}`);
    await shot('06-redeem-quote');

    const usdcBefore = await chainBalance(node.info.usdcMint);
    await page.getByTestId('submit').click();
    await waitData('trade-status', 'state', 'ok');
    await checkLanded(await data('trade-status', 'signature'));
    assert.equal(BigInt(await data('trade-status', 'tokens')), minted, 'every token burnt');
    const usdcOut = BigInt(await data('trade-status', 'usdc-out'));
    const fee = BigInt(await data('trade-status', 'fee'));
    assert.ok(usdcOut >= min, 'at least the minimum');
    // What landed is what was quoted, up to the interest and streaming fee of the seconds between.
    const diff = usdcOut > quoted ? usdcOut - quoted : quoted - usdcOut;
    assert.ok(diff <= quoted / 10_000n, `as quoted: ${usdcOut} vs ${quoted}`);
    const feeDiff = fee > quotedFee ? fee - quotedFee : quotedFee - fee;
    assert.ok(feeDiff <= 1n + quotedFee / 1_000n, `fee as quoted: ${fee} vs ${quotedFee}`);
    // The chain agrees with the page.
    const usdcAfter = await chainBalance(node.info.usdcMint);
    assert.equal(usdcAfter - usdcBefore, usdcOut);
    assert.equal(await chainBalance(node.info.levMint), 0n);
    await waitData('balance-tokens', 'value', '0');
    await waitData('balance-usdc', 'value', String(usdcAfter));
    await shot('07-redeemed');
  });

  it('charts NAV per token against ETH from the market events', async () => {
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart"] svg')?.getAttribute('data-events') ?? 0) >= 3, null, { timeout: WAIT });
    for (const kind of ['Minted', 'Rebalanced', 'Redeemed']) {
      assert.ok((await page.locator(`[data-testid="chart"] circle[data-kind="${kind}"]`).count()) >= 1, `a ${kind} point`);
      assert.ok((await page.locator(`[data-testid="activity"] tr[data-kind="${kind}"]`).count()) >= 1, `a ${kind} row`);
    }
    const mintEth = Number(await page.locator('[data-testid="chart"] circle[data-kind="Minted"][data-eth]').first().getAttribute('data-eth'));
    const redeemEth = Number(await page.locator('[data-testid="chart"] circle[data-kind="Redeemed"][data-eth]').last().getAttribute('data-eth'));
    assert.ok(Math.abs(mintEth - node.info.priceUsd) < 0.005, `minted at $${mintEth}`);
    assert.ok(Math.abs(redeemEth - node.info.priceUsd * 1.2) < 0.005, `redeemed at $${redeemEth}`);
    const mintNav = Number(await page.locator('[data-testid="chart"] circle[data-kind="Minted"][data-nav]').last().getAttribute('data-nav'));
    const redeemNav = Number(await page.locator('[data-testid="chart"] circle[data-kind="Redeemed"][data-nav]').last().getAttribute('data-nav'));
    assert.ok(redeemNav / mintNav > 1.55 && redeemNav / mintNav < 1.65, `NAV per token +60%: ${mintNav} → ${redeemNav}`);
    await page.getByTestId('chart').scrollIntoViewIfNeeded();
    await shot('08-chart');
  });

  it("a mint refused for slippage shows the program's message and never reaches the wallet", async () => {
    await page.getByTestId('tab-mint').click();
    await page.getByTestId('slippage').fill('0');
    await page.getByTestId('amount').fill('50');
    await waitData('quote', 'state', 'ok');
    const quoted = await big('quote-out');
    assert.equal(await big('quote-min'), quoted, 'no slippage allowed');
    // ETH moves up 1% after the quote: the same deposit now buys fewer tokens.
    const moved = await node.call<{ priceUsd: number }>('levtoken_setPrice', ['+1%']);
    await waitNumber('eth-price', moved.priceUsd);
    const usdcBefore = await chainBalance(node.info.usdcMint);
    const before = await requests();
    await page.getByTestId('submit').click();
    await waitData('trade-status', 'state', 'error');
    const text = (await page.getByTestId('trade-status').textContent())!;
    assert.match(text, /TokensBelowMinimum/);
    assert.match(text, /You would receive fewer tokens than the minimum you asked for/);
    assert.equal(await data('trade-status', 'error-name'), 'TokensBelowMinimum');
    assert.equal(await requests(), before, 'refused before the wallet was asked');
    assert.equal(await chainBalance(node.info.usdcMint), usdcBefore, 'nothing moved');
    await shot('09-refused');
  });

  it('a wallet that only signs and sends: the app hands it the transaction and confirms what it sent', async () => {
    const other = newKeypair();
    await page.getByTestId('disconnect').click();
    await page.addScriptTag({
      content: `window.__testWalletConfig = ${JSON.stringify({ secretKey: other.secretKey, name: 'Send-only wallet', chains: ['solana:localnet'], rpcUrl: node.info.rpcUrl, signAndSendOnly: true })};\n${bundle}`,
    });
    const connect = page.locator('[data-testid="connect-wallet"][data-wallet="Send-only wallet"]');
    await connect.waitFor({ timeout: WAIT });
    await connect.click();
    await waitData('wallet-address', 'value', other.address);
    await page.getByTestId('faucet-button').click();
    await waitData('balance-usdc', 'value', String(1_000n * USDC));
    await page.getByTestId('slippage').fill('0.5');
    await page.getByTestId('amount').fill('10');
    await waitData('quote', 'state', 'ok');
    const min = await big('quote-min');
    await page.getByTestId('submit').click();
    await waitData('trade-status', 'state', 'ok');
    const features = await page.evaluate(() => window.__testWallets?.['Send-only wallet']?.requests.map((r) => r.feature));
    assert.deepEqual(features, ['solana:signAndSendTransaction']);
    await checkLanded(await data('trade-status', 'signature'), other);
    const tokens = BigInt(await data('trade-status', 'tokens'));
    assert.ok(tokens >= min);
    assert.equal(await chainBalance(node.info.levMint, other.address), tokens);
    assert.equal(await chainBalance(node.info.usdcMint, other.address), 990n * USDC);
    await shot('10-sign-and-send');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
