// The hand-written layer over the generated clients (../generated/<program>): addresses, the
// market's state, simulations, quotes, transactions, errors, events, history, token metadata and
// a wallet's holdings. See "IDLs and the TypeScript client" in the root README.
export * from './errors';
export * from './events';
export * from './history';
export * from './instructions';
export * from './metadata';
export * from './pdas';
export * from './programs';
export * from './quotes';
export * from './simulate';
export * from './state';
export * from './tx';
export * from './wallet-state';
