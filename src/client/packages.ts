// Package calls over the API: deploy a built `.aion` archive, list the deployed versions,
// route a workflow type to a version, and unload a version.
import type { DeployCheckDivergence, DeployCheckResult } from '../core/index.js';
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** Package deployment over the API (admin role). */
export interface DeployResult {
  readonly version: string;
  readonly freshlyLoaded: boolean;
  readonly routeChanged: boolean;
}

export interface VersionInfo {
  readonly version: string;
  readonly name: string;
  readonly deployedAt: Date;
  readonly size: number;
  readonly routedTypes: readonly string[];
  readonly openRuns: number;
}

export function deployPackage(
  c: Connection,
  namespace: string,
  archive: Uint8Array,
): Promise<DeployResult> {
  return c.request('POST', `${namespacePath(namespace)}/packages`, {
    raw: archive,
    timeoutMs: 120_000,
  });
}

export type { DeployCheckDivergence, DeployCheckResult };

export function checkPackage(
  c: Connection,
  namespace: string,
  archive: Uint8Array,
  options: { readonly sample?: number } = {},
): Promise<DeployCheckResult> {
  return c.request('POST', `${namespacePath(namespace)}/packages/check`, {
    raw: archive,
    ...(options.sample !== undefined ? { query: { sample: options.sample } } : {}),
    timeoutMs: 300_000,
  });
}

export async function listVersions(c: Connection, namespace: string): Promise<VersionInfo[]> {
  const out = await c.request<{
    versions: (VersionInfo & { deployedAt: string })[];
  }>('GET', `${namespacePath(namespace)}/packages`);
  return out.versions.map((v) => ({ ...v, deployedAt: new Date(v.deployedAt) }));
}

export async function routeType(
  c: Connection,
  namespace: string,
  workflowType: string,
  version: string,
): Promise<void> {
  await c.request('PUT', `${namespacePath(namespace)}/routes/${encodeURIComponent(workflowType)}`, {
    body: { version },
  });
}

export async function unloadVersion(
  c: Connection,
  namespace: string,
  version: string,
): Promise<void> {
  await c.request('DELETE', `${namespacePath(namespace)}/packages/${encodeURIComponent(version)}`);
}
