// What the browser test runs against: `levtoken localnet` on free ports (built by cargo unless
// LEVTOKEN_BIN names a binary), the app built by Vite and served by `vite preview` on a free
// port, Debian's Chromium driven by playwright-core, and the test wallet bundled for the page.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { getBase58Decoder } from '@solana/kit';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const RESULTS_DIR = join(WEB_DIR, 'test-results');
export const SCREENS_DIR = join(RESULTS_DIR, 'screens');

const log = (msg: string) => process.stderr.write(`[e2e] ${msg}\n`);

/** `levtoken_info`: where everything is on the node. */
export interface NodeInfo {
  rpcUrl: string;
  websocketUrl: string;
  programs: string;
  market: string;
  levMint: string;
  usdcMint: string;
  ethMint: string;
  metadataUri: string;
  priceUsd: number;
}

/** The levtoken binary: $LEVTOKEN_BIN, else what `cargo build -p levtoken` produces (a no-op
 * when the workspace is built; a cold build takes minutes). */
function levtokenBinary(): string {
  const fromEnv = process.env.LEVTOKEN_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`LEVTOKEN_BIN=${fromEnv} does not exist`);
    return resolve(fromEnv);
  }
  log('cargo build -p levtoken --bin levtoken --locked');
  const out = spawnSync('cargo', ['build', '-p', 'levtoken', '--bin', 'levtoken', '--locked', '--message-format=json-render-diagnostics'], {
    cwd: REPO_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`cargo build -p levtoken failed (exit ${out.status})`);
  for (const line of out.stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line) as { reason?: string; target?: { name?: string; kind?: string[] }; executable?: string | null };
    if (msg.reason === 'compiler-artifact' && msg.target?.name === 'levtoken' && msg.target.kind?.includes('bin') && msg.executable) return msg.executable;
  }
  throw new Error('cargo build -p levtoken reported no levtoken executable');
}

export interface Localnet {
  info: NodeInfo;
  /** JSON-RPC call to the node (Solana methods and the levtoken_* extensions). */
  call<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/** Start `levtoken localnet --rpc-port 0 --json` (free ports for JSON-RPC and websockets) and
 * wait for its one line of start-up JSON. */
export async function startLocalnet(): Promise<Localnet> {
  const bin = levtokenBinary();
  const started = Date.now();
  const child: ChildProcess = spawn(bin, ['localnet', '--rpc-port', '0', '--quiet', '--json'], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the node behind, even when the test process is stopped early.
  const reap = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', reap);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      reap();
      process.exit(130);
    });
  }
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
  });
  const info = await new Promise<NodeInfo>((resolveInfo, reject) => {
    const timer = setTimeout(() => reject(new Error(`levtoken localnet did not start in 120 s:\n${stderr}`)), 120_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolveInfo(JSON.parse(line) as NodeInfo);
      } catch {
        reject(new Error(`levtoken localnet printed ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`levtoken localnet exited (${code}) before serving:\n${stderr}`));
    });
  });
  log(`localnet at ${info.rpcUrl} (${info.programs}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let id = 0;
  const call = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(info.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    const json = (await res.json()) as { result?: T; error?: { message: string } };
    if (json.error) throw new Error(`${method}: ${json.error.message}`);
    return json.result as T;
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGINT');
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { info, call, stop };
}

/** Build the app (Vite) into test-results/app-dist and serve it on a free port. */
export async function startApp(): Promise<{ url: string; stop(): Promise<void> }> {
  const outDir = join(RESULTS_DIR, 'app-dist');
  await build({ root: WEB_DIR, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({ root: WEB_DIR, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: true, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview gave no URL');
  return { url, stop: () => server.close() };
}

/** The test wallet (src/wallet/local-keypair-wallet.ts via test/e2e/wallet-entry.ts) as one
 * script for the page. */
export async function walletBundle(): Promise<string> {
  const out = await build({
    root: WEB_DIR,
    configFile: false,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: join(WEB_DIR, 'test/e2e/wallet-entry.ts'), formats: ['iife'], name: 'LevtokenTestWallet', fileName: () => 'wallet.js' },
    },
  });
  const outputs = Array.isArray(out) ? out : [out];
  for (const o of outputs) {
    if ('output' in o) {
      const chunk = o.output.find((c) => c.type === 'chunk');
      if (chunk && chunk.type === 'chunk') return chunk.code;
    }
  }
  throw new Error('wallet bundle: no output');
}

/** A fresh ed25519 keypair as the Solana CLI stores it: 64 bytes, seed then public key. */
export function newKeypair(): { secretKey: number[]; address: string; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { secretKey: [...d, ...x], address: getBase58Decoder().decode(x), publicKey: new Uint8Array(x) };
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (Debian), or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export function screensDir(): string {
  mkdirSync(SCREENS_DIR, { recursive: true });
  return SCREENS_DIR;
}
