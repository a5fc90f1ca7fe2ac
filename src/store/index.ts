// The store folder's door for the rest of the code base: the store contract every adapter
// implements. Adapters have their own doors (./memory, ./sqlite, ./postgres, ./conformance).
export type * from './contract/index.js';
