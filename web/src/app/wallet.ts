// Wallets through Wallet Standard: discovery with @wallet-standard/app's `getWallets()` (the
// `wallet-standard:app-ready` / `register-wallet` events every Solana wallet extension speaks),
// `standard:connect` / `standard:disconnect` / `standard:events`, and signing with
// `solana:signTransaction` (the app sends, so it sees the node's preflight refusal) or, for
// wallets that only offer it, `solana:signAndSendTransaction`.
import {
  SolanaSignAndSendTransaction,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignTransactionFeature,
} from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { IdentifierString, Wallet, WalletAccount } from '@wallet-standard/base';
import {
  StandardConnect,
  StandardDisconnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardDisconnectFeature,
  type StandardEventsFeature,
} from '@wallet-standard/features';
import { getBase58Decoder, type Address, type Signature } from '@solana/kit';

/** A wallet this app can use: it connects and signs Solana transactions. Wallets that do not list
 * `chain` (many list only mainnet, devnet and testnet) still sign with `solana:signTransaction`;
 * the app sends the transaction to its own node. */
export function isUsable(wallet: Wallet, chain: IdentifierString): boolean {
  const f = wallet.features;
  const signs = SolanaSignTransaction in f || (SolanaSignAndSendTransaction in f && wallet.chains.includes(chain));
  return StandardConnect in f && signs && wallet.chains.some((c) => c.startsWith('solana:'));
}

/** Calls `onChange` with the usable wallets now and whenever one registers or unregisters. */
export function watchWallets(chain: IdentifierString, onChange: (wallets: Wallet[]) => void): () => void {
  const registry = getWallets();
  const emit = () => onChange(registry.get().filter((w) => isUsable(w, chain)));
  const offRegister = registry.on('register', emit);
  const offUnregister = registry.on('unregister', emit);
  emit();
  return () => {
    offRegister();
    offUnregister();
  };
}

export class Connection {
  #offChange: (() => void) | undefined;

  private constructor(
    readonly wallet: Wallet,
    public account: WalletAccount,
    readonly chain: IdentifierString,
  ) {}

  /** `standard:connect`, then follow the wallet's account changes (`standard:events`). */
  static async connect(wallet: Wallet, chain: IdentifierString, onChange: (c: Connection | null) => void): Promise<Connection> {
    const connect = (wallet.features as StandardConnectFeature)[StandardConnect];
    const { accounts } = await connect.connect();
    const account = accounts.find((a) => a.chains.includes(chain)) ?? accounts[0];
    if (!account) throw new Error(`${wallet.name} gave no account`);
    const c = new Connection(wallet, account, chain);
    const events = (wallet.features as Partial<StandardEventsFeature>)[StandardEvents];
    c.#offChange = events?.on('change', ({ accounts: next }) => {
      if (!next) return;
      const same = next.find((a) => a.address === c.account.address) ?? next[0];
      if (!same) {
        c.#offChange?.();
        onChange(null);
      } else {
        c.account = same;
        onChange(c);
      }
    });
    return c;
  }

  get address(): Address {
    return this.account.address as Address;
  }

  async disconnect(): Promise<void> {
    this.#offChange?.();
    const d = (this.wallet.features as Partial<StandardDisconnectFeature>)[StandardDisconnect];
    await d?.disconnect();
  }

  /** The path this connection signs by. */
  get signs(): 'signTransaction' | 'signAndSendTransaction' {
    return SolanaSignTransaction in this.wallet.features ? 'signTransaction' : 'signAndSendTransaction';
  }

  /** Ask the wallet to sign `wire` (an unsigned transaction's bytes). */
  async signTransaction(wire: Uint8Array): Promise<Uint8Array> {
    const f = (this.wallet.features as SolanaSignTransactionFeature)[SolanaSignTransaction];
    const chain = this.account.chains.includes(this.chain) ? this.chain : undefined;
    const [out] = await f.signTransaction({ account: this.account, transaction: wire, ...(chain && { chain }) });
    return out.signedTransaction;
  }

  /** Ask the wallet to sign and send `wire`; its signature. */
  async signAndSendTransaction(wire: Uint8Array): Promise<Signature> {
    const f = (this.wallet.features as SolanaSignAndSendTransactionFeature)[SolanaSignAndSendTransaction];
    const [out] = await f.signAndSendTransaction({ account: this.account, transaction: wire, chain: this.chain });
    return getBase58Decoder().decode(out.signature) as Signature;
  }
}
