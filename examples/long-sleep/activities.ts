export async function sendReminder(to: string, subject: string, workflowId: string): Promise<void> {
  console.log(`  [sendReminder] to ${to}: ${subject} (from ${workflowId})`);
}
