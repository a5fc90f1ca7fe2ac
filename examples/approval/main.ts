/**
 * Two approval requests on the embedded SQLite store in `.aion/examples/approval`: one is
 * approved by a signal, the other times out after 2 s.
 *
 *   node --import tsx examples/approval/main.ts
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createEngine } from 'aion';
import * as activities from './activities.js';
import type { Decision } from './workflows.js';

const engine = await createEngine({
  dataDir: '.aion/examples/approval',
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities,
  workflowLogger: (line) => console.log(`  [workflow ${line.workflowId}] ${line.message}`),
});
try {
  const batch = Date.now().toString(36);
  const laptop = await engine.start<Decision>('approval', {
    workflowId: `approval-${batch}-laptop`,
    args: [{ title: 'New laptop', requestedBy: 'ada@example.com', timeout: '1 minute' }],
  });
  const offsite = await engine.start<Decision>('approval', {
    workflowId: `approval-${batch}-offsite`,
    args: [{ title: 'Team offsite', requestedBy: 'grace@example.com', timeout: '2s' }],
  });
  console.log(`started ${laptop.workflowId} and ${offsite.workflowId}`);

  await delay(500);
  console.log(
    `${laptop.workflowId} decision so far: ${JSON.stringify(await laptop.query('decision'))}`,
  );
  await laptop.signal('decide', { approve: true, by: 'lin@example.com', comment: 'go ahead' });
  console.log(`sent decide(approve) to ${laptop.workflowId}`);

  console.log(`${laptop.workflowId}: ${JSON.stringify(await laptop.result())}`);
  console.log(`${offsite.workflowId}: ${JSON.stringify(await offsite.result())}`);
} finally {
  await engine.shutdown();
}
