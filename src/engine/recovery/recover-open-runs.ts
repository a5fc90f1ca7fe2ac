// The startup sweep over open runs: schemas and routes of their namespaces loaded, paused runs' activities
// held, and every run whose last activation did not complete activated again.
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

/**
 * Recovers the open runs (of `shards` when given: a cluster node's newly held shards; else of
 * every shard this node drives).
 */
export async function recoverOpenRuns(d: RecoveryDeps, shards?: readonly number[]): Promise<void> {
  const only = shards ?? d.scheduler.drivenShards();
  let after: { namespace: string; runId: string } | undefined;
  for (;;) {
    const page = await d.store.listOpenRuns({
      limit: 500,
      ...(after ? { after } : {}),
      ...(only ? { shards: only } : {}),
    });
    for (const info of page) {
      // Search-attribute schemas of every namespace with open runs (upserts validate against them).
      if (!d.schemas.has(info.namespace)) await d.schemas.load(info.namespace);
      // … and their routes: a child start or continue-as-new recorded by a recovered run
      // resolves its version from them without I/O (an engine started without a deploy).
      await d.registry.loadRoutes(info.namespace);
      d.namespaces.use(info.namespace);
      if (info.status === 'PAUSED') d.activities.setPaused(info.runId, true);
      if (info.status !== 'RUNNING' || info.stuck) continue; // stuck runs wait for a fix
      const key = { namespace: info.namespace, workflowId: info.workflowId, runId: info.runId };
      const [last] = await d.store.readHistory(key, { fromSeq: info.headSeq });
      if (last && last.type !== 'WorkflowTaskCompleted') {
        const actor = d.scheduler.actor(key);
        actor.needsActivation = true;
        d.scheduler.markReady(actor);
      }
    }
    if (page.length < 500) break;
    const lastInfo = page[page.length - 1]!;
    after = { namespace: lastInfo.namespace, runId: lastInfo.runId };
  }
}
