import { AionError } from '../core/index.js';
import { buildPackage, readArchive, type BuiltPackage } from '../package/index.js';
import { PackageSandbox } from '../runtime/index.js';
import type { Store } from '../store/contract.js';

/**
 * Routes (workflow type → package version) and loaded package sandboxes. A version is a
 * content hash, so a sandbox is shared by every namespace that deployed the same bytes.
 */
export class PackageRegistry {
  readonly #store: Store;
  readonly #deadlockTimeoutMs: number;
  readonly #sandboxes = new Map<string, PackageSandbox>();
  readonly #loading = new Map<string, Promise<PackageSandbox>>();
  readonly #routes = new Map<string, string>();
  readonly #loadedNamespaces = new Set<string>();

  constructor(store: Store, deadlockTimeoutMs: number) {
    this.#store = store;
    this.#deadlockTimeoutMs = deadlockTimeoutMs;
  }

  async #ensureRoutes(namespace: string): Promise<void> {
    if (this.#loadedNamespaces.has(namespace)) return;
    for (const r of await this.#store.listRoutes(namespace))
      this.#routes.set(`${namespace}\u0000${r.workflowType}`, r.version);
    this.#loadedNamespaces.add(namespace);
  }

  /** The version a new run of `workflowType` starts on; throws unknown_workflow_type. */
  async routeFor(namespace: string, workflowType: string): Promise<string> {
    await this.#ensureRoutes(namespace);
    const version = this.#routes.get(`${namespace}\u0000${workflowType}`);
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

  async deployBuilt(namespace: string, built: BuiltPackage, now: number): Promise<void> {
    await this.#ensureRoutes(namespace);
    const types = built.manifest.workflowTypes.map((t) => t.name);
    await this.#store.putPackage(
      {
        namespace,
        version: built.version,
        archive: built.archive,
        manifest: JSON.stringify(built.manifest),
        deployedAt: now,
      },
      types,
    );
    for (const t of types) this.#routes.set(`${namespace}\u0000${t}`, built.version);
    if (!this.#sandboxes.has(built.version)) {
      this.#sandboxes.set(
        built.version,
        PackageSandbox.create(built.bundle, built.version, {
          deadlockTimeoutMs: this.#deadlockTimeoutMs,
        }),
      );
    }
  }

  /** The loaded sandbox of a version, loading its archive from the store if needed. */
  sandbox(namespace: string, version: string): Promise<PackageSandbox> {
    const cached = this.#sandboxes.get(version);
    if (cached) return Promise.resolve(cached);
    let loading = this.#loading.get(version);
    if (!loading) {
      loading = (async () => {
        const record = await this.#store.getPackage(namespace, version);
        if (!record) {
          throw new AionError(
            'not_found',
            `package version ${version} is not in the store (namespace ${namespace}); the run is pinned to it — redeploy that version to let the run continue`,
            { namespace, version, rule: 'version_missing' },
          );
        }
        const loaded = readArchive(record.archive);
        const sandbox = PackageSandbox.create(loaded.bundle, loaded.version, {
          deadlockTimeoutMs: this.#deadlockTimeoutMs,
        });
        this.#sandboxes.set(version, sandbox);
        return sandbox;
      })().finally(() => this.#loading.delete(version));
      this.#loading.set(version, loading);
    }
    return loading;
  }

  /** A loaded sandbox, if any (synchronous fast path). */
  loadedSandbox(version: string): PackageSandbox | undefined {
    return this.#sandboxes.get(version);
  }
}
