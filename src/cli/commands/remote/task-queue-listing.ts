// What `aion task-queue list` and `aion workers` both read: the namespace's task queues with
// their workers (`client.listTaskQueues`, GET {ns}/task-queues), with the same hints.
import type { TaskQueueListing } from '../../../core/index.js';
import { withHints } from '../../output.js';
import { clientFor, type RemoteFlags } from './connect.js';

/** Reads the listing for `flags` and hands it to `show`. */
export function withTaskQueues(
  flags: RemoteFlags,
  show: (listing: TaskQueueListing) => void,
): Promise<void> {
  return withHints(
    {
      not_found:
        'check --namespace (env AION_NAMESPACE); `aion namespace list` shows the namespaces',
    },
    async () => {
      const client = await clientFor(flags);
      show({ namespace: client.namespace, taskQueues: await client.listTaskQueues() });
    },
  );
}
