// The test wallet as the page gets it: a Wallet Standard wallet (src/wallet/local-keypair-wallet.ts)
// registered through `registerWallet`, with the keypair and RPC endpoint the test put in
// `window.__testWalletConfig`. The test reads `window.__testWallet.requests` to see what the app
// asked it to sign; the app itself only ever sees the Wallet Standard protocol.
import { registerLocalKeypairWallet, type LocalKeypairWallet } from '../../src/wallet/local-keypair-wallet';

declare global {
  interface Window {
    __testWalletConfig: { secretKey: number[]; name: string; chains: `${string}:${string}`[]; rpcUrl: string; signAndSendOnly?: boolean };
    __testWallet?: LocalKeypairWallet;
    __testWallets?: Record<string, LocalKeypairWallet>;
  }
}

const cfg = window.__testWalletConfig;
void registerLocalKeypairWallet({
  secretKey: Uint8Array.from(cfg.secretKey),
  name: cfg.name,
  chains: cfg.chains,
  rpcUrl: cfg.rpcUrl,
  signAndSendOnly: cfg.signAndSendOnly,
}).then((w) => {
  window.__testWallet ??= w;
  (window.__testWallets ??= {})[cfg.name] = w;
});
