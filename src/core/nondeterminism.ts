import { AionError } from './errors.js';

/**
 * Replaying workflow code issued a command that differs from recorded history. The run is
 * not failed: the engine records a task failure and keeps it open until fixed code replays.
 */
export class NonDeterminismError extends AionError {
  readonly seq: number;
  readonly expected: string;
  readonly found: string;
  constructor(info: {
    workflowId: string;
    runId: string;
    seq: number;
    expected: string;
    found: string;
  }) {
    super(
      'nondeterminism',
      `non-determinism in workflow ${info.workflowId} run ${info.runId} at seq ${info.seq}: history has ${info.expected} but the code now issues ${info.found}; workflow code must make the same decisions on replay; the run stays open, pinned to its package version, until code that replays its history is deployed`,
      { ...info },
    );
    this.name = 'NonDeterminismError';
    this.seq = info.seq;
    this.expected = info.expected;
    this.found = info.found;
  }
}
