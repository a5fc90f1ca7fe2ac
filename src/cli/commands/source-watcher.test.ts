import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceWatcher } from './source-watcher.js';

let dir: string | undefined;
let watcher: SourceWatcher | undefined;
afterEach(() => {
  watcher?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = watcher = undefined;
});

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup(): { root: string; seen: string[] } {
  const root = mkdtempSync(path.join(tmpdir(), 'aion-watch-'));
  dir = root;
  writeFileSync(path.join(root, 'workflows.ts'), 'export {};\n');
  const seen: string[] = [];
  watcher = new SourceWatcher(root, (file) => seen.push(file));
  return { root, seen };
}

describe('SourceWatcher', () => {
  it('sees every save made by renaming a temporary file over the source, not only the first', async () => {
    const { root, seen } = setup();
    const file = path.join(root, 'workflows.ts');
    for (let i = 0; i < 4; i++) {
      seen.length = 0;
      const tmp = path.join(root, `.workflows.ts.${i}.swp`);
      writeFileSync(tmp, `export const v = ${i};\n`);
      renameSync(tmp, file);
      await waitFor(`save ${i}`, () => seen.includes(file));
    }
    // Plain writes still count, and files that are not sources do not.
    seen.length = 0;
    writeFileSync(path.join(root, 'notes.txt'), 'x');
    writeFileSync(file, 'export const v = 9;\n');
    await waitFor('the plain write', () => seen.includes(file));
    expect(seen.filter((f) => f.endsWith('notes.txt'))).toEqual([]);
  });

  it('follows directories created and removed after it started', async () => {
    const { root, seen } = setup();
    const sub = path.join(root, 'steps');
    mkdirSync(sub);
    await waitFor('the new directory to be watched', () => watcher!.directories.includes(sub));
    seen.length = 0;
    const nested = path.join(sub, 'charge.ts');
    writeFileSync(`${nested}.tmp`, 'export {};\n');
    renameSync(`${nested}.tmp`, nested);
    await waitFor('the save in the new directory', () => seen.includes(nested));

    rmSync(sub, { recursive: true });
    await waitFor('the removed directory to be dropped', () => !watcher!.directories.includes(sub));
    expect(watcher!.directories).toEqual([root]);
  });

  it('leaves dependencies, build output and hidden directories alone', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'aion-watch-'));
    dir = root;
    for (const d of ['node_modules/x', 'dist', '.git', 'src'])
      mkdirSync(path.join(root, d), { recursive: true });
    watcher = new SourceWatcher(root, () => undefined);
    expect(watcher.directories).toEqual([root, path.join(root, 'src')]);
  });
});
