// The hand-written layer over the generated clients (../generated/<program>): addresses, the
// market's state, simulations, errors and events. See "IDLs and the TypeScript client" in the root README.
export * from './errors';
export * from './events';
export * from './instructions';
export * from './pdas';
export * from './programs';
export * from './simulate';
export * from './state';
