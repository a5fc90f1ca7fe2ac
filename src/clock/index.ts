// Time and identity seams: the engine reads time, schedules callbacks and draws fresh ids only
// through these, so tests and simulations can inject deterministic ones.
export { RealClock, sleepUntil, type Clock, type TimerHandle } from './clock.js';
export { VirtualClock } from './virtual-clock.js';
export { randomIds, SeededIds, uuidV7, type IdSource } from './ids.js';
