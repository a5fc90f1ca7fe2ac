import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface AuditEntry {
  readonly subject: string;
  readonly action: string;
  readonly namespace?: string;
  readonly target?: string;
  readonly outcome: 'ok' | 'error';
  readonly code?: string;
}

/** Append-only JSON-lines audit log of every mutating call: who, what, on what, and how it ended. */
export class AuditLog {
  readonly #out: WriteStream | NodeJS.WritableStream | undefined;

  constructor(file: string | undefined) {
    if (file === undefined) {
      this.#out = undefined;
    } else if (file === '-') {
      this.#out = process.stdout;
    } else {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.#out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    }
  }

  write(entry: AuditEntry): void {
    this.#out?.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }

  async close(): Promise<void> {
    const out = this.#out;
    if (out && out !== process.stdout && 'close' in out) {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }
}
