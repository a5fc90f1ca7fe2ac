/**
 * A deliberately non-deterministic edit of `sequential` from `workflows.ts`: a timer now sits
 * between the reservation and the charge. Replaying `sequential-activities.json` against
 * this file must fail with `nondeterminism` — the proof that the golden suite can fail.
 */
import { proxyActivities, sleep } from 'aion/workflow';
import type { ReplayActs } from './workflows.js';

const acts = proxyActivities<ReplayActs>({ startToCloseTimeout: '1 minute' });

export async function sequential(orderId: string): Promise<string[]> {
  const reserved = await acts.step(`reserve ${orderId}`);
  await sleep('1s'); // the change: history has the `charge` activity here
  const charged = await acts.step(`charge ${orderId}`);
  const shipped = await acts.step(`ship ${orderId}`);
  return [reserved, charged, shipped];
}
