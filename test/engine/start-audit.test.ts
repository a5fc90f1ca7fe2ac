// The internal START_AUDIT start option: the engine writes the given audit entry with the
// run's start commit and marks it carried, through the client interceptors too; a start that
// creates no run leaves it uncarried and writes nothing. The option is neither user input
// (the option checks pass) nor recorded with the run.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  createMemoryStore,
  type Engine,
  type WorkflowClientInterceptor,
} from '../../src/index.js';
import { withStartAudit, type StartAudit } from '../../src/engine/index.js';
import type { AuditEntry } from '../../src/store/index.js';
import { codeOf } from '../support/errors.js';

const workflowsPath = new URL('./fixtures/headers-workflows.ts', import.meta.url).pathname;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.shutdown({ timeoutMs: 500 });
});

async function engineWith(client: WorkflowClientInterceptor[] = []): Promise<Engine> {
  const e = await createEngine({
    store: createMemoryStore(),
    workflowsPath,
    logger: quiet,
    interceptors: { client },
  });
  engines.push(e);
  return e;
}

/** A carrier whose entries name the subject `who` and record the workflow ids asked for. */
function carrier(who: string): StartAudit & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    carried: false,
    entry: (workflowId): AuditEntry => {
      asked.push(workflowId);
      return {
        time: 1_700_000_000_000,
        subject: who,
        action: 'workflow.start',
        namespace: 'default',
        target: workflowId,
        outcome: 'ok',
        code: null,
        count: 1,
      };
    },
  };
}

async function trail(e: Engine): Promise<[string, string | null][]> {
  return (await e.store.readAudit({ limit: 100 })).map((a) => [a.subject, a.target]);
}

describe('START_AUDIT: a start carries its audit entry into the run commit', () => {
  it('writes the entry with the start (generated workflow id included) and marks it carried', async () => {
    const e = await engineWith();
    const scope = e.inNamespace('default');
    const audit = carrier('alice');
    const handle = await scope.start('waitForSignal', withStartAudit({}, audit));
    expect(audit.carried).toBe(true);
    expect(audit.asked).toEqual([handle.workflowId]);
    expect(await trail(e)).toEqual([['alice', handle.workflowId]]);
    // Nothing of it is recorded with the run.
    const run = { namespace: 'default', workflowId: handle.workflowId, runId: handle.runId! };
    const history = JSON.stringify(await e.store.readHistory(run));
    expect(history).toContain('WorkflowStarted');
    expect(history).not.toContain('alice');
  });

  it('survives client interceptors that rebuild the options', async () => {
    const e = await engineWith([
      { start: (input, next) => next({ ...input, options: { ...input.options } }) },
    ]);
    const audit = carrier('bob');
    const handle = await e
      .inNamespace('default')
      .start('waitForSignal', withStartAudit({ workflowId: 'via-interceptor' }, audit));
    expect(audit.carried).toBe(true);
    expect(await trail(e)).toEqual([['bob', handle.workflowId]]);
  });

  it('a start that creates no run leaves it uncarried and writes nothing', async () => {
    const e = await engineWith();
    const scope = e.inNamespace('default');
    const first = carrier('first');
    await scope.start('waitForSignal', withStartAudit({ workflowId: 'w', requestId: 'r1' }, first));
    expect(first.carried).toBe(true);

    const existing = carrier('existing');
    await scope.start(
      'waitForSignal',
      withStartAudit({ workflowId: 'w', workflowIdConflictPolicy: 'USE_EXISTING' }, existing),
    );
    const retried = carrier('retried');
    await scope.start(
      'waitForSignal',
      withStartAudit({ workflowId: 'w', requestId: 'r1' }, retried),
    );
    const refused = carrier('refused');
    expect(
      await codeOf(() =>
        scope.start('waitForSignal', withStartAudit({ workflowId: 'w' }, refused)),
      ),
    ).toBe('workflow_already_started');

    for (const audit of [existing, retried]) {
      expect(audit.carried).toBe(false);
      expect(audit.asked).toEqual([]);
    }
    // The refused start went to its commit without reading the id's run first (ADR 0022):
    // its entry went with a commit the store refused, so it is not carried, and not written.
    expect(refused.carried).toBe(false);
    expect(await trail(e)).toEqual([['first', 'w']]);
  });
});
