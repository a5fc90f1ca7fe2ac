import {
  condition,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
  type Duration,
} from 'aion/workflow';
import type * as activities from './activities.js';

export interface ApprovalRequest {
  readonly title: string;
  readonly requestedBy: string;
  /** How long approvers have to decide. Default '1 day'. */
  readonly timeout?: Duration;
}

export type Decision =
  | { readonly outcome: 'approved' | 'rejected'; readonly by: string; readonly comment?: string }
  | { readonly outcome: 'timed-out' };

/** An approver's decision. The first decision wins; later ones are ignored. */
export const decide =
  defineSignal<[decision: { approve: boolean; by: string; comment?: string }]>('decide');
/** The decision so far (`undefined` while pending). */
export const decision = defineQuery<Decision | undefined>('decision');

const { notifyApprovers, notifyRequester } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
});

/** Asks for an approval and waits for a decision or the timeout, whichever comes first. */
export async function approval(request: ApprovalRequest): Promise<Decision> {
  let result: Decision | undefined;
  setHandler(decide, ({ approve, by, comment }) => {
    result ??= {
      outcome: approve ? 'approved' : 'rejected',
      by,
      ...(comment === undefined ? {} : { comment }),
    };
  });
  setHandler(decision, () => result);

  await notifyApprovers(workflowInfo().workflowId, request.title);
  const timeout = request.timeout ?? '1 day';
  // condition() with a timeout: true when a decision arrived, false when the durable timer
  // fired first. The timer survives restarts of the process.
  const decided = await condition(() => result !== undefined, timeout);
  if (!decided) {
    log.warn(`no decision within ${String(timeout)}`);
    result = { outcome: 'timed-out' };
  }
  const final: Decision = result ?? { outcome: 'timed-out' };
  await notifyRequester(request.requestedBy, request.title, final.outcome);
  return final;
}
