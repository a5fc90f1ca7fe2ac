// Messages to running workflows: signals, queries and updates, each validated at the edge
// and handed straight to the scheduler.
export { SignalService } from './signals.js';
export { QueryService } from './queries.js';
export { UpdateService, type StartedUpdate, type UpdateCallOptions } from './updates.js';
export { MAX_TIME_TRAVEL_QUERIES, TimeTravelService } from './time-travel.js';
