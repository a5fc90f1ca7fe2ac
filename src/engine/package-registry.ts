import { AionError } from '../core/index.js';
import {
  buildPackage,
  checkDeploy,
  readArchive,
  type BuiltPackage,
  type LoadedPackage,
  type PackageManifest,
} from '../package/index.js';
import type { WorkflowTypeDefaults } from '../package/index.js';
import type { WorkflowThread } from '../runtime/index.js';
import type { Store } from '../store/index.js';

/**
 * Routes (workflow type → package version) and the packages loaded in the workflow thread.
 * A version is a content hash, so it is shared by every namespace that deployed those bytes.
 */
/** The export name of a workflow that handles the types no package exports. */
const DEFAULT_WORKFLOW = 'default';

export class PackageRegistry {
  readonly #store: Store;
  readonly #thread: WorkflowThread;
  readonly #loading = new Map<string, Promise<void>>();
  readonly #routes = new Map<string, string>();
  readonly #loadedNamespaces = new Set<string>();
  /** Manifests of loaded versions (per-type default timeouts). */
  readonly #manifests = new Map<string, PackageManifest>();
  /** Versions in-flight starts are about to record (count per version). */
  readonly #holds = new Map<string, number>();

  readonly #check: { readonly deadlockTimeoutMs: number; readonly inline: boolean };

  /** `check`: how deploys load a package in isolation before storing it. */
  constructor(
    store: Store,
    thread: WorkflowThread,
    check: { readonly deadlockTimeoutMs: number; readonly inline: boolean } = {
      deadlockTimeoutMs: 2000,
      inline: false,
    },
  ) {
    this.#store = store;
    this.#thread = thread;
    this.#check = check;
  }

  async #ensureRoutes(namespace: string): Promise<void> {
    if (this.#loadedNamespaces.has(namespace)) return;
    await this.#readRoutes(namespace);
    this.#loadedNamespaces.add(namespace);
  }

  async #readRoutes(namespace: string): Promise<void> {
    const routes = await this.#store.listRoutes(namespace);
    for (const k of [...this.#routes.keys()])
      if (k.startsWith(`${namespace}\u0000`)) this.#routes.delete(k);
    for (const r of routes) this.#routes.set(`${namespace}\u0000${r.workflowType}`, r.version);
  }

  /**
   * Cluster mode: other nodes deploy and route too. The routes of every namespace read so far
   * are read again every `everyMs`, so a deploy on any node is seen here within that bound.
   */
  refreshRoutesEvery(everyMs: number): () => void {
    const timer = setInterval(() => {
      for (const ns of this.#loadedNamespaces) void this.#readRoutes(ns).catch(() => undefined);
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Loads the routes of `namespace` once (what `cachedRoute` answers from). */
  loadRoutes(namespace: string): Promise<void> {
    return this.#ensureRoutes(namespace);
  }

  /** The version a new run of `workflowType` starts on; throws unknown_workflow_type. */
  async routeFor(namespace: string, workflowType: string): Promise<string> {
    await this.#ensureRoutes(namespace);
    const version = this.cachedRoute(namespace, workflowType);
    if (version === undefined) {
      const known = [...this.#routes.keys()]
        .filter((k) => k.startsWith(`${namespace}\u0000`))
        .map((k) => k.split('\u0000')[1]);
      throw new AionError(
        'unknown_workflow_type',
        `no deployed package exports workflow type ${JSON.stringify(workflowType)} in namespace ${JSON.stringify(namespace)}${known.length > 0 ? `; known types: ${known.join(', ')}` : '; deploy a package (workflowsPath) first'}`,
        { namespace, workflowType },
      );
    }
    return version;
  }

  /** Default timeouts a loaded package declares for a workflow type. */
  defaultsFor(version: string, workflowType: string): WorkflowTypeDefaults | undefined {
    return this.#manifests.get(version)?.workflowTypes.find((t) => t.name === workflowType)
      ?.defaults;
  }

  /** The routed version of a type if routes of the namespace are loaded (no I/O). */
  cachedRoute(namespace: string, workflowType: string): string | undefined {
    return (
      this.#routes.get(`${namespace}\u0000${workflowType}`) ??
      // A package exporting a `default` workflow runs the types no package exports.
      this.#routes.get(`${namespace}\u0000${DEFAULT_WORKFLOW}`)
    );
  }

  /** Builds `workflowsPath`, persists the package and routes its types to it (development behaviour). */
  async deployFromPath(
    namespace: string,
    workflowsPath: string,
    now: number,
  ): Promise<BuiltPackage> {
    const built = await buildPackage({ workflowsPath });
    await this.deployBuilt(namespace, built, now);
    return built;
  }

  async deployBuilt(
    namespace: string,
    built: Pick<BuiltPackage, 'manifest' | 'version' | 'bundle' | 'archive'>,
    now: number,
  ): Promise<{ freshlyLoaded: boolean; routeChanged: boolean; workflowTypes: string[] }> {
    await this.#ensureRoutes(namespace);
    const types = built.manifest.workflowTypes.map((t) => t.name);
    const routeChanged = types.some(
      (t) => this.#routes.get(`${namespace}\u0000${t}`) !== built.version,
    );
    // Loaded before it is stored: a bundle the workflow thread cannot load stores nothing.
    await this.#thread.loadPackage(built.version, built.bundle);
    const { inserted } = await this.#store.putPackage(
      {
        namespace,
        version: built.version,
        archive: built.archive,
        manifest: JSON.stringify(built.manifest),
        deployedAt: now,
      },
      types,
    );
    this.#manifests.set(built.version, built.manifest);
    for (const t of types) this.#routes.set(`${namespace}\u0000${t}`, built.version);
    return { freshlyLoaded: inserted, routeChanged, workflowTypes: types };
  }

  /**
   * Deploys a package archive, validated before anything is stored: format, integrity, size
   * and inflate limits; workflow type names; a load in an isolated short-lived thread within
   * the load time limit and heap cap; manifest types equal to the bundle's exports.
   */
  async deployArchive(
    namespace: string,
    archive: Uint8Array,
    now: number,
  ): Promise<{
    version: string;
    freshlyLoaded: boolean;
    routeChanged: boolean;
    workflowTypes: string[];
  }> {
    const loaded = await this.validateArchive(archive);
    const r = await this.deployBuilt(namespace, { ...loaded, archive }, now);
    return { version: loaded.version, ...r };
  }

  /** Reads and validates a package archive as a deploy does (see deployArchive); stores nothing. */
  async validateArchive(archive: Uint8Array): Promise<LoadedPackage> {
    const loaded = readArchive(archive);
    await checkDeploy(loaded, this.isolation);
    return loaded;
  }

  /** The limits a thread of its own runs a package under: those of the workflow thread. */
  get isolation(): { deadlockTimeoutMs: number; inline: boolean; heapLimitMb: number } {
    return { ...this.#check, heapLimitMb: this.#thread.heapLimitMb };
  }

  /** Points a workflow type at a deployed version (rollback or roll-forward). */
  async setRoute(
    namespace: string,
    workflowType: string,
    version: string,
    now: number,
  ): Promise<void> {
    await this.#ensureRoutes(namespace);
    const record = await this.#store.getPackage(namespace, version);
    if (!record)
      throw new AionError(
        'not_found',
        `package version ${version} is not deployed in namespace ${namespace}`,
        { version },
      );
    // The archive was validated when deployed; its manifest is stored beside it.
    const manifest = JSON.parse(record.manifest) as PackageManifest;
    if (!manifest.workflowTypes.some((t) => t.name === workflowType)) {
      throw new AionError(
        'invalid_argument',
        `package ${version.slice(0, 12)} does not export workflow type ${JSON.stringify(workflowType)}; it exports ${manifest.workflowTypes.map((t) => t.name).join(', ')}`,
        { field: 'workflowType' },
      );
    }
    await this.#store.setRoute({ namespace, workflowType, version, updatedAt: now });
    this.#routes.set(`${namespace}\u0000${workflowType}`, version);
  }

  /** Marks a version as about to be recorded by a start; call the returned function once committed. */
  hold(version: string): () => void {
    this.#holds.set(version, (this.#holds.get(version) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#holds.get(version) ?? 1) - 1;
      if (left === 0) this.#holds.delete(version);
      else this.#holds.set(version, left);
    };
  }

  /** Removes a package; refused while routed or pinned (the error names the holder). */
  async unload(namespace: string, version: string): Promise<void> {
    const inFlight = this.#holds.get(version) ?? 0;
    if (inFlight > 0) {
      throw new AionError(
        'invalid_state',
        `package version ${version.slice(0, 12)} is pinned by ${inFlight} in-flight start(s); retry when they have committed`,
        { version, reason: 'in_flight_start', holder: `${inFlight} in-flight start(s)` },
      );
    }
    const outcome = await this.#store.deletePackage(namespace, version);
    if (outcome.deleted) {
      this.#manifests.delete(version);
      // Another namespace that deployed the same bytes reloads it from the store on demand.
      await this.#thread.unloadPackage(version);
      return;
    }
    if (outcome.reason === 'not_found')
      throw new AionError(
        'not_found',
        `package version ${version} is not deployed in namespace ${namespace}`,
        { version },
      );
    throw new AionError(
      'invalid_state',
      outcome.reason === 'routed'
        ? `package version ${version.slice(0, 12)} is routed for workflow type ${outcome.holder}; route the type elsewhere first`
        : `package version ${version.slice(0, 12)} is pinned by ${outcome.holder} (an open run or a recorded child start); wait for it to close`,
      { version, reason: outcome.reason, holder: outcome.holder },
    );
  }

  /** True when `version` is loaded in the workflow thread (no I/O). */
  hasPackage(version: string): boolean {
    return this.#thread.hasPackage(version);
  }

  /** Makes sure a version is loaded in the workflow thread, reading its archive from the store. */
  ensureLoaded(namespace: string, version: string): Promise<void> {
    if (this.hasPackage(version)) return Promise.resolve();
    let loading = this.#loading.get(version);
    if (!loading) {
      loading = (async () => {
        const record = await this.#store.getPackage(namespace, version);
        if (!record) {
          throw new AionError(
            'package_version_missing',
            `package version ${version} is not in the store (namespace ${namespace}); the run is pinned to it — redeploy that version (engine.deploy) and retry the run`,
            { namespace, version },
          );
        }
        const loaded = readArchive(record.archive);
        await this.#thread.loadPackage(loaded.version, loaded.bundle);
        this.#manifests.set(loaded.version, loaded.manifest);
      })().finally(() => this.#loading.delete(version));
      this.#loading.set(version, loading);
    }
    return loading;
  }
}
