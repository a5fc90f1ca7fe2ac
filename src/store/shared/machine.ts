// Which machine and PID namespace this process runs in, and whether a process recorded by an
// earlier owner still exists: how a store tells "the previous owner died" from "another owner
// is alive" without waiting for its heartbeat to go stale (SQLite owner row, PostgreSQL node
// rows).
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export interface MachineIdentity {
  /** `boot:<Linux boot id>`, else `host:<host name>`. */
  readonly machine: string;
  /** The PID namespace (`/proc/self/ns/pid` link), or '' off Linux. */
  readonly pidNamespace: string;
}

let identity: MachineIdentity | undefined;

/** Which kernel (Linux boot id, else the host name) and which PID namespace this process is in. */
export function machineIdentity(): MachineIdentity {
  if (identity) return identity;
  let machine = `host:${os.hostname()}`;
  let pidNamespace = '';
  try {
    machine = `boot:${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`;
    pidNamespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // not Linux: the host name stands for the machine, and there are no PID namespaces
  }
  identity = { machine, pidNamespace };
  return identity;
}

/** Whether a process with this PID exists (in this process's PID namespace). */
export function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Whether the process a store recorded as its owner has provably ended: only checkable on
 * this machine and in this PID namespace, where its PID runs no process any more — or is this
 * process's own PID, which makes it an earlier process (the caller has already ruled out an
 * owner open in this process).
 */
export function recordedProcessEnded(recorded: {
  readonly machine: string;
  readonly pidNamespace: string;
  readonly pid: number;
}): boolean {
  const me = machineIdentity();
  if (recorded.machine !== me.machine || recorded.pidNamespace !== me.pidNamespace) return false;
  return recorded.pid === process.pid || !processExists(recorded.pid);
}
