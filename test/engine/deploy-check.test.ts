// A deploy loads the package in an isolated short-lived thread and checks its manifest before
// anything is stored: a package whose load loops or runs out of memory, or whose manifest
// lists other types than the bundle exports, is refused with `package_invalid`, stores
// nothing, and freezes no other workflow.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { doctoredArchive } from '../support/doctored-packages.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { quiet } from '../support/quiet-logger.js';

const STEADY = `import { sleep } from 'aion/workflow';
export async function steady(n: number): Promise<number> {
  for (let i = 0; i < n; i++) await sleep(20);
  return n;
}
`;
const LOOP = '(() => { for (;;) {} })()';
const ALLOCATE =
  '(() => { const all = []; for (;;) all.push(new Array(1048576).fill(all.length)); })()';

const engines = engineOnFileEachTest('aion-deploy-check-');

async function open(): Promise<Engine> {
  writeFileSync(path.join(engines.dir, 'steady.ts'), STEADY);
  return engines.open({
    workflowsPath: path.join(engines.dir, 'steady.ts'),
    logger: quiet,
    workflowHeapLimitMb: 96,
  });
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; details: unknown }> {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code: string; details: unknown } | undefined;
  if (!err) throw new Error('the deploy was accepted');
  return err;
}

/** The versions stored in the namespace (the steady package only, when nothing was added). */
async function storedVersions(e: Engine): Promise<number> {
  return (await e.versions()).length;
}

describe('deploy checks', () => {
  it('refuses a package whose load loops, storing nothing, while other workflows run on', async () => {
    const e = await open();
    const before = await storedVersions(e);
    const { archive } = await doctoredArchive(engines.dir, 'loops', {
      code: LOOP,
      where: 'bundle',
    });
    let deployEnded = false;
    const deploy = refusal(e.deploy(archive)).finally(() => {
      deployEnded = true;
    });
    // The engine's workflows are not frozen while the package is being tried.
    expect(await e.execute('steady', { workflowId: 'during', args: [20] })).toBe(20);
    expect(deployEnded).toBe(false);
    const err = await deploy;
    expect(err.code).toBe('package_invalid');
    expect(err.details).toMatchObject({ rule: 'load_timeout' });
    expect(await storedVersions(e)).toBe(before);
    await expect(e.start('loops', { workflowId: 'loops' })).rejects.toMatchObject({
      code: 'unknown_workflow_type',
    });
    expect(await e.execute('steady', { workflowId: 'after', args: [2] })).toBe(2);
  });

  it('refuses a package whose load runs out of memory, storing nothing', async () => {
    const e = await open();
    const before = await storedVersions(e);
    const { archive } = await doctoredArchive(engines.dir, 'allocates', { code: ALLOCATE });
    const err = await refusal(e.deploy(archive));
    expect(err.code).toBe('package_invalid');
    expect(err.details).toMatchObject({ rule: 'load_memory' });
    expect(await storedVersions(e)).toBe(before);
    expect(await e.execute('steady', { workflowId: 'after', args: [2] })).toBe(2);
  });

  it('refuses manifests whose types differ from the exported workflow functions', async () => {
    const e = await open();
    const before = await storedVersions(e);
    const cases = [
      { add: 'ghostType', rule: 'workflow_types' },
      { add: '__proto__', rule: 'workflow_type_name' },
      { add: 'constructor', rule: 'workflow_type_name' },
      { add: 'workflowDefaults', rule: 'workflow_type_name' },
    ];
    for (const { add, rule } of cases) {
      const { archive } = await doctoredArchive(engines.dir, 'real', {
        workflowTypes: (types) => [...types, { name: add, entry: add }],
      });
      const err = await refusal(e.deploy(archive));
      expect(err.code, add).toBe('package_invalid');
      expect(err.details, add).toMatchObject({ rule });
      await expect(e.start(add, { workflowId: `start-${add}` }), add).rejects.toMatchObject({
        code: 'unknown_workflow_type',
      });
    }
    // A manifest that leaves out an exported workflow function is refused too.
    const { archive: missing } = await doctoredArchive(engines.dir, 'real', {
      workflowTypes: () => [{ name: 'other', entry: 'other' }],
    });
    expect(await refusal(e.deploy(missing))).toMatchObject({
      code: 'package_invalid',
      details: { rule: 'workflow_types', missing: ['other'], unlisted: ['real'] },
    });
    expect(await storedVersions(e)).toBe(before);
    // The untouched package deploys and runs.
    const { archive } = await doctoredArchive(engines.dir, 'real');
    await e.deploy(archive);
    expect(await e.execute('real', { workflowId: 'real' })).toBe('AION_TEST_TOP_LEVEL');
  });
});
