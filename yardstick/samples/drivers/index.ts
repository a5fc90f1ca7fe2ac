// The counted samples, in the order they run.
import type { Sample } from '../types.js';
import { activitySamples } from './activities.js';
import { appSamples } from './apps.js';
import { basicSamples } from './basics.js';
import { messageSamples } from './messages.js';
import { timerSamples } from './timers.js';
import { workerSamples } from './workers.js';

/** The 35 samples of temporalio/samples-typescript the yardstick counts, with their drivers. */
export function allSamples(): Sample[] {
  return [
    ...basicSamples(),
    ...messageSamples(),
    ...timerSamples(),
    ...activitySamples(),
    ...workerSamples(),
    ...appSamples(),
  ];
}
