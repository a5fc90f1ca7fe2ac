// Schedules in the engine: the service that creates and changes them, the runner that fires
// them (one transaction per fire, with the run it starts), and the reads. ADR 0012.
export { ScheduleService, type ScheduleServiceDeps } from './schedule-service.js';
export { ScheduleRunner, type ScheduleRunnerDeps } from './schedule-runner.js';
export { ScheduleReads, type ScheduleReadDeps } from './schedule-reads.js';
export { scheduleMetrics, type ScheduleMetrics } from './schedule-metrics.js';
