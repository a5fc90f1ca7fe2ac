// Drivers of the application samples (Next.js, NestJS, tRPC apps, monorepos): driven as their
// API routes or specs call Temporal.
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { assert, delay, expectReject } from '../check.js';
import type { Activities, Sample, SampleContext } from '../types.js';

const nextjsOneClick: Sample = {
  name: 'nextjs-ecommerce-oneclick',
  workflows: 'temporal/src/workflows.ts',
  taskQueue: 'ecommerce-oneclick',
  activityUse: 'unchanged',
  note: 'driven as its Next.js API routes do (startBuy, getBuyState, cancelBuy)',
  activities: (ctx) => ctx.load('temporal/src/activities.ts'),
  async run(env) {
    const c = env.client.workflow;
    await c.start('OneClickBuy', { workflowId: 'tx-1', args: ['item-1'] });
    assert.equal(await c.getHandle('tx-1').query('purchaseState'), 'PURCHASE_PENDING');
    assert.equal(await c.getHandle('tx-1').result(), 'checking out item-1!');
    await c.start('OneClickBuy', { workflowId: 'tx-2', args: ['item-2'] });
    await c.getHandle('tx-2').signal('cancelPurchase');
    assert.equal(await c.getHandle('tx-2').query('purchaseState'), 'PURCHASE_CANCELED');
    assert.equal(await c.getHandle('tx-2').result(), 'canceled purchase item-2!');
  },
};

const nestjsExchangeRates: Sample = {
  name: 'nestjs-exchange-rates',
  workflows: 'apps/worker/src/temporal/workflows.ts',
  taskQueue: 'test-exchange-rates',
  activityUse: 'needs-client',
  note: "the activity is a NestJS @Injectable service calling a live rates API through @nestjs/axios: driven with workflows.spec.ts's mock activity ({ AUD: 1.27 })",
  local: true, // as its spec: queries after 5 s of wall clock
  activities: () => Promise.resolve({ getExchangeRates: () => Promise.resolve({ AUD: 1.27 }) }),
  // workflows.spec.ts
  async run(env) {
    const h = await env.client.workflow.start('exchangeRatesWorkflow', {
      workflowId: 'exchange-rates-workflow',
      workflowExecutionTimeout: 10_000,
    });
    await delay(5000);
    assert.deepEqual(await h.query('getExchangeRates'), { AUD: 1.27 });
    await h.terminate();
  },
};

type Published = { key: string; version: number; fields: string[] };

async function subscriptionActivities(ctx: SampleContext, published: Published[]) {
  // worker.ts registers workflows/subscriptions.ts as a workflow interceptor module
  // (interceptors.workflowModules): a generated entry re-exports its `interceptors`.
  writeFileSync(
    ctx.path('yardstick-entry.ts'),
    "export * from './src/workflows/index';\nexport { interceptors } from './src/workflows/subscriptions';\n",
  );
  const m = await ctx.load<{ createActivities: (r: unknown) => Activities }>('src/activities.ts');
  const redis = {
    xadd: (key: string, version: number, ...fields: string[]) => {
      published.push({ key, version, fields });
      return Promise.resolve(String(version));
    },
  };
  return m.createActivities(redis);
}

function querySubscriptions(): Sample {
  const published: Published[] = [];
  return {
    name: 'query-subscriptions',
    workflows: 'yardstick-entry.ts',
    taskQueue: 'changelogs',
    activityUse: 'stubbed-endpoint',
    packages: ['immer'],
    note: 'publish() writes JSON patches to a Redis stream: the unchanged createActivities gets an in-memory stand-in for the ioredis client (xadd recorded); worker.ts passes workflows/subscriptions.ts as interceptors.workflowModules (no Aion equivalent): a generated workflow entry re-exports its interceptors',
    activities: (ctx) => subscriptionActivities(ctx, published),
    // subscribe.ts
    async run(env) {
      const h = await env.client.workflow.start('counter', { workflowId: 'counter-1', args: [0] });
      const first = await h.query<{ version: number; value: number }>('getValue');
      assert.equal(first.value, 0);
      await h.result();
      assert.equal(published.length, 10, `10 published versions, got ${published.length}`);
      const last = JSON.parse(published.at(-1)!.fields[1]!) as unknown;
      assert.deepEqual(last, { op: 'replace', path: ['value'], value: 100 });
    },
  };
}

/** The @fooddelivery/* workspace packages, linked as npm workspaces link them. */
function linkFoodDelivery(ctx: SampleContext): void {
  const scope = ctx.path('node_modules/@fooddelivery');
  mkdirSync(scope, { recursive: true });
  for (const p of ['common', 'activities', 'workflows']) {
    const link = `${scope}/${p}`;
    if (!existsSync(link)) symlinkSync(ctx.path(`packages/${p}`), link);
  }
}

const foodDelivery: Sample = {
  name: 'food-delivery',
  workflows: 'packages/workflows/index.ts',
  taskQueue: 'durable-delivery',
  activityUse: 'unchanged',
  note: "driven as the menu and driver apps' tRPC routes do (start order, getStatus, pickedUp, delivered, list)",
  activities(ctx) {
    linkFoodDelivery(ctx);
    return ctx.load('packages/activities/index.ts');
  },
  async run(env) {
    const c = env.client.workflow;
    const h = await c.start('order', { workflowId: 'order-1', args: [2] });
    const status = async () => (await h.query<{ state: string }>('getStatus')).state;
    // the payment activity fails 70 % of the time and is retried: let time pass until Paid
    for (let i = 0; i < 200 && (await status()) !== 'Paid'; i++) await env.sleep('5s');
    assert.equal(await status(), 'Paid');
    await h.signal('pickedUp');
    await h.signal('delivered');
    assert.equal(await status(), 'Delivered');
    await h.result();
    // product 1 costs 3500 cents: the card is declined (non-retryable), the order fails
    const h2 = await c.start('order', { workflowId: 'order-2', args: [1] });
    const e = (await expectReject(h2.result())) as Error;
    assert.match(String(e.message), /Failed to charge customer|Card declined/);
    const list = await c.list({ query: 'WorkflowType = "order"' });
    assert.equal(list.items.length, 2);
  },
};

const monorepoFolders: Sample = {
  name: 'monorepo-folders',
  workflows: 'packages/temporal-workflows/src/all-workflows.ts',
  taskQueue: 'monorepo',
  activityUse: 'unchanged',
  activities: (ctx) => ctx.load('packages/temporal-workflows/src/all-activities.ts'),
  // backend-apis/temporal-client.ts
  async run(env) {
    const r = await env.client.workflow.execute('WorkflowA', {
      workflowId: 'workflow-a-1',
      args: ['Temporal'],
    });
    assert.equal(r, 'A: ActivityA result: A-Temporal! | B: ActivityB result: B-Temporal!');
    const b = await env.client.workflow.start('WorkflowB', { workflowId: 'workflow-b-1' });
    assert.equal(await b.result(), 'ActivityC result: C-WorkflowB! ActivityD result: D-WorkflowB!');
  },
};

export function appSamples(): Sample[] {
  return [nextjsOneClick, nestjsExchangeRates, querySubscriptions(), foodDelivery, monorepoFolders];
}
