/**
 * Workflows of the golden-history suite. The fixtures in `fixtures/` were recorded from this
 * file (by `record.ts`) and must keep replaying against it: editing a workflow here in a way
 * that changes the commands it issues is exactly the regression the suite exists to catch.
 * Add new workflows (and new fixtures) instead of changing existing ones.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  random,
  setHandler,
  sleep,
  uuid4,
} from 'aion/workflow';

export interface ReplayActs {
  /** Returns `label`, tagged: a stand-in for any side effect. */
  step(label: string): Promise<string>;
  /** The price of `sku` (a fixed table in the stubs). */
  price(sku: string): Promise<number>;
  /** Always fails with a retryable error. */
  alwaysFails(what: string): Promise<never>;
  /** Never finishes by itself: ends only when its attempt is cancelled. */
  hang(label: string): Promise<never>;
  /** Cleanup/compensation; returns what it released. */
  release(what: string): Promise<string>;
  /** Pure computation run as a local activity. */
  double(x: number): Promise<number>;
}

const acts = proxyActivities<ReplayActs>({ startToCloseTimeout: '1 minute' });

const retried = proxyActivities<ReplayActs>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
});

const hanging = proxyActivities<ReplayActs>({
  startToCloseTimeout: '1 hour',
  retry: { maximumAttempts: 1 },
});

const local = proxyLocalActivities<ReplayActs>({ startToCloseTimeout: '5s' });

export const addItem = defineSignal<[string]>('addItem');
export const finish = defineSignal('finish');
export const approve = defineSignal<[string]>('approve');
export const itemsQuery = defineQuery<readonly string[]>('items');

/** Three activities, each awaited before the next is scheduled. */
export async function sequential(orderId: string): Promise<string[]> {
  const reserved = await acts.step(`reserve ${orderId}`);
  const charged = await acts.step(`charge ${orderId}`);
  const shipped = await acts.step(`ship ${orderId}`);
  return [reserved, charged, shipped];
}

/** Schedules one activity per sku at once and sums the results. */
export async function fanOut(skus: string[]): Promise<number> {
  const prices = await Promise.all(skus.map((sku) => acts.price(sku)));
  return prices.reduce((a, b) => a + b, 0);
}

/** An activity fails on every attempt; the workflow catches the final ActivityFailure. */
export async function failureCaught(): Promise<{ attempt: number; message: string }> {
  try {
    await retried.alwaysFails('payment');
    throw ApplicationFailure.nonRetryable('expected the activity to fail', 'Unexpected');
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const compensated = await acts.release('payment');
    return {
      attempt: err.attempt,
      message: `${err.cause instanceof Error ? err.cause.message : '?'} / ${compensated}`,
    };
  }
}

/** A 30-day durable timer between two activities. */
export async function longSleep(): Promise<string> {
  await acts.step('before');
  await sleep('30 days');
  return await acts.step('after');
}

/** Waits up to `timeout` for an approval signal (both branches are recorded). */
export async function approval(timeout: string): Promise<{ approved: boolean; by?: string }> {
  let by: string | undefined;
  setHandler(approve, (who) => {
    by = who;
  });
  const approved = await condition(() => by !== undefined, timeout);
  if (!approved) await acts.step('escalate');
  return by !== undefined ? { approved, by } : { approved };
}

/**
 * Installs the `addItem` handler only after a one-minute timer: signals sent before are
 * buffered and delivered then, later ones go straight to the handler. Answers the `items`
 * query throughout and finishes on `finish`.
 */
export async function signals(): Promise<string[]> {
  const items: string[] = [];
  let finished = false;
  setHandler(itemsQuery, () => items);
  setHandler(finish, () => {
    finished = true;
  });
  await sleep('1 minute');
  setHandler(addItem, (item) => {
    items.push(item);
  });
  await condition(() => finished && items.length >= 3);
  await acts.step(`packed ${items.join(',')}`);
  return items;
}

/**
 * A scope with a 1-minute timeout around a never-ending activity and a 1-hour timer: the
 * timeout cancels both, and the workflow carries on.
 */
export async function scopeTimeout(): Promise<string> {
  let outcome: string;
  try {
    await CancellationScope.withTimeout('1 minute', () =>
      Promise.all([hanging.hang('slow'), sleep('1 hour')]),
    );
    outcome = 'finished';
  } catch (err) {
    outcome = isCancellation(err) ? 'cancelled' : `other: ${String(err)}`;
  }
  const after = await acts.step(`after ${outcome}`);
  return `${outcome} / ${after}`;
}

/**
 * Waits a day; cancelled (from the client) meanwhile, it releases what it reserved in a
 * non-cancellable scope and lets the cancellation end the run CANCELLED.
 */
export async function cancelledWithCleanup(orderId: string): Promise<string> {
  await acts.step(`reserve ${orderId}`);
  try {
    await sleep('1 day');
    return await acts.step(`ship ${orderId}`);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => acts.release(orderId));
    }
    throw err;
  }
}

/** Continues as new until `n` reaches `last`, one activity and one timer per run. */
export async function countdown(n: number, last: number, total: number): Promise<number> {
  const sum = total + n;
  await acts.step(`run ${n}`);
  await sleep('1 hour');
  if (n < last) await continueAsNew<typeof countdown>(n + 1, last, sum);
  return sum;
}

/**
 * Lets seeded randomness and workflow time choose between a timer and an activity, so that
 * replay drawing different values (or reading the wall clock) issues different commands.
 * The run id seeds the stream: replay of the same run draws the same values.
 */
export async function seededBranches(): Promise<{
  id: string;
  uuid: string;
  coin: string;
  dice: number;
  morning: boolean;
}> {
  const id = uuid4();
  const coin = random() < 0.5 ? 'heads' : 'tails';
  if (coin === 'heads') await sleep('1 minute');
  else await acts.step('tails');
  const dice = Math.floor(Math.random() * 6) + 1;
  if (dice % 2 === 0) await acts.step(`even ${dice}`);
  else await sleep(`${dice}s`);
  const uuid = crypto.randomUUID();
  if (parseInt(uuid.charAt(0), 16) < 8) await acts.step(`uuid ${uuid}`);
  // Workflow time: the time of the current activation, the same on replay.
  const morning = new Date(Date.now()).getUTCHours() < 12;
  if (morning) await acts.step('morning');
  else await sleep('1 minute');
  return { id, uuid, coin, dice, morning };
}

/** Two local activities in sequence and one alongside a regular activity. */
export async function localActivities(x: number): Promise<number> {
  const a = await local.double(x);
  const b = await local.double(a);
  const [c, label] = await Promise.all([local.double(b), acts.step('alongside')]);
  return c + label.length;
}
