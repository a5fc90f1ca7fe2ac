// The memory store's packages: archives per (namespace, version) and the route of each
// workflow type; a version is deleted only when no route, open run or outbox row holds it.
import type {
  DeletePackageOutcome,
  PackageRecord,
  PackageSummary,
  Route,
} from '../contract/index.js';
import { compareStrings } from '../shared/index.js';
import { key } from './keys.js';

/** Names what pins a package version outside the packages part (an open run, an outbox row). */
export type PinHolder = (namespace: string, version: string) => string | undefined;

export class MemoryPackages {
  readonly #packages = new Map<string, PackageRecord>();
  readonly #routes = new Map<string, Route>();
  readonly #pinnedBy: PinHolder;

  constructor(pinnedBy: PinHolder) {
    this.#pinnedBy = pinnedBy;
  }

  putPackage(pkg: PackageRecord, routeTypes: readonly string[]): { inserted: boolean } {
    const pkgKey = key(pkg.namespace, pkg.version);
    const inserted = !this.#packages.has(pkgKey);
    if (inserted) this.#packages.set(pkgKey, { ...pkg, archive: new Uint8Array(pkg.archive) });
    for (const workflowType of routeTypes) {
      this.#routes.set(key(pkg.namespace, workflowType), {
        namespace: pkg.namespace,
        workflowType,
        version: pkg.version,
        updatedAt: pkg.deployedAt,
      });
    }
    return { inserted };
  }

  getPackage(namespace: string, version: string): PackageRecord | undefined {
    const pkg = this.#packages.get(key(namespace, version));
    return pkg ? { ...pkg, archive: new Uint8Array(pkg.archive) } : undefined;
  }

  listPackages(namespace: string): PackageSummary[] {
    return [...this.#packages.values()]
      .filter((p) => p.namespace === namespace)
      .sort((a, b) => a.deployedAt - b.deployedAt || compareStrings(a.version, b.version))
      .map(({ archive, ...rest }) => ({ ...rest, size: archive.byteLength }));
  }

  deletePackage(namespace: string, version: string): DeletePackageOutcome {
    const pkgKey = key(namespace, version);
    if (!this.#packages.has(pkgKey)) return { deleted: false, reason: 'not_found' };
    for (const r of this.#routes.values()) {
      if (r.namespace === namespace && r.version === version) {
        return { deleted: false, reason: 'routed', holder: r.workflowType };
      }
    }
    const holder = this.#pinnedBy(namespace, version);
    if (holder !== undefined) return { deleted: false, reason: 'pinned', holder };
    this.#packages.delete(pkgKey);
    return { deleted: true };
  }

  setRoute(route: Route): void {
    this.#routes.set(key(route.namespace, route.workflowType), { ...route });
  }

  listRoutes(namespace: string): Route[] {
    return [...this.#routes.values()]
      .filter((r) => r.namespace === namespace)
      .sort((a, b) => compareStrings(a.workflowType, b.workflowType))
      .map((r) => ({ ...r }));
  }
}
