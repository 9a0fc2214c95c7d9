// A Wallet Standard wallet that signs with an ed25519 keypair held in the page (WebCrypto): the
// browser tests' wallet, and the app's opt-in "burner" wallet for a local node (`?burner`). It
// talks to apps only through the Wallet Standard protocol (`registerWallet`: the
// `wallet-standard:register-wallet` / `wallet-standard:app-ready` events), exactly as a browser
// extension's injected wallet does, and implements `standard:connect`, `standard:disconnect`,
// `standard:events`, `solana:signTransaction`, `solana:signAndSendTransaction` and
// `solana:signMessage`. Signatures are real (WebCrypto Ed25519 through @solana/kit).
import {
  createKeyPairFromBytes,
  getAddressFromPublicKey,
  getBase58Encoder,
  getBase64Decoder,
  getTransactionDecoder,
  getTransactionEncoder,
  partiallySignTransaction,
  signBytes,
  type Address,
} from '@solana/kit';
import {
  SolanaSignAndSendTransaction,
  SolanaSignMessage,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignAndSendTransactionInput,
  type SolanaSignAndSendTransactionOutput,
  type SolanaSignMessageFeature,
  type SolanaSignMessageInput,
  type SolanaSignMessageOutput,
  type SolanaSignTransactionFeature,
  type SolanaSignTransactionInput,
  type SolanaSignTransactionOutput,
} from '@solana/wallet-standard-features';
import { SOLANA_LOCALNET_CHAIN } from '@solana/wallet-standard-chains';
import type { IdentifierString, Wallet, WalletAccount, WalletIcon } from '@wallet-standard/base';
import {
  StandardConnect,
  StandardDisconnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardDisconnectFeature,
  type StandardEventsFeature,
  type StandardEventsListeners,
  type StandardEventsNames,
} from '@wallet-standard/features';
import { ReadonlyWalletAccount, registerWallet } from '@wallet-standard/wallet';

export interface LocalKeypairWalletOptions {
  /** 64 bytes: the ed25519 seed followed by the public key (the Solana CLI's keypair file). */
  secretKey: Uint8Array;
  name?: string;
  /** Wallet Standard chains, e.g. `['solana:localnet']`. */
  chains?: IdentifierString[];
  /** Where `solana:signAndSendTransaction` sends (a wallet's own RPC endpoint). */
  rpcUrl?: string;
  /** Asked before every signature, as a wallet's pop-up would; `false` rejects. Default: approve. */
  approve?: (request: SigningRequest) => boolean | Promise<boolean>;
  /** Offer only `solana:signAndSendTransaction` (as some wallets do), not `solana:signTransaction`. */
  signAndSendOnly?: boolean;
}

export interface SigningRequest {
  feature: typeof SolanaSignTransaction | typeof SolanaSignAndSendTransaction | typeof SolanaSignMessage;
  /** Base64 of what is to be signed (the wire transaction or the message). */
  payload: string;
  chain: IdentifierString | undefined;
}

const ICON: WalletIcon = `data:image/svg+xml;base64,${btoa(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#263238"/><path d="M9 12h14v11H9z" fill="none" stroke="#ffca28" stroke-width="2.2"/><path d="M12 12V9.5a4 4 0 0 1 8 0V12" fill="none" stroke="#ffca28" stroke-width="2.2"/></svg>',
)}`;

type Features = StandardConnectFeature &
  StandardDisconnectFeature &
  StandardEventsFeature &
  SolanaSignTransactionFeature &
  SolanaSignAndSendTransactionFeature &
  SolanaSignMessageFeature;

export class LocalKeypairWallet implements Wallet {
  readonly version = '1.0.0' as const;
  readonly name: string;
  readonly icon = ICON;
  readonly chains: IdentifierString[];
  /** Every signing request the wallet was asked, approved or not (for tests and the UI). */
  readonly requests: SigningRequest[] = [];
  #account: WalletAccount | null = null;
  #connected = false;
  #listeners: Array<StandardEventsListeners['change']> = [];

  private constructor(
    private readonly keyPair: CryptoKeyPair,
    readonly address: Address,
    private readonly publicKey: Uint8Array,
    private readonly options: LocalKeypairWalletOptions,
  ) {
    this.name = options.name ?? 'Local keypair';
    this.chains = options.chains ?? [SOLANA_LOCALNET_CHAIN];
  }

  static async create(options: LocalKeypairWalletOptions): Promise<LocalKeypairWallet> {
    if (options.secretKey.length !== 64) throw new Error('secretKey: 64 bytes expected');
    // Imports the seed as a non-extractable WebCrypto key and checks it gives this public key.
    const keyPair = await createKeyPairFromBytes(options.secretKey);
    const address = await getAddressFromPublicKey(keyPair.publicKey);
    return new LocalKeypairWallet(keyPair, address, options.secretKey.slice(32), options);
  }

  get accounts(): readonly WalletAccount[] {
    return this.#connected && this.#account ? [this.#account] : [];
  }

  get features(): Features {
    const all: Features = {
      [StandardConnect]: { version: '1.0.0', connect: async () => this.#connect() },
      [StandardDisconnect]: { version: '1.0.0', disconnect: async () => this.#disconnect() },
      [StandardEvents]: { version: '1.0.0', on: (event, listener) => this.#on(event, listener) },
      [SolanaSignTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: (...inputs) => this.#signTransactions(inputs),
      },
      [SolanaSignAndSendTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signAndSendTransaction: (...inputs) => this.#signAndSend(inputs),
      },
      [SolanaSignMessage]: { version: '1.0.0', signMessage: (...inputs) => this.#signMessages(inputs) },
    };
    if (this.options.signAndSendOnly) {
      const { [SolanaSignTransaction]: _, ...rest } = all;
      return rest as Features;
    }
    return all;
  }

  #connect() {
    if (!this.#account) {
      this.#account = new ReadonlyWalletAccount({
        address: this.address,
        publicKey: this.publicKey,
        chains: this.chains,
        features: this.options.signAndSendOnly
          ? [SolanaSignAndSendTransaction, SolanaSignMessage]
          : [SolanaSignTransaction, SolanaSignAndSendTransaction, SolanaSignMessage],
        label: this.name,
        icon: this.icon,
      });
    }
    if (!this.#connected) {
      this.#connected = true;
      this.#emit('change', { accounts: this.accounts });
    }
    return { accounts: this.accounts };
  }

  #disconnect() {
    if (this.#connected) {
      this.#connected = false;
      this.#emit('change', { accounts: this.accounts });
    }
  }

  // 'change' is the only Standard event.
  #on<E extends StandardEventsNames>(_event: E, listener: StandardEventsListeners[E]): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  #emit(_event: 'change', properties: Parameters<StandardEventsListeners['change']>[0]) {
    for (const l of [...this.#listeners]) l(properties);
  }

  #checkAccount(account: WalletAccount) {
    if (!this.#connected || account.address !== this.address) throw new Error(`${this.name}: account ${account.address} is not connected`);
  }

  async #ask(request: SigningRequest) {
    this.requests.push(request);
    if (!(await (this.options.approve?.(request) ?? true))) throw new Error(`${this.name}: the user rejected the request`);
  }

  async #signTransactions(inputs: readonly SolanaSignTransactionInput[]): Promise<SolanaSignTransactionOutput[]> {
    const out: SolanaSignTransactionOutput[] = [];
    for (const input of inputs) out.push({ signedTransaction: await this.#sign(input, SolanaSignTransaction) });
    return out;
  }

  async #sign(input: SolanaSignTransactionInput, feature: SigningRequest['feature']): Promise<Uint8Array> {
    this.#checkAccount(input.account);
    if (input.chain && !this.chains.includes(input.chain)) throw new Error(`${this.name}: chain ${input.chain} not supported`);
    const tx = getTransactionDecoder().decode(input.transaction);
    if (!(this.address in tx.signatures)) throw new Error(`${this.name}: the transaction does not need ${this.address}'s signature`);
    await this.#ask({ feature, payload: getBase64Decoder().decode(input.transaction), chain: input.chain });
    const signed = await partiallySignTransaction([this.keyPair], tx);
    return new Uint8Array(getTransactionEncoder().encode(signed));
  }

  async #signAndSend(inputs: readonly SolanaSignAndSendTransactionInput[]): Promise<SolanaSignAndSendTransactionOutput[]> {
    const url = this.options.rpcUrl;
    if (!url) throw new Error(`${this.name}: no RPC endpoint configured for signAndSendTransaction`);
    const out: SolanaSignAndSendTransactionOutput[] = [];
    for (const input of inputs) {
      const signedTransaction = await this.#sign(input, SolanaSignAndSendTransaction);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'sendTransaction',
          params: [getBase64Decoder().decode(signedTransaction), { encoding: 'base64', skipPreflight: input.options?.skipPreflight ?? false }],
        }),
      });
      const json = (await res.json()) as { result?: string; error?: { message: string } };
      if (!json.result) throw new Error(`${this.name}: sendTransaction: ${json.error?.message ?? 'no result'}`);
      out.push({ signature: new Uint8Array(getBase58Encoder().encode(json.result)) });
    }
    return out;
  }

  async #signMessages(inputs: readonly SolanaSignMessageInput[]): Promise<SolanaSignMessageOutput[]> {
    const out: SolanaSignMessageOutput[] = [];
    for (const input of inputs) {
      this.#checkAccount(input.account);
      await this.#ask({ feature: SolanaSignMessage, payload: getBase64Decoder().decode(input.message), chain: undefined });
      const signature = await signBytes(this.keyPair.privateKey, input.message);
      out.push({ signedMessage: input.message, signature: new Uint8Array(signature) });
    }
    return out;
  }
}

/** Create the wallet and announce it to the page's apps (`registerWallet`). */
export async function registerLocalKeypairWallet(options: LocalKeypairWalletOptions): Promise<LocalKeypairWallet> {
  const wallet = await LocalKeypairWallet.create(options);
  registerWallet(wallet);
  return wallet;
}
