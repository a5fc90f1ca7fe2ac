import { log, proxyActivities, sleep, workflowInfo, type Duration } from 'aion/workflow';
import type * as activities from './activities.js';

const { sendReminder } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface ReminderResult {
  readonly sentAt: string;
  readonly sleptMs: number;
}

/**
 * Sleeps for `delay` (for example '30 days') and then sends a reminder. The sleep is a timer
 * stored with the run: while it waits the run costs a few rows in the store and no memory,
 * and it fires even if the process was down at the due time.
 */
export async function reminder(
  to: string,
  subject: string,
  delay: Duration,
): Promise<ReminderResult> {
  const started = Date.now(); // workflow time: deterministic, the same on replay
  log.info(`sleeping ${String(delay)} before reminding ${to}`);
  await sleep(delay);
  await sendReminder(to, subject, workflowInfo().workflowId);
  return { sentAt: new Date().toISOString(), sleptMs: Date.now() - started };
}
