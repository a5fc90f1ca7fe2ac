// Package deploys: deploy, route (rollback or roll-forward), unload, list versions, and the
// re-pin of stuck runs onto a newly routed version whose replay of their history succeeds.
import type { Clock } from '../../clock/index.js';
import type { Store, VisibilityExpr } from '../../store/index.js';
import type { RetryService } from '../control/index.js';
import type { Lifecycle } from '../lifecycle.js';
import type { PackageRegistry } from '../package-registry.js';
import type { EngineLogger, RunScheduler } from '../scheduler/index.js';
import { replayCheck, type DeployCheckResult } from './replay-check.js';

/** A deployed package version, as `versions()` lists it. */
export interface VersionInfo {
  version: string;
  name: string;
  deployedAt: Date;
  size: number;
  routedTypes: string[];
  openRuns: number;
}

export interface DeployResult {
  version: string;
  freshlyLoaded: boolean;
  routeChanged: boolean;
}

export interface DeployServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: EngineLogger;
  readonly registry: PackageRegistry;
  readonly scheduler: RunScheduler;
  readonly retry: RetryService;
}

export class DeployService {
  readonly #d: DeployServiceDeps;

  constructor(deps: DeployServiceDeps) {
    this.#d = deps;
  }

  /** Validates, persists and routes a package archive (idempotent per version). */
  async deploy(ns: string, archive: Uint8Array): Promise<DeployResult> {
    this.#d.lifecycle.check();
    const result = await this.#d.registry.deployArchive(ns, archive, this.#d.clock.now());
    await this.#repinStuck(ns, result.workflowTypes, result.version);
    return {
      version: result.version,
      freshlyLoaded: result.freshlyLoaded,
      routeChanged: result.routeChanged,
    };
  }

  /**
   * Replays up to `sample` open runs (newest first) of the types the archive exports against
   * it, without storing, routing or loading it where runs execute (see replay-check.ts).
   */
  async checkDeploy(
    ns: string,
    archive: Uint8Array,
    options: { readonly sample?: number } = {},
  ): Promise<DeployCheckResult> {
    this.#d.lifecycle.check();
    return replayCheck(this.#d, ns, archive, options.sample);
  }

  /** Builds and deploys a workflow module from source (the engine's `workflowsPath`). */
  async deployFromPath(ns: string, workflowsPath: string): Promise<void> {
    const built = await this.#d.registry.deployFromPath(ns, workflowsPath, this.#d.clock.now());
    await this.#repinStuck(
      ns,
      built.manifest.workflowTypes.map((t) => t.name),
      built.version,
    );
  }

  async route(ns: string, workflowType: string, version: string): Promise<void> {
    this.#d.lifecycle.check();
    await this.#d.registry.setRoute(ns, workflowType, version, this.#d.clock.now());
    await this.#repinStuck(ns, [workflowType], version);
  }

  async unload(ns: string, version: string): Promise<void> {
    this.#d.lifecycle.check();
    await this.#d.registry.unload(ns, version);
  }

  async versions(ns: string): Promise<VersionInfo[]> {
    const store = this.#d.store;
    const [packages, routes] = await Promise.all([store.listPackages(ns), store.listRoutes(ns)]);
    return Promise.all(
      packages.map(async (p) => ({
        version: p.version,
        name: (JSON.parse(p.manifest) as { name?: string }).name ?? '',
        deployedAt: new Date(p.deployedAt),
        size: p.size,
        routedTypes: routes.filter((r) => r.version === p.version).map((r) => r.workflowType),
        openRuns: await store.countRuns(ns, {
          op: 'and',
          args: [
            { op: 'cmp', field: { kind: 'builtin', name: 'Version' }, cmp: '=', value: p.version },
            {
              op: 'in',
              field: { kind: 'builtin', name: 'ExecutionStatus' },
              values: ['RUNNING', 'PAUSED'],
            },
          ],
        }),
      })),
    );
  }

  /**
   * A new version of these types is routed: every stuck run of them whose history replays on
   * it without divergence is re-pinned to it and resumed; the others stay parked, with the
   * divergence as their reason.
   */
  async #repinStuck(ns: string, types: readonly string[], version: string): Promise<void> {
    if (types.length === 0) return;
    const where: VisibilityExpr = {
      op: 'and',
      args: [
        { op: 'cmp', field: { kind: 'builtin', name: 'Stuck' }, cmp: '=', value: true },
        { op: 'in', field: { kind: 'builtin', name: 'WorkflowType' }, values: [...types] },
      ],
    };
    let cursor: string | undefined;
    do {
      const page = await this.#d.store.listRuns({
        namespace: ns,
        where,
        pageSize: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const info of page.items) {
        if (info.version === version) {
          // Parked because its own version was missing, which is now deployed again: resume.
          if (info.stuck?.reason.includes('[package_version_missing]')) {
            this.#d.scheduler.unpark(this.#d.scheduler.actor(info));
          }
          continue;
        }
        await this.#d.retry
          .retry(ns, info.workflowId, { runId: info.runId, version })
          .catch((err: unknown) => {
            this.#d.logger.warn('stuck run does not replay on the new version; it stays parked', {
              workflowId: info.workflowId,
              runId: info.runId,
              error: String(err),
            });
          });
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
}
