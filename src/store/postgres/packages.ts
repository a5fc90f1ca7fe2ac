import type {
  DeletePackageOutcome,
  PackageRecord,
  PackageSummary,
  Route,
} from '../contract/index.js';
import type { PgDriver } from './driver.js';
import { toPackage, toRoute } from './rows.js';

function bytes(archive: Uint8Array): Buffer {
  return Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
}

/** Stores the archive once per version and points the routes at it in the same transaction. */
export async function putPackage(
  db: PgDriver,
  s: string,
  pkg: PackageRecord,
  routeTypes: readonly string[],
): Promise<{ readonly inserted: boolean }> {
  return db.tx('putPackage', async (q) => {
    const inserted = await q.query(
      `INSERT INTO ${s}.packages (namespace, version, archive, manifest, deployed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (namespace, version) DO NOTHING RETURNING 1`,
      [pkg.namespace, pkg.version, bytes(pkg.archive), pkg.manifest, pkg.deployedAt],
    );
    if (routeTypes.length > 0) {
      await q.query(
        `INSERT INTO ${s}.routes (namespace, workflow_type, version, updated_at)
         SELECT $1, t, $3, $4 FROM unnest($2::text[]) AS t
         ON CONFLICT (namespace, workflow_type) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
        [pkg.namespace, [...new Set(routeTypes)], pkg.version, pkg.deployedAt],
      );
    }
    return { inserted: inserted.length > 0 };
  });
}

export async function getPackage(
  db: PgDriver,
  s: string,
  namespace: string,
  version: string,
): Promise<PackageRecord | undefined> {
  const rows = await db.query(
    `SELECT * FROM ${s}.packages WHERE namespace = $1 AND version = $2`,
    [namespace, version],
    'getPackage',
  );
  return rows[0] === undefined ? undefined : toPackage(rows[0]);
}

export async function listPackages(
  db: PgDriver,
  s: string,
  namespace: string,
): Promise<PackageSummary[]> {
  const rows = await db.query(
    `SELECT namespace, version, manifest, deployed_at, octet_length(archive) AS size FROM ${s}.packages
     WHERE namespace = $1 ORDER BY deployed_at, version COLLATE "C"`,
    [namespace],
    'listPackages',
  );
  return rows.map((r) => ({
    namespace: r.namespace as string,
    version: r.version as string,
    manifest: r.manifest as string,
    deployedAt: r.deployed_at as number,
    size: r.size as number,
  }));
}

/**
 * Deletes a version unless something holds it: a route, an open run pinned to it, or an
 * outbox message (e.g. a recorded child start) that pins it. The package row is locked first
 * so two deletes (or a delete and a re-put) serialise.
 */
export async function deletePackage(
  db: PgDriver,
  s: string,
  namespace: string,
  version: string,
): Promise<DeletePackageOutcome> {
  return db.tx('deletePackage', async (q): Promise<DeletePackageOutcome> => {
    const args = [namespace, version];
    const found = await q.query(
      `SELECT 1 FROM ${s}.packages WHERE namespace = $1 AND version = $2 FOR UPDATE`,
      args,
    );
    if (found.length === 0) return { deleted: false, reason: 'not_found' };
    const route = await q.query(
      `SELECT workflow_type FROM ${s}.routes WHERE namespace = $1 AND version = $2 ORDER BY workflow_type COLLATE "C" LIMIT 1`,
      args,
    );
    if (route[0])
      return { deleted: false, reason: 'routed', holder: route[0].workflow_type as string };
    const run = await q.query(
      `SELECT run_id FROM ${s}.runs WHERE namespace = $1 AND version = $2 AND close_time IS NULL ORDER BY row_id LIMIT 1`,
      args,
    );
    if (run[0]) return { deleted: false, reason: 'pinned', holder: run[0].run_id as string };
    const out = await q.query(
      `SELECT id FROM ${s}.outbox WHERE namespace = $1 AND version = $2 ORDER BY id COLLATE "C" LIMIT 1`,
      args,
    );
    if (out[0]) return { deleted: false, reason: 'pinned', holder: out[0].id as string };
    await q.query(`DELETE FROM ${s}.packages WHERE namespace = $1 AND version = $2`, args);
    return { deleted: true };
  });
}

export async function setRoute(db: PgDriver, s: string, route: Route): Promise<void> {
  await db.query(
    `INSERT INTO ${s}.routes (namespace, workflow_type, version, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, workflow_type) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [route.namespace, route.workflowType, route.version, route.updatedAt],
    'setRoute',
  );
}

export async function listRoutes(db: PgDriver, s: string, namespace: string): Promise<Route[]> {
  const rows = await db.query(
    `SELECT * FROM ${s}.routes WHERE namespace = $1 ORDER BY workflow_type COLLATE "C"`,
    [namespace],
    'listRoutes',
  );
  return rows.map(toRoute);
}
