import type { CliIo } from '../../src/cli/output.js';

/** A CLI output sink that collects what a command writes (`out`, `err`). */
export function capture(isTTY = false): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTTY,
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}
