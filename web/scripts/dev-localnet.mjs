// `npm --prefix web run dev:localnet [-- LOCALNET FLAGS]`: start `levtoken localnet` (cargo run,
// JSON-RPC on 127.0.0.1:8899 unless --rpc-port says otherwise) and the app's Vite dev server
// pointed at it; Ctrl-C stops both. Flags after `--` go to the node (`-- --replay --speed 3600`).
// With RPC_URL set, no node is started and the app uses that one.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { createServer } from 'vite';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(web, '..');

let node;
let rpcUrl = process.env.RPC_URL;
if (!rpcUrl) {
  const args = ['run', '-p', 'levtoken', '--locked', '--', 'localnet', '--json', ...process.argv.slice(2)];
  console.log(`starting the node: cargo ${args.join(' ')}`);
  node = spawn('cargo', args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise((ok, fail) => {
    const lines = createInterface({ input: node.stdout });
    lines.once('line', (line) => {
      try {
        ok(JSON.parse(line));
      } catch {
        fail(new Error(`levtoken localnet printed: ${line}`));
      }
      lines.on('line', (l) => console.log(l));
    });
    node.once('exit', (code) => fail(new Error(`levtoken localnet exited (${code})`)));
  });
  rpcUrl = info.rpcUrl;
  console.log(`node: ${info.rpcUrl} (websockets ${info.websocketUrl}), programs ${info.programs}, market ${info.market}`);
}

process.env.VITE_RPC_URL = rpcUrl;
const server = await createServer({ root: web, server: { host: '127.0.0.1', port: 5173 } });
await server.listen();
const url = server.resolvedUrls.local[0];
console.log(`
app:    ${url}
        with a Wallet Standard wallet extension set to the RPC ${rpcUrl} (solana:localnet), or
        ${url}?burner for a wallet kept in this browser (demo USDC: the app's faucet button)
Ctrl-C stops the app${node ? ' and the node' : ''}.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  if (node && node.exitCode === null) {
    node.kill('SIGINT');
    await new Promise((r) => node.once('exit', r));
  }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
node?.once('exit', (code) => {
  if (!stopping) {
    console.error(`levtoken localnet exited (${code})`);
    void stop();
  }
});
