// The commands that talk to a running server, registered in `aion --help` order; each
// group lives in its own file beside this one.
import type { Command } from 'commander';
import type { CliIo } from '../../output.js';
import { registerBatchCommands } from './batch.js';
import { registerClusterCommands } from './cluster.js';
import { registerControlCommands } from './control.js';
import { registerDeployCommands } from './deploy.js';
import { registerInspectCommands } from './inspect.js';
import { registerMessageCommands } from './messages.js';
import { registerNamespaceCommands, registerSearchAttributeCommands } from './namespaces.js';
import { registerRecoveryCommands } from './recovery.js';
import { registerScheduleCommands } from './schedule.js';
import { registerStartCommands } from './start.js';
import { registerTaskQueueCommands } from './task-queues.js';
import { registerWorkersCommand } from './workers.js';

export { remoteHistory } from './inspect.js';

/** Commands that talk to a running server: workflows, packages, batches, schedules, namespaces, workers. */
export function registerRemoteCommands(program: Command, io: CliIo): void {
  registerStartCommands(program, io);
  registerMessageCommands(program, io);
  registerControlCommands(program, io);
  registerRecoveryCommands(program, io);
  registerInspectCommands(program, io);
  registerDeployCommands(program, io);
  registerBatchCommands(program, io);
  registerScheduleCommands(program, io);
  registerNamespaceCommands(program, io);
  registerSearchAttributeCommands(program, io);
  registerWorkersCommand(program, io);
  registerTaskQueueCommands(program, io);
  registerClusterCommands(program, io);
}
