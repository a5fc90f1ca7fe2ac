import { log, proxyActivities } from 'aion/workflow';
// Type-only import: activity code never enters the workflow bundle.
import type * as activities from './activities.js';

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

/** Greets someone through an activity; the activity's result is recorded in history. */
export async function helloWorld(name: string): Promise<string> {
  log.info(`greeting ${name}`);
  return await greet(name);
}
