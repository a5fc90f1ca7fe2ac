// Temporal tests of workflows in `workflows/` that check Temporal's own infrastructure: they
// are left out of the count, each with why. (Tests whose workflow is defined in the test file
// itself are outside the method: only `workflows/` files are built.)
import type { ExcludedTest } from '../case.js';

const WF = 'test-workflows.ts';

const PATCH_CALLBACK =
  "the Worker's patchActivationCallback option and its threaded/debug VM snapshots";
const SYNTHETIC_REPLAY = 'synthetic replay activations fed to the VM (Core activation protocol)';
const LEGACY_FLAGS = 'replays of histories written before SDK 1.11.0 (SDK flags)';

const patchCallbackTests = [
  'patch activation callback true patchedWorkflow',
  'patch activation callback false patchedWorkflow',
  'patch activation callback validates result patchedWorkflow',
  'patch activation callback uses the same Worker snapshot in debug and threaded modes patchedWorkflow',
  'patch activation callback receives a detached WorkflowInfo snapshot patchedWorkflow',
  'threaded patch activation callback preserves closures patchedWorkflow',
  'history patch marker bypasses patch activation callback patchedWorkflow',
  'replay without marker defers patch activation callback until live activation patchedWorkflow',
  'deprecated patch bypasses patch activation callback deprecatePatchWorkflow',
  'threaded patch activation callback logs complete errors before returning a compact failure patchedWorkflow',
];

const EXTSTORE = 'test-integration-extstore.ts';
const EXTERNAL_STORAGE =
  "Temporal's external payload storage (storage drivers set on the Worker and Client)";
const extstoreTests = [
  'large activity result is offloaded to external storage and retrieved once',
  'large activity input argument is offloaded and retrieved',
  'payloads at or below the threshold stay inline',
  'driverSelector routes offloaded payloads to the chosen driver',
  'offloaded payload round-trips byte-for-byte',
  'large heartbeat details are offloaded and recovered on retry',
  'child workflow input and result are offloaded in both directions',
  'continue-as-new offloads a large argument keyed under the target workflow type',
  'a transient workflow-completion store failure retries the workflow task and recovers',
  'a transient workflow-activation retrieve failure retries the workflow task and recovers',
  'a transient activity result store failure retries the activity and recovers',
  'a transient activity input retrieve failure retries the activity and recovers',
  'client offloads a large start argument and retrieves a large result',
  'client retrieves an offloaded query result',
  'AsyncCompletionClient.complete offloads a large result',
  'AsyncCompletionClient.complete by ID targets the Workflow for a Workflow Activity',
  'AsyncCompletionClient.complete by ID targets the Activity for a Standalone Activity',
  'signalWithStart offloads a large workflow argument and targets the workflow type',
  'activity-client start offloads a large input and targets the activity',
  'client offloads a large workflow memo and retrieves it via describe',
  'schedule create offloads a large memo and describe retrieves it',
];

export const EXCLUDED: readonly ExcludedTest[] = [
  ...extstoreTests.map((name) => ({ name, from: EXTSTORE, why: EXTERNAL_STORAGE })),
  {
    name: 'declined patch can roll back to old Workflow code',
    from: 'test-integration-patch-activation-callback.ts',
    why: PATCH_CALLBACK,
  },
  {
    name: 'recorded patch bypasses declining callback on a new Worker',
    from: 'test-integration-patch-activation-callback.ts',
    why: PATCH_CALLBACK,
  },
  ...patchCallbackTests.map((name) => ({ name, from: WF, why: PATCH_CALLBACK })),
  { name: 'replay-no-marker patchedWorkflow', from: WF, why: SYNTHETIC_REPLAY },
  { name: 'replay-no-marker-then-not-replay patchedWorkflow', from: WF, why: SYNTHETIC_REPLAY },
  { name: 'replay-with-marker patchedWorkflow', from: WF, why: SYNTHETIC_REPLAY },
  {
    name: "Pending promises can't unblock between signals and updates - pre-1.11.0 - signalUpdateOrderingWorkflow",
    from: WF,
    why: LEGACY_FLAGS,
  },
  {
    name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering (no signal) - pre-1.11.0 compatibility - signalsActivitiesTimersPromiseOrdering',
    from: WF,
    why: LEGACY_FLAGS,
  },
  {
    name: 'Signals/Updates/Activities/Timers have coherent promise completion ordering (w/ signals) - pre-1.11.0 compatibility - signalsActivitiesTimersPromiseOrdering',
    from: WF,
    why: LEGACY_FLAGS,
  },
  {
    name: 'Signals/Updates/Activities/Timers - Trace promises completion order - pre-1.11.0 compatibility - signalsActivitiesTimersPromiseOrderingTracer',
    from: WF,
    why: LEGACY_FLAGS,
  },
  {
    name: 'Worker default ServerOptions are generated correctly',
    from: 'test-integration-split-one.ts',
    why: "the worker's identity and binary checksum format in Temporal's history",
  },
  {
    name: 'Download and replay multiple executions with client list method',
    from: 'test-integration-split-one.ts',
    why: "Temporal's visibility list and Worker.runReplayHistories",
  },
  {
    name: 'Stack trace query returns stack that makes sense',
    from: 'test-integration-split-three.ts',
    why: "the exact V8 stack layout of Temporal's own source files (__stack_trace)",
  },
  {
    name: 'Enhanced stack trace returns trace that makes sense',
    from: 'test-integration-split-three.ts',
    why: "Temporal's enhanced stack trace format with its SDK source map",
  },
  {
    name: 'Stack trace query throws when not enabled',
    from: 'test-integration-split-three.ts',
    why: 'a Temporal Worker option (stack traces off) and its error text',
  },
];
