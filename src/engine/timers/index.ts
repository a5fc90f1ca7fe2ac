// Durable timers as the engine reads them when they fire: routed to the run they belong to.
export { TimerRouter } from './timer-router.js';
