// API keys kept in the store: created and revoked in transactions, shared by every node on
// the store. Each node verifies against a snapshot of the key table refreshed every half
// second, so a revocation anywhere takes effect everywhere within a second; a snapshot that
// could not be refreshed for a few seconds refuses every key rather than trusting old rows.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { AionError, validateNamespace } from '../core/index.js';
import type { ApiKeyRecord, Store } from '../store/index.js';

export type Role = 'reader' | 'operator' | 'worker' | 'admin';
export const ROLES: readonly Role[] = ['reader', 'operator', 'worker', 'admin'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A key as shown to operators: never the token nor its hash. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'hash'>;

/** What verifying a token yields. */
export interface VerifiedKey {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly namespaces: readonly string[] | null;
  /** When the key stops working (ms since the epoch); `null` never. */
  readonly expiresAt: number | null;
}

export interface CreateKeyRequest {
  readonly name: string;
  readonly role: Role;
  /** Namespaces the key may act in; omitted or `null` for every namespace. */
  readonly namespaces?: readonly string[] | null;
  /** When the key stops working (ms since the epoch); omitted for never. */
  readonly expiresAt?: number | null;
}

const REFRESH_MS = 500;
/** A snapshot older than this (store unreachable) verifies nothing. */
const STALE_MS = 5000;
/** `lastUsedAt` is written at most this often per key. */
const TOUCH_MS = 60_000;
const TOKEN_RE = /^aion_([0-9a-f]{8})_[A-Za-z0-9_-]{20,100}$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function info({ hash: _hash, ...rest }: ApiKeyRecord): ApiKeyInfo {
  return rest;
}

/** Checks a create request; throws `invalid_argument` naming the field. */
export function validateKeyRequest(req: CreateKeyRequest): void {
  if (!isRole(req.role)) {
    throw new AionError(
      'invalid_argument',
      `role ${JSON.stringify(req.role)} is not one of ${ROLES.join(', ')}`,
      { field: 'role' },
    );
  }
  if (typeof req.name !== 'string' || req.name.length === 0 || req.name.length > 100) {
    throw new AionError('invalid_argument', 'key name must be 1–100 characters', {
      field: 'name',
    });
  }
  if (req.namespaces != null) {
    if (req.namespaces.length === 0) {
      throw new AionError(
        'invalid_argument',
        'namespaces must name at least one namespace; omit it for every namespace',
        { field: 'namespaces' },
      );
    }
    for (const ns of req.namespaces) validateNamespace(ns);
  }
}

/** Creates, revokes, lists and verifies the API keys of a store. */
export class ApiKeys {
  readonly #store: Store;
  readonly #now: () => number;
  #byId = new Map<string, ApiKeyRecord>();
  #loadedAt = -Infinity;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #touched = new Map<string, number>();
  readonly #onRefresh = new Set<() => void>();

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Loads the keys, then keeps the snapshot fresh until {@link stop}. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch(() => undefined);
    }, REFRESH_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Re-reads the key table (one read at a time). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#store
      .listApiKeys()
      .then((keys) => {
        this.#byId = new Map(keys.map((k) => [k.id, k]));
        this.#loadedAt = this.#now();
        for (const listener of this.#onRefresh) listener();
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** Calls `listener` after each refresh of the snapshot; returns the unsubscribe. */
  onRefresh(listener: () => void): () => void {
    this.#onRefresh.add(listener);
    return () => this.#onRefresh.delete(listener);
  }

  /**
   * Why the key with this id no longer works (`revoked`: revoked or unknown; `expired`), or
   * `live`. Throws `store_unavailable` like {@link verify} when the snapshot is too old.
   */
  status(id: string): 'live' | 'revoked' | 'expired' {
    const key = this.#fresh().get(id);
    if (key === undefined || key.revokedAt !== null) return 'revoked';
    return key.expiresAt !== null && key.expiresAt <= this.#now() ? 'expired' : 'live';
  }

  /** Creates a key; returns the token (shown once) and the key. */
  async create(req: CreateKeyRequest): Promise<{ token: string; key: ApiKeyInfo }> {
    validateKeyRequest(req);
    for (;;) {
      const { token, record } = this.#mint(req);
      if ((await this.#store.createApiKey(record)).created) {
        await this.refresh();
        return { token, key: info(record) };
      }
      // An id collision (4 random bytes): draw again.
    }
  }

  /**
   * Creates the first admin key if the store has never had a key (live or revoked); of several
   * nodes starting at once, one creates it. Returns the token, or undefined.
   */
  async createFirstAdmin(): Promise<{ token: string; key: ApiKeyInfo } | undefined> {
    const { token, record } = this.#mint({ name: 'first-admin', role: 'admin' });
    const { created } = await this.#store.createApiKey(record, { onlyIfNone: true });
    await this.refresh();
    return created ? { token, key: info(record) } : undefined;
  }

  #mint(req: CreateKeyRequest): { token: string; record: ApiKeyRecord } {
    const id = randomBytes(4).toString('hex');
    const token = `aion_${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      name: req.name,
      role: req.role,
      namespaces: req.namespaces ?? null,
      hash: sha256(token).toString('hex'),
      createdAt: this.#now(),
      expiresAt: req.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    };
    return { token, record };
  }

  /** Revokes a key by id (for good: it never works again); `not_found` if unknown. */
  async revoke(id: string): Promise<ApiKeyInfo> {
    const revoked = await this.#store.revokeApiKey(id, this.#now());
    if (revoked === undefined) {
      throw new AionError('not_found', `API key ${JSON.stringify(id)} does not exist`, { id });
    }
    await this.refresh();
    return info(revoked);
  }

  /** Every key, revoked ones included (with `revokedAt`). */
  async list(): Promise<ApiKeyInfo[]> {
    return (await this.#store.listApiKeys()).map(info);
  }

  /** The key of a bearer token if it is live (not revoked, not expired); else undefined. */
  verify(token: string): VerifiedKey | undefined {
    const m = TOKEN_RE.exec(token);
    if (!m) return undefined;
    const key = this.#fresh().get(m[1]!);
    if (key === undefined) return undefined;
    const stored = Buffer.from(key.hash, 'hex');
    const candidate = sha256(token);
    if (stored.length !== candidate.length || !timingSafeEqual(stored, candidate)) return undefined;
    return this.#use(key);
  }

  /**
   * The key with this id if it is live (not revoked, not expired); else undefined. For
   * credentials that stand for a key already verified once (console sessions).
   */
  live(id: string): VerifiedKey | undefined {
    const key = this.#fresh().get(id);
    return key === undefined ? undefined : this.#use(key);
  }

  /** The snapshot of the key table; `store_unavailable` when it is too old to trust. */
  #fresh(): ReadonlyMap<string, ApiKeyRecord> {
    if (this.#now() - this.#loadedAt > STALE_MS) {
      throw new AionError(
        'store_unavailable',
        'API keys cannot be checked: the store has not answered for a few seconds',
        {},
      );
    }
    return this.#byId;
  }

  #use(key: ApiKeyRecord): VerifiedKey | undefined {
    const now = this.#now();
    if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now))
      return undefined;
    this.#touch(key.id, now);
    return {
      id: key.id,
      name: key.name,
      role: key.role as Role,
      namespaces: key.namespaces,
      expiresAt: key.expiresAt,
    };
  }

  /** Records a use, at most once a minute per key, without delaying the request. */
  #touch(id: string, now: number): void {
    if (now - (this.#touched.get(id) ?? -Infinity) < TOUCH_MS) return;
    this.#touched.set(id, now);
    this.#store.touchApiKey(id, now).catch(() => undefined);
  }

  /**
   * Imports the keys of a `<dataDir>/api-keys.json` written by earlier versions, once: the
   * file is renamed to `api-keys.json.imported` afterwards. Keys already in the store (also
   * revoked ones) are left as they are. Returns how many keys were imported.
   */
  async importKeyFile(dataDir: string): Promise<number> {
    const file = path.join(dataDir, 'api-keys.json');
    if (!existsSync(file)) return 0;
    let imported = 0;
    for (const k of readKeyFile(file)) {
      const record: ApiKeyRecord = {
        id: k.id,
        name: k.name,
        role: k.role,
        namespaces: null,
        hash: k.hash,
        createdAt: Date.parse(k.createdAt) || this.#now(),
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
      };
      if ((await this.#store.createApiKey(record)).created) imported++;
    }
    renameSync(file, `${file}.imported`);
    await this.refresh();
    return imported;
  }
}

interface FileKey {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly hash: string;
  readonly createdAt: string;
}

function readKeyFile(file: string): FileKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AionError(
      'invalid_argument',
      `API key file ${file} is not valid JSON: ${(err as Error).message}`,
      { path: file },
    );
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) {
    throw new AionError('invalid_argument', `API key file ${file} must hold { "keys": [...] }`, {
      path: file,
    });
  }
  return keys as FileKey[];
}
