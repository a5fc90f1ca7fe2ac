// The packages part of the store contract: deployed package archives per version and the
// route of each workflow type to the version new runs start on.

export interface PackageRecord {
  readonly namespace: string;
  readonly version: string;
  /** The package archive bytes. */
  readonly archive: Uint8Array;
  /** The manifest as JSON text. */
  readonly manifest: string;
  readonly deployedAt: number;
}

export type PackageSummary = Omit<PackageRecord, 'archive'> & { readonly size: number };

export interface Route {
  readonly namespace: string;
  readonly workflowType: string;
  readonly version: string;
  readonly updatedAt: number;
}

export type DeletePackageOutcome =
  | { readonly deleted: true }
  | { readonly deleted: false; readonly reason: 'not_found' }
  | {
      readonly deleted: false;
      readonly reason: 'routed' | 'pinned';
      /** Names the holder: a routed workflow type, an open run id, or an outbox message id. */
      readonly holder: string;
    };

export interface PackageStore {
  /** Stores an archive (idempotent by version) and points the given types' routes at it, atomically. */
  putPackage(
    pkg: PackageRecord,
    routeTypes: readonly string[],
  ): Promise<{ readonly inserted: boolean }>;
  getPackage(namespace: string, version: string): Promise<PackageRecord | undefined>;
  listPackages(namespace: string): Promise<PackageSummary[]>;
  /** Refused while a route points at it, an open run is pinned to it, or an outbox row pins it. */
  deletePackage(namespace: string, version: string): Promise<DeletePackageOutcome>;
  setRoute(route: Route): Promise<void>;
  listRoutes(namespace: string): Promise<Route[]>;
}
