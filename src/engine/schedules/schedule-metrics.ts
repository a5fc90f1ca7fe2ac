// Schedule metrics: fires by outcome, how late a taken fire was (actual − nominal).
import type { ScheduleFireOutcome } from '../../store/index.js';
import type { Metrics } from '../metrics.js';

export interface ScheduleMetrics {
  fired(outcome: ScheduleFireOutcome, lagMs: number): void;
}

export function scheduleMetrics(m: Metrics): ScheduleMetrics {
  const fires = m.counter(
    'aion_schedule_fires_total',
    'Schedule fires decided, by outcome (started, skipped, buffered, missed, dropped, failed)',
    ['outcome'],
  );
  const lag = m.histogram(
    'aion_schedule_fire_lag_seconds',
    'How late a started schedule fire was: actual start minus nominal time (jitter included)',
    [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    [],
  );
  return {
    fired(outcome, lagMs) {
      fires.inc(1, { outcome });
      if (outcome === 'started') lag.observe(Math.max(0, lagMs) / 1000);
    },
  };
}
