/**
 * One engine per SQLite file, also when the `-lock` file is deleted under a running owner:
 * the owner row (owner id, PID, machine, heartbeat) refuses a second owner while the first
 * may be alive, and is taken over at once when the first is provably gone.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import { createEngine } from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { until } from '../support/aion-process.js';
import { errorOf } from '../support/errors.js';
import { holdInChild, killHolder, openInChild } from './fixtures/sqlite-children.js';
import { sqliteFileEachTest } from './fixtures/sqlite-file.js';
import { runKey } from './fixtures/sqlite-helpers.js';

interface OwnerRow {
  owner_id: string;
  pid: number;
  host: string;
  machine: string;
  pid_namespace: string;
  lock_file: string;
  started_at: number;
  heartbeat_at: number;
}

const sqlite = sqliteFileEachTest();
const { open } = sqlite;

function ownerRow(): OwnerRow | undefined {
  const db = new Database(sqlite.file, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM owner WHERE slot = 1`).get() as OwnerRow | undefined;
  } finally {
    db.close();
  }
}

function writeOwnerRow(row: OwnerRow): void {
  const db = new Database(sqlite.file);
  try {
    db.prepare(
      `INSERT OR REPLACE INTO owner (slot, owner_id, pid, host, machine, pid_namespace, lock_file, started_at, heartbeat_at)
       VALUES (1, @owner_id, @pid, @host, @machine, @pid_namespace, @lock_file, @started_at, @heartbeat_at)`,
    ).run(row);
  } finally {
    db.close();
  }
}

/** The row a live owner in this process writes (machine and PID namespace included). */
async function ownRow(): Promise<OwnerRow> {
  const store = await openSqliteStore({ path: sqlite.file });
  const row = ownerRow();
  await store.close();
  expect(row?.pid).toBe(process.pid);
  return row!;
}

/** A PID that no process has: one of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('SQLite ownership beyond the lock file', () => {
  it('another process owning the file refuses a second owner although the lock file was deleted; after kill -9 it is taken over at once', async () => {
    const holder = await holdInChild(sqlite.file);
    try {
      rmSync(`${sqlite.file}-lock`);
      const err = await errorOf(openSqliteStore({ path: sqlite.file }));
      expect(isAionError(err) && err.code, String(err)).toBe('store_locked');
      expect((err as Error).message).toContain(`process ${holder.pid} on`);
      expect((err as Error).message).toContain('heartbeat');
      // Also from a third process.
      rmSync(`${sqlite.file}-lock`);
      expect(await openInChild(sqlite.file)).toEqual({ ok: false, code: 'store_locked' });
      expect(ownerRow()?.pid).toBe(holder.pid);
    } finally {
      await killHolder(holder);
    }
    // The dead owner's row is still there and fresh, and its lock file is gone: its PID
    // has no process any more, so the row is taken over without waiting for it to go stale.
    rmSync(`${sqlite.file}-lock`, { force: true });
    expect(ownerRow()?.pid).toBe(holder.pid);
    const store = await open();
    expect(await store.headSeq(runKey(1))).toBe(0);
    expect(ownerRow()?.pid).toBe(process.pid);
  });

  it('two engines in one process: the second is refused although the lock file was deleted', async () => {
    const dataDir = sqlite.dir;
    const first = await createEngine({ dataDir });
    try {
      rmSync(path.join(dataDir, 'aion.db-lock'));
      const err = await errorOf(createEngine({ dataDir }));
      expect(isAionError(err) && err.code, String(err)).toBe('store_locked');
      expect((err as Error).message).toContain(`process ${process.pid}`);
    } finally {
      await first.shutdown();
      await first.store.close();
    }
    // A clean shutdown gave the file up: the next engine starts at once.
    const next = await createEngine({ dataDir });
    await next.shutdown();
    await next.store.close();
  });

  it('a clean close deletes the owner row; the heartbeat advances while open; read-only opens leave the row alone', async () => {
    const owner = await open();
    const claimed = ownerRow()!;
    expect(claimed).toMatchObject({ pid: process.pid });
    rmSync(`${sqlite.file}-lock`);
    const tool = await open({ exclusive: false });
    expect(await tool.headSeq(runKey(1))).toBe(0);
    await tool.close();
    await until('a heartbeat', async () => {
      const row = ownerRow();
      return row !== undefined && row.heartbeat_at > claimed.heartbeat_at ? row : undefined;
    });
    expect(ownerRow()?.owner_id).toBe(claimed.owner_id);
    await owner.close();
    expect(ownerRow()).toBeUndefined();
    // Another process opens right away.
    expect(await openInChild(sqlite.file)).toEqual({ ok: true });
  });

  it('an owner on another machine is waited out until its heartbeat is stale', async () => {
    const mine = await ownRow();
    const elsewhere: OwnerRow = {
      ...mine,
      owner_id: 'other-owner',
      pid: 4242,
      host: 'other-host',
      machine: 'boot:another-machine',
      lock_file: '1:2',
      heartbeat_at: Date.now(),
    };
    writeOwnerRow(elsewhere);
    const err = await errorOf(openSqliteStore({ path: sqlite.file }));
    expect(isAionError(err) && err.code).toBe('store_locked');
    expect((err as Error).message).toContain('process 4242 on other-host');
    expect(ownerRow()?.owner_id).toBe('other-owner');

    writeOwnerRow({ ...elsewhere, heartbeat_at: Date.now() - 60 * 60_000 });
    await open();
    expect(ownerRow()?.pid).toBe(process.pid);
  });

  it('an owner on this machine whose process has ended is taken over at once', async () => {
    const mine = await ownRow();
    writeOwnerRow({
      ...mine,
      owner_id: 'dead-owner',
      pid: deadPid(),
      lock_file: '1:2', // its lock file was another one (deleted since)
      heartbeat_at: Date.now(),
    });
    await open();
    expect(ownerRow()?.pid).toBe(process.pid);
  });

  it('an owner on this machine that held this very lock file is taken over at once, even if its PID is alive', async () => {
    const mine = await ownRow();
    // A live process that is not an owner: the lock file it was recorded with is free now.
    writeOwnerRow({
      ...mine,
      owner_id: 'restarted-owner',
      pid: process.ppid,
      heartbeat_at: Date.now(),
    });
    await open();
    expect(ownerRow()?.pid).toBe(process.pid);
  });

  it('an owner whose row is taken over stops: every call fails with store_locked, and its close leaves the new row', async () => {
    const store = await open();
    const mine = ownerRow()!;
    writeOwnerRow({ ...mine, owner_id: 'usurper', pid: 4343, host: 'usurper-host' });
    const err = await until('the owner to notice', async () => {
      try {
        await store.headSeq(runKey(1));
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect(isAionError(err) && err.code).toBe('store_locked');
    expect((err as Error).message).toContain('process 4343 on usurper-host took it over');
    await store.close();
    expect(ownerRow()?.owner_id).toBe('usurper');
  });
});
