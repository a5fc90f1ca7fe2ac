// Registered namespaces: create, update, describe, list, and the retention sweep over them.
import type { Clock } from '../../clock/index.js';
import { AionError, validateNamespace } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';
import {
  namespaceInfo,
  retentionMsOf,
  type NamespaceInfo,
  type NamespaceSettings,
} from './namespace-settings.js';
import type { RetentionSweeper } from './retention.js';

export interface NamespaceServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  readonly retention: RetentionSweeper;
}

export class NamespaceService {
  readonly #d: NamespaceServiceDeps;

  constructor(deps: NamespaceServiceDeps) {
    this.#d = deps;
  }

  /** Registers a namespace; an existing one is returned unchanged with `created: false`. */
  async create(
    name: string,
    settings: NamespaceSettings = {},
  ): Promise<{ namespace: NamespaceInfo; created: boolean }> {
    this.#d.lifecycle.check();
    const ns = validateNamespace(name);
    const retentionMs = retentionMsOf(settings.retention) ?? null;
    const now = this.#d.clock.now();
    const { created } = await this.#d.store.createNamespace({
      name: ns,
      description: settings.description ?? '',
      retentionMs,
      createdAt: now,
      updatedAt: now,
    });
    return { namespace: await this.describe(ns), created };
  }

  /** Registers the engine's own namespace at startup (settings of an existing one kept). */
  async ensure(name: string): Promise<void> {
    const now = this.#d.clock.now();
    await this.#d.store.createNamespace({
      name,
      description: '',
      retentionMs: null,
      createdAt: now,
      updatedAt: now,
    });
  }

  async update(name: string, settings: NamespaceSettings): Promise<NamespaceInfo> {
    this.#d.lifecycle.check();
    const retentionMs = retentionMsOf(settings.retention);
    const record = await this.#d.store.updateNamespace(
      validateNamespace(name),
      {
        ...(settings.description !== undefined ? { description: settings.description } : {}),
        ...(retentionMs !== undefined ? { retentionMs } : {}),
      },
      this.#d.clock.now(),
    );
    return namespaceInfo(record);
  }

  async describe(name: string): Promise<NamespaceInfo> {
    const record = await this.#d.store.getNamespace(validateNamespace(name));
    if (!record) {
      throw new AionError(
        'not_found',
        `namespace ${JSON.stringify(name)} does not exist; create it first`,
        {
          namespace: name,
        },
      );
    }
    return namespaceInfo(record);
  }

  async list(): Promise<NamespaceInfo[]> {
    return (await this.#d.store.listNamespaces()).map(namespaceInfo);
  }

  sweepRetention(): Promise<number> {
    return this.#d.retention.sweep();
  }
}
