// Namespace calls over the API: create, list, describe and update a namespace, and read or
// register the search attributes its visibility queries may use.
import type { Connection } from './connection.js';
import { namespacePath } from './wire.js';

/** A namespace's settings, as the server reports them. */
export interface NamespaceDescription {
  readonly name: string;
  readonly description: string;
  /** Closed runs are deleted this long (ms) after they close; null keeps them. */
  readonly retentionMs: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NamespaceSettings {
  description?: string;
  retention?: number | string | null;
}

export function createNamespace(
  c: Connection,
  name: string,
  settings: NamespaceSettings,
): Promise<NamespaceDescription & { created: boolean }> {
  return c.request('POST', '/api/v1/namespaces', { body: { name, ...settings } });
}

export async function listNamespaces(c: Connection): Promise<NamespaceDescription[]> {
  return (await c.request<{ namespaces: NamespaceDescription[] }>('GET', '/api/v1/namespaces'))
    .namespaces;
}

export function describeNamespace(c: Connection, name: string): Promise<NamespaceDescription> {
  return c.request('GET', namespacePath(name));
}

export function updateNamespace(
  c: Connection,
  name: string,
  settings: NamespaceSettings,
): Promise<NamespaceDescription> {
  return c.request('PATCH', namespacePath(name), { body: settings });
}

export async function searchAttributes(
  c: Connection,
  namespace: string,
): Promise<Record<string, string>> {
  return (
    await c.request<{ searchAttributes: Record<string, string> }>(
      'GET',
      `${namespacePath(namespace)}/search-attributes`,
    )
  ).searchAttributes;
}

export async function registerSearchAttributes(
  c: Connection,
  namespace: string,
  definitions: Readonly<Record<string, string>>,
): Promise<void> {
  await c.request('POST', `${namespacePath(namespace)}/search-attributes`, {
    body: { searchAttributes: definitions },
  });
}
