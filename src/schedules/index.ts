// Schedules: when a schedule fires (the spec engine). Not exported from the public entry points
// yet; docs/adr/0012-schedules.md describes the whole feature.
export * from './spec/index.js';
