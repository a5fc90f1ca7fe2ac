/**
 * Runs the hello-world workflow on the embedded SQLite store in `.aion/examples/hello-world`.
 *
 *   node --import tsx examples/hello-world/main.ts [name]
 */
import { fileURLToPath } from 'node:url';
import { createEngine } from 'aion';
import * as activities from './activities.js';

const engine = await createEngine({
  dataDir: '.aion/examples/hello-world',
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities,
  workflowLogger: (line) => console.log(`  [workflow ${line.workflowId}] ${line.message}`),
});
try {
  const name = process.argv[2] ?? 'World';
  const handle = await engine.start<string>('helloWorld', { args: [name] });
  console.log(`started helloWorld as ${handle.workflowId}`);
  console.log(`result: ${await handle.result()}`);
  console.log(`workflows stored so far: ${await engine.count({ workflowType: 'helloWorld' })}`);
} finally {
  await engine.shutdown();
}
