export { RealClock, sleepUntil, type Clock, type TimerHandle } from './clock.js';
export { VirtualClock } from './virtual-clock.js';
