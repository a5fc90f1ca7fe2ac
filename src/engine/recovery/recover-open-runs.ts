// The sweep over open runs: schemas and routes of their namespaces loaded, paused runs'
// activities held, and every run whose last activation did not complete activated again. At
// start-up only the namespaces are loaded before the engine serves; the runs are swept in the
// background (a run touched before the sweep reaches it is rebuilt on that touch).
import type { Store } from '../../store/index.js';
import type { ActivityService } from '../activity-service/index.js';
import type { NamespacesInUse, SearchAttributeSchemas } from '../namespaces/index.js';
import type { PackageRegistry } from '../package-registry.js';
import type { RunScheduler } from '../scheduler/index.js';

export interface RecoveryDeps {
  readonly store: Store;
  readonly schemas: SearchAttributeSchemas;
  readonly namespaces: NamespacesInUse;
  readonly activities: ActivityService;
  readonly scheduler: RunScheduler;
  readonly registry: PackageRegistry;
}

const PAGE = 500;

/** A page's worth of the event loop for others between pages of a background sweep. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Search-attribute schemas (upserts validate against them) and routes (a child start or
 * continue-as-new recorded by a recovered run resolves its version from them without I/O) of
 * a namespace with open runs; its activity tasks are polled from now on.
 */
async function useNamespace(d: RecoveryDeps, namespace: string): Promise<void> {
  if (!d.schemas.has(namespace)) await d.schemas.load(namespace);
  await d.registry.loadRoutes(namespace);
  d.namespaces.use(namespace);
}

/**
 * The fixed part of start-up: every registered namespace that has an open run is put to use
 * (one read of at most one open run per namespace, whatever the number of open runs).
 */
export async function useOpenNamespaces(d: RecoveryDeps): Promise<void> {
  for (const { name } of await d.store.listNamespaces()) {
    const [first] = await d.store.listOpenRuns({ after: { namespace: name, runId: '' }, limit: 1 });
    if (first?.namespace === name) await useNamespace(d, name);
  }
}

/**
 * Recovers the open runs (of `shards` when given: a cluster node's newly held shards; else of
 * every shard this node drives). With `background`, the sweep yields the event loop between
 * pages and ends early once `stopped()`.
 */
export async function recoverOpenRuns(
  d: RecoveryDeps,
  shards?: readonly number[],
  background?: { readonly stopped: () => boolean },
): Promise<void> {
  const only = shards ?? d.scheduler.drivenShards();
  const used = new Set<string>();
  let after: { namespace: string; runId: string } | undefined;
  for (;;) {
    if (background) {
      await nextTurn();
      if (background.stopped()) return;
    }
    const page = await d.store.listOpenRuns({
      limit: PAGE,
      ...(after ? { after } : {}),
      ...(only ? { shards: only } : {}),
    });
    for (const info of page) {
      if (!used.has(info.namespace)) {
        used.add(info.namespace);
        await useNamespace(d, info.namespace);
      }
      if (info.status === 'PAUSED') d.activities.recoveredPause(info.runId);
      if (info.status !== 'RUNNING' || info.stuck) continue; // stuck runs wait for a fix
      // In the background sweep, a run this engine already holds (started since it started,
      // touched, or waiting out a task retry's backoff) is driven by it: what it must redo is
      // known to it, and a second activation from here would skip the backoff.
      if (background && d.scheduler.existing(info.namespace, info.runId) !== undefined) continue;
      const key = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
      const [last] = await d.store.readHistory(key, { fromSeq: info.headSeq });
      if (last && last.type !== 'WorkflowTaskCompleted') {
        if (background?.stopped()) return;
        const actor = d.scheduler.actor(key);
        actor.needsActivation = true;
        d.scheduler.markReady(actor);
      }
    }
    if (page.length < PAGE) break;
    const lastInfo = page[page.length - 1]!;
    after = { namespace: lastInfo.namespace, runId: lastInfo.runId };
  }
}
