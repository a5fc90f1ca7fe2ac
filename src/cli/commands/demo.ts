import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { stampEvent, type HistoryEvent, type RunKey } from '../../core/index.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { printResult, type CliIo } from '../output.js';

/**
 * `aion demo`: a store smoke demo on the embedded SQLite default. Each invocation records a
 * small run history, reads back everything stored by earlier invocations and shows it —
 * the data survives across processes.
 */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('record a run in the embedded SQLite store and show what earlier runs stored')
    .option('--data-dir <dir>', 'data directory', '.aion')
    .action(async (options: { dataDir: string }, command: Command) => {
      const json = command.optsWithGlobals<{ json: boolean }>().json;
      const file = path.join(options.dataDir, 'aion.db');
      const store = await openSqliteStore({ path: file });
      try {
        const now = Date.now();
        const run: RunKey = {
          namespace: 'default',
          workflowId: `demo-${now}`,
          runId: randomUUID(),
        };
        const events: HistoryEvent[] = [
          stampEvent(
            {
              type: 'WorkflowStarted',
              workflowType: 'demo',
              taskQueue: 'default',
              args: [],
              version: 'demo',
            },
            1,
            now,
          ),
          stampEvent({ type: 'WorkflowTaskCompleted' }, 2, now),
          stampEvent(
            { type: 'WorkflowCompleted', result: { encoding: 'json/plain', data: '"ok"' } },
            3,
            now,
          ),
        ];
        await store.append(run, events, 0);
        const total = await store.countRuns('default');
        const page = await store.listRuns({ namespace: 'default', pageSize: 5 });
        const history = await store.readHistory(run);
        printResult(
          io,
          json,
          {
            store: file,
            recorded: run,
            events: history.length,
            totalRuns: total,
            recent: page.items,
          },
          () =>
            [
              `store: ${file}`,
              `recorded run ${run.workflowId} (${history.length} events: ${history.map((e) => e.type).join(' → ')})`,
              `runs stored so far: ${total} (run this again: the count grows — the data is durable)`,
              ...page.items.map(
                (r) => `  ${new Date(r.startTime).toISOString()}  ${r.workflowId}  ${r.status}`,
              ),
            ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
