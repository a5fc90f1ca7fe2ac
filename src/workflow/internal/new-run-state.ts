import {
  JsonPayloadConverter,
  SmallMap,
  type LogLine,
  type PayloadConverter,
  type WorkflowCommand,
  type WorkflowInitInfo,
} from '../../core/index.js';
import { writeLog } from '../log.js';
import { seededRandom, uuidFrom } from './random.js';
import { currentRandom, setState, STACKS_PER_ACTIVATION, type RunState } from './run-state.js';
import { CancellationScope } from './scope.js';
import { NO_EXPORTS } from './workflow-exports.js';

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
 * A run's state. Its collections (pending activities, timers and conditions, message handlers,
 * children, external requests, patches, `setTimeout` handles, named random streams) are each
 * made on first use, so that a run waiting on a timer or a signal keeps only what it uses. A
 * class with its fields declared, so that every state has the same shape with its fields in
 * the object.
 */
class RunStateObject implements RunState {
  readonly info: WorkflowInitInfo;
  converter: PayloadConverter = JSON_CONVERTER;
  readonly random: () => number;
  now: number;
  replaying = false;
  stacksLeft = STACKS_PER_ACTIVATION;
  conditionStacks = true;
  historyLength = 0;
  continueAsNewSuggested = false;
  commands: WorkflowCommand[] = [];
  logs: LogLine[] = [];
  logTap: RunState['logTap'] = undefined;
  closed = false;
  inQuery = false;
  taskFailure: RunState['taskFailure'] = undefined;
  nextActivityId = 0;
  nextTimerId = 0;
  defaultSignalHandler: RunState['defaultSignalHandler'] = undefined;
  defaultUpdateHandler: RunState['defaultUpdateHandler'] = undefined;
  runningHandlers = 0;
  readonly bufferedSignals: RunState['bufferedSignals'] = [];
  readonly bufferedUpdates: RunState['bufferedUpdates'] = [];
  nextChildId = 0;
  nextExternalId = 0;
  recordedExternals = 0;
  cancelRequested = false;
  started = false;
  violation: unknown = undefined;
  rootScope: RunState['rootScope'] = undefined as unknown as RunState['rootScope'];
  interceptors: RunState['interceptors'] = NO_INTERCEPTORS;
  workflows: RunState['workflows'] = NO_EXPORTS;
  workflowNames: RunState['workflowNames'] = undefined;
  randomOverride: RunState['randomOverride'] = undefined;
  #activities: RunState['activities'] | undefined;
  #timers: RunState['timers'] | undefined;
  #conditions: RunState['conditions'] | undefined;
  #signalHandlers: RunState['signalHandlers'] | undefined;
  #queryHandlers: RunState['queryHandlers'] | undefined;
  #updateHandlers: RunState['updateHandlers'] | undefined;
  #externals: RunState['externals'] | undefined;
  #children: RunState['children'] | undefined;
  #knownPatches: RunState['knownPatches'] | undefined;
  #sentPatches: RunState['sentPatches'] | undefined;
  #timeouts: RunState['timeouts'] | undefined;
  #randomStreams: RunState['randomStreams'] | undefined;

  constructor(init: WorkflowInitInfo) {
    this.info = init;
    this.random = seededRandom(init.randomSeed);
    this.now = init.startTime;
  }

  get activities(): RunState['activities'] {
    return (this.#activities ??= new SmallMap());
  }
  get timers(): RunState['timers'] {
    return (this.#timers ??= new SmallMap());
  }
  get conditions(): RunState['conditions'] {
    return (this.#conditions ??= new Set());
  }
  get conditionCount(): number {
    return this.#conditions?.size ?? 0;
  }
  get signalHandlers(): RunState['signalHandlers'] {
    return (this.#signalHandlers ??= new Map());
  }
  get queryHandlers(): RunState['queryHandlers'] {
    return (this.#queryHandlers ??= new Map());
  }
  get updateHandlers(): RunState['updateHandlers'] {
    return (this.#updateHandlers ??= new Map());
  }
  get externals(): RunState['externals'] {
    return (this.#externals ??= new Map());
  }
  get children(): RunState['children'] {
    return (this.#children ??= new Map());
  }
  get knownPatches(): RunState['knownPatches'] {
    return (this.#knownPatches ??= new Set());
  }
  get sentPatches(): RunState['sentPatches'] {
    return (this.#sentPatches ??= new Set());
  }
  get timeouts(): RunState['timeouts'] {
    return (this.#timeouts ??= new Map());
  }
  get randomStreams(): RunState['randomStreams'] {
    return (this.#randomStreams ??= new Map());
  }
}

/** JSON payloads (the converter holds no state: runs share it). */
const JSON_CONVERTER = new JsonPayloadConverter();

/** A run's interceptors until its module exports some. */
const NO_INTERCEPTORS: RunState['interceptors'] = Object.freeze({
  inbound: Object.freeze([]),
  outbound: Object.freeze([]),
});

/**
 * A fresh run state, made current (its root scope reads the current state), with the
 * sandbox's globals cell pointed at it.
 */
export function newRunState(init: WorkflowInitInfo, cell?: GlobalsCell): RunState {
  const s = new RunStateObject(init);
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
