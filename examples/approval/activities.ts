/** Notification activities; a real system would send e-mail or chat messages here. */
export async function notifyApprovers(requestId: string, title: string): Promise<void> {
  console.log(`  [notify] approvers: please decide on "${title}" (request ${requestId})`);
}

export async function notifyRequester(
  requester: string,
  title: string,
  outcome: string,
): Promise<void> {
  console.log(`  [notify] ${requester}: "${title}" → ${outcome}`);
}
