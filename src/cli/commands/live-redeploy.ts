// The loop behind `aion dev`: on every change under the workflows' directory, rebuild the
// package and deploy it to the running engine, reporting each new version or build error.
import path from 'node:path';
import { isAionError } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { buildPackage } from '../../package/index.js';
import type { CliIo } from '../output.js';
import { SourceWatcher } from './source-watcher.js';

/** Quiet time after the last change before a rebuild: one save often makes several events. */
const DEBOUNCE_MS = 150;

/**
 * Rebuilds and deploys `entry` after each change below its directory, one build at a time.
 * A broken edit is reported and the last good version keeps serving; running workflows stay
 * on the version they started on.
 */
export class LiveRedeploy {
  readonly #entry: string;
  readonly #engine: Engine;
  readonly #io: CliIo;
  readonly #watcher: SourceWatcher;
  #timer: NodeJS.Timeout | undefined;
  #building: Promise<void> = Promise.resolve();

  constructor(entry: string, engine: Engine, io: CliIo) {
    this.#entry = entry;
    this.#engine = engine;
    this.#io = io;
    this.#watcher = new SourceWatcher(path.dirname(entry), () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#rebuild(), DEBOUNCE_MS);
    });
  }

  /** Stops watching; resolves once a build in progress has finished. */
  close(): Promise<void> {
    this.#watcher.close();
    clearTimeout(this.#timer);
    return this.#building;
  }

  #rebuild(): void {
    this.#building = this.#building.then(async () => {
      try {
        const built = await buildPackage({ workflowsPath: this.#entry });
        const result = await this.#engine.deploy(built.archive);
        if (result.freshlyLoaded || result.routeChanged) {
          this.#io.stderr(
            `deployed ${result.version.slice(0, 12)} (${built.manifest.workflowTypes.map((t) => t.name).join(', ')}); running workflows stay on their version\n`,
          );
        }
      } catch (err) {
        this.#io.stderr(
          `build failed, still serving the previous version: ${isAionError(err) ? err.message : String(err)}\n`,
        );
      }
    });
  }
}
