import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AionError } from '../core/index.js';

/**
 * API keys: bearer tokens `aion_<id>_<secret>` with a role. The server stores only the
 * SHA-256 of each token (in `<dataDir>/api-keys.json`, mode 0600) and compares in constant
 * time; a token is shown once, when it is created.
 */
export type Role = 'reader' | 'operator' | 'worker' | 'admin';
export const ROLES: readonly Role[] = ['reader', 'operator', 'worker', 'admin'];

/** What a request needs: reading, changing workflows, the worker protocol, administration. */
export type Permission = 'read' | 'write' | 'worker' | 'admin';

const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  reader: new Set(['read']),
  operator: new Set(['read', 'write']),
  worker: new Set(['worker']),
  admin: new Set(['read', 'write', 'worker', 'admin']),
};

export interface Principal {
  /** Key id and name (`k1a2b3c4 (ci)`), or `anonymous` when auth is off. */
  readonly subject: string;
  readonly role: Role;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** Hex SHA-256 of the whole token. */
  readonly hash: string;
  readonly createdAt: string;
}

export const ANONYMOUS: Principal = { subject: 'anonymous', role: 'admin' };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function allows(principal: Principal, permission: Permission): boolean {
  return GRANTS[principal.role].has(permission);
}

/** The key file of a data directory. */
export class ApiKeyStore {
  readonly file: string;
  #keys: ApiKeyRecord[];
  #mtimeMs = -1;
  #checkedAt = 0;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'api-keys.json');
    this.#keys = ApiKeyStore.#read(this.file);
    this.#mtimeMs = this.#mtime();
  }

  #mtime(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return -1;
    }
  }

  /** Picks up keys created or revoked by another process (`aion key …`), checked once a second. */
  #refresh(): void {
    const now = Date.now();
    if (now - this.#checkedAt < 1000) return;
    this.#checkedAt = now;
    const mtime = this.#mtime();
    if (mtime === this.#mtimeMs) return;
    try {
      this.#keys = ApiKeyStore.#read(this.file);
      this.#mtimeMs = mtime;
    } catch {
      // A half-written or broken file: keep the keys we have.
    }
  }

  static #read(file: string): ApiKeyRecord[] {
    if (!existsSync(file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new AionError(
        'invalid_argument',
        `API key file ${file} is not valid JSON: ${(err as Error).message}`,
        {
          path: file,
        },
      );
    }
    const keys = (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) {
      throw new AionError('invalid_argument', `API key file ${file} must hold { "keys": [...] }`, {
        path: file,
      });
    }
    return keys as ApiKeyRecord[];
  }

  get size(): number {
    this.#refresh();
    return this.#keys.length;
  }

  list(): readonly Omit<ApiKeyRecord, 'hash'>[] {
    return this.#keys.map(({ hash: _hash, ...rest }) => rest);
  }

  /** Creates a key; returns the token (shown once) and its record. */
  create(
    name: string,
    role: Role,
    now = new Date(),
  ): { token: string; key: Omit<ApiKeyRecord, 'hash'> } {
    if (!isRole(role)) {
      throw new AionError(
        'invalid_argument',
        `role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`,
        {
          field: 'role',
        },
      );
    }
    if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
      throw new AionError('invalid_argument', 'key name must be 1–100 characters', {
        field: 'name',
      });
    }
    const id = randomBytes(4).toString('hex');
    const token = `aion_${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      name,
      role,
      hash: sha256(token).toString('hex'),
      createdAt: now.toISOString(),
    };
    this.#refresh();
    this.#keys = [...this.#keys, record];
    this.#write();
    const { hash: _hash, ...key } = record;
    return { token, key };
  }

  /** Revokes a key by id; not_found if unknown. */
  revoke(id: string): void {
    if (!this.#keys.some((k) => k.id === id)) {
      throw new AionError('not_found', `API key ${JSON.stringify(id)} does not exist`, { id });
    }
    this.#keys = this.#keys.filter((k) => k.id !== id);
    this.#write();
  }

  #write(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ keys: this.#keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
    this.#mtimeMs = this.#mtime();
  }

  /** The principal of a bearer token, or undefined if no key matches. */
  verify(token: string): Principal | undefined {
    const m = /^aion_([0-9a-f]{8})_[A-Za-z0-9_-]{20,100}$/.exec(token);
    if (!m) return undefined;
    this.#refresh();
    const candidate = sha256(token);
    let found: ApiKeyRecord | undefined;
    // Compare against every key of that id in constant time (ids are not secret).
    for (const key of this.#keys) {
      if (key.id !== m[1]) continue;
      const stored = Buffer.from(key.hash, 'hex');
      if (stored.length === candidate.length && timingSafeEqual(stored, candidate)) found = key;
    }
    return found ? { subject: `${found.id} (${found.name})`, role: found.role } : undefined;
  }
}

/**
 * Resolves the caller of a request from its `Authorization` header. With `auth` on, keys are
 * required — except on a loopback-only server that has no keys yet (local development), which
 * serves everyone as admin until the first key is created.
 */
export class Authenticator {
  readonly keys: ApiKeyStore;
  readonly #auth: boolean;
  readonly #loopback: boolean;

  constructor(keys: ApiKeyStore, auth: boolean, loopback = false) {
    this.keys = keys;
    this.#auth = auth;
    this.#loopback = loopback;
  }

  /** Whether requests must carry a key right now. */
  get enabled(): boolean {
    return this.#auth && (this.keys.size > 0 || !this.#loopback);
  }

  /** Throws `unauthenticated` for a missing or unknown key (when auth is on). */
  authenticate(authorization: string | undefined): Principal {
    if (!this.enabled) return ANONYMOUS;
    if (!authorization) {
      throw new AionError(
        'unauthenticated',
        'missing API key: send "Authorization: Bearer <key>"',
        {},
      );
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = m ? this.keys.verify(m[1]!) : undefined;
    if (!principal)
      throw new AionError('unauthenticated', 'the API key is not valid (unknown or revoked)', {});
    return principal;
  }

  /** Throws `permission_denied` unless the principal may do `permission`. */
  require(principal: Principal, permission: Permission, action: string): void {
    if (!allows(principal, permission)) {
      throw new AionError(
        'permission_denied',
        `role ${principal.role} may not ${action} (needs ${permission === 'read' ? 'reader' : permission === 'write' ? 'operator' : permission} or admin)`,
        { role: principal.role, action },
      );
    }
  }
}
