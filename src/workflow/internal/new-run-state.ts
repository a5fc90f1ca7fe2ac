import { JsonPayloadConverter, type LogLine, type WorkflowInitInfo } from '../../core/index.js';
import { writeLog } from '../log.js';
import { seededRandom, uuidFrom } from './random.js';
import { currentRandom, setState, type RunState } from './run-state.js';
import { CancellationScope } from './scope.js';

/** The per-run cell behind the sandbox's Date, Math, console and crypto (see runtime/bootstrap). */
export interface GlobalsCell {
  now: () => number;
  random: () => number;
  uuid: () => string;
  log: (level: LogLine['level'], args: unknown[]) => void;
  /**
   * Set by a host that must see each log line as it is written (the workflow thread, whose
   * activation may never return: a deadlocked one is stopped, its output lost).
   */
  tap?: ((level: string, message: string, at: number) => void) | undefined;
}

/**
 * A fresh run state, made current (its root scope reads the current state), with the
 * sandbox's globals cell pointed at it.
 */
export function newRunState(init: WorkflowInitInfo, cell?: GlobalsCell): RunState {
  const s: RunState = {
    info: init,
    converter: new JsonPayloadConverter(),
    random: seededRandom(init.randomSeed),
    now: init.startTime,
    replaying: false,
    captureStacks: true,
    historyLength: 0,
    continueAsNewSuggested: false,
    commands: [],
    logs: [],
    closed: false,
    inQuery: false,
    taskFailure: undefined,
    nextActivityId: 0,
    nextTimerId: 0,
    activities: new Map(),
    timers: new Map(),
    conditions: new Set(),
    signalHandlers: new Map(),
    defaultSignalHandler: undefined,
    defaultUpdateHandler: undefined,
    runningHandlers: 0,
    bufferedSignals: [],
    bufferedUpdates: [],
    queryHandlers: new Map(),
    updateHandlers: new Map(),
    knownPatches: new Set(),
    nextChildId: 0,
    nextExternalId: 0,
    recordedExternals: 0,
    externals: new Map(),
    children: new Map(),
    sentPatches: new Set(),
    cancelRequested: false,
    started: false,
    timeouts: new Map(),
    violation: undefined,
    rootScope: undefined as unknown as CancellationScope,
    interceptors: { inbound: [], outbound: [] },
    workflowNames: new Map(),
    randomStreams: new Map(),
    randomOverride: undefined,
  };
  s.rootScope = new CancellationScope({ cancellable: true, parent: undefined });
  setState(s);
  if (cell) {
    cell.now = () => s.now;
    cell.random = () => currentRandom(s);
    cell.uuid = () => uuidFrom(() => currentRandom(s));
    cell.log = (level, args) => writeLog(s, level, args[0], args.slice(1));
    if (typeof cell.tap === 'function') s.logTap = cell.tap;
  }
  return s;
}
