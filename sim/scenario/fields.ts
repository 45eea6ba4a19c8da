/**
 * What a scenario file may say, for people: every field of the top level,
 * `network`, `workload`, a fault's trigger (`at` / `on` / `delay`) and each
 * fault kind, with its type, default and meaning, plus complete examples of
 * each fault kind. `locksim list` prints it (and `list --json` carries it);
 * the largest values the loader takes are its `SCENARIO_LIMITS`, shown beside.
 *
 * Plain data, no logic: the loader (`load.ts`, `faults-schema.ts`) is what
 * validates. test/cli-fields.test.ts keeps the two in step: every field
 * documented here (and every example) is accepted by the loader, and every
 * field the loader accepts is documented here.
 */
import type { FaultKind } from './types.ts';

/** How durations are written, said once above the fields. */
export const DURATION_FORMS = 'durations are "250ms", "10s", "2m" or a number of milliseconds';

/** One field: its name, its type as people write it, its default (or `required…` when it must be given) and what it does. */
export interface FieldDoc {
  readonly name: string;
  readonly type: string;
  readonly default: string;
  readonly meaning: string;
  /** A value the loader accepts for it (used to check this documentation). */
  readonly example: unknown;
}

/** One fault kind: what it does, the fields it takes besides the trigger's, and complete examples. */
export interface FaultKindDoc {
  readonly kind: FaultKind;
  readonly meaning: string;
  readonly fields: readonly FieldDoc[];
  /** Valid faults of this kind that together use every field above. */
  readonly examples: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** A duration: "250ms", "10s", "2m" or a number of milliseconds (DURATION_FORMS). */
const DURATION = 'duration';
const RANGE = 'duration or {min, max}';
const TARGET = 'node (s1…, c1…) | leader | holder | servers | clients';

/** The top level of a scenario file. */
export const SCENARIO_FIELDS: readonly FieldDoc[] = [
  { name: 'name', type: 'string', default: 'the file name', meaning: 'the scenario\'s name in reports', example: 'calm' },
  { name: 'description', type: 'string', default: '""', meaning: 'one line on what it shows', example: 'a short calm run' },
  { name: 'seed', type: 'integer >= 0', default: '1', meaning: 'decides every random choice (run --seed overrides it)', example: 7 },
  { name: 'duration', type: DURATION, default: '"60s"', meaning: 'simulated time the run covers', example: '20s' },
  { name: 'livenessWithin', type: DURATION, default: '"30s"', meaning: 'liveness: after the last fault ends (or from the start, with no fault), each client not crashed for good must complete a section granted after that instant within this; keep it below what remains of the run after the last fault, or liveness is null (a window the run did not see)', example: '10s' },
  { name: 'coldStart', type: 'boolean', default: 'false', meaning: 'true: clients and `at` times start at true time 0 with the servers; false: once the service is ready (leader elected, first entry committed)', example: true },
  { name: 'designs', type: 'list of design names | "all"', default: 'required', meaning: 'the designs run side by side (locksim list names them); "all": every design, in registry order. A design a fault cannot apply to (a fixed node it does not run, `leader` on a leaderless design, `holder` on a lock-free one) is skipped with the reason, not failed', example: ['redis'] },
  { name: 'config', type: '{design: {knob: value}}', default: '{}', meaning: 'each design\'s knobs over its defaults (listed under Designs)', example: { redis: { ttl: '10s' } } },
  { name: 'network', type: 'object', default: '{}', meaning: 'steady network conditions (fields below)', example: { loss: 0 } },
  { name: 'workload', type: 'object', default: '{}', meaning: 'what the clients do (fields below)', example: { clients: 2 } },
  { name: 'faults', type: 'list of faults', default: '[]', meaning: 'what goes wrong, and when (fault kinds below)', example: [{ at: '1s', kind: 'heal' }] },
  { name: 'expect', type: '{design: {check: true | false | null}}', default: '{}', meaning: 'the verdicts you expect; run exits 1 when one differs', example: { redis: { mutualExclusion: true } } },
];

/** `network`: the network between every pair of nodes, outside faults. */
export const NETWORK_FIELDS: readonly FieldDoc[] = [
  { name: 'latency', type: RANGE, default: '{"min": "1ms", "max": "5ms"}', meaning: 'one-way delay of each message, drawn from the range', example: { min: '2ms', max: '8ms' } },
  { name: 'loss', type: 'probability 0..1', default: '0', meaning: 'chance a message is dropped', example: 0.01 },
  { name: 'duplicate', type: 'probability 0..1', default: '0', meaning: 'chance a message is delivered twice', example: 0.01 },
];

/** `workload`: each client loops acquire → read store → hold → write store → release → think. */
export const WORKLOAD_FIELDS: readonly FieldDoc[] = [
  { name: 'clients', type: 'integer >= 1', default: '3', meaning: 'clients c1..cN, each running the loop', example: 2 },
  { name: 'sections', type: 'integer >= 1', default: '20', meaning: 'critical sections each client completes (or until duration)', example: 3 },
  { name: 'hold', type: RANGE, default: '"2s"', meaning: 'time between reading and writing the store while holding the lock', example: { min: '100ms', max: '300ms' } },
  { name: 'think', type: RANGE, default: '"500ms"', meaning: 'pause after a section (or a failed acquire) before the next', example: '100ms' },
  { name: 'stagger', type: DURATION, default: '"0s"', meaning: 'client i starts at (i-1)·stagger', example: '50ms' },
  { name: 'acquireTimeout', type: DURATION, default: '"5s"', meaning: 'an acquire not granted by then is given up (counted, then think, retry)', example: '2s' },
  { name: 'fencing', type: 'none | writes | reads-and-writes', default: '"none"', meaning: 'what the store checks fencing tokens on', example: 'writes' },
  { name: 'checkBeforeWrite', type: 'boolean', default: 'false', meaning: 'just before writing, the client checks by its own clock that its lock is still valid', example: true },
  { name: 'permits', type: 'integer >= 1', default: '1', meaning: 'more than 1 makes the lock a semaphore', example: 1 },
];

/** Fields every fault takes: its kind and when it fires. */
export const FAULT_TRIGGER_FIELDS: readonly FieldDoc[] = [
  { name: 'kind', type: 'fault kind', default: 'required', meaning: 'what happens (kinds below)', example: 'heal' },
  { name: 'at', type: DURATION, default: 'required: at or on', meaning: 'fires at this true time (before the scenario\'s duration)', example: '1s' },
  { name: 'on', type: '{event, node, nth, delay}', default: 'required: at or on', meaning: 'fires on the nth occurrence of an event (fields below)', example: { event: 'acquired' } },
  { name: 'delay', type: DURATION, default: '"0s"', meaning: 'with on: fire this long after the event (a network fault\'s delay is added latency: put its trigger delay in on.delay)', example: '100ms' },
];

/** A fault's `on` trigger. */
export const FAULT_ON_FIELDS: readonly FieldDoc[] = [
  { name: 'event', type: 'acquired | released | granted | elected | expired', default: 'required', meaning: 'acquired/released happen at clients, the rest at servers', example: 'acquired' },
  { name: 'node', type: 'node (s1…, c1…)', default: 'any node', meaning: 'count the event only at this node', example: 'c1' },
  { name: 'nth', type: 'integer >= 1', default: '1', meaning: 'which occurrence fires the fault', example: 2 },
  { name: 'delay', type: DURATION, default: '"0s"', meaning: 'fire this long after it', example: '100ms' },
];

const target = (meaning: string): FieldDoc => ({ name: 'target', type: TARGET, default: 'required', meaning, example: 'c1' });

/** Each fault kind's own fields. */
export const FAULT_KIND_DOCS: readonly FaultKindDoc[] = [
  {
    kind: 'pause',
    meaning: 'a process or GC pause: the node handles nothing while time flows; on resume its backlog runs in the order it came due',
    fields: [target('the paused node(s)'), { name: 'duration', type: DURATION, default: 'required', meaning: 'how long the pause lasts', example: '15s' }],
    examples: [
      { at: '1s', kind: 'pause', target: 'c1', duration: '500ms' },
      { on: { event: 'acquired', node: 'c1', nth: 1 }, delay: '100ms', kind: 'pause', target: 'holder', duration: '15s' },
    ],
  },
  {
    kind: 'crash',
    meaning: 'the node loses its volatile state (and its timers); its disk keeps what durable says',
    fields: [
      target('the crashed node(s)'),
      { name: 'restartAfter', type: DURATION, default: 'never restarts', meaning: 'restart this long after the crash (without it the node is down for good: for liveness the crash ends when it fires, and a client crashed for good owes nothing)', example: '2s' },
      { name: 'durable', type: 'all | fsynced | none', default: '"fsynced"', meaning: 'what the disk keeps', example: 'none' },
    ],
    examples: [{ at: '1s', kind: 'crash', target: 's1', restartAfter: '2s', durable: 'none' }],
  },
  {
    kind: 'clock-jump',
    meaning: 'the node\'s wall clock jumps (its monotonic clock does not)',
    fields: [target('the node(s) whose clock jumps'), { name: 'by', type: 'signed duration ("+20s", "-5s")', default: 'required', meaning: 'how far the wall clock jumps', example: '+20s' }],
    examples: [{ at: '1s', kind: 'clock-jump', target: 's1', by: '-5s' }],
  },
  {
    kind: 'clock-drift',
    meaning: 'the node\'s clocks run at (1 + rate)× true speed',
    fields: [
      target('the node(s) whose clock drifts'),
      { name: 'rate', type: 'number', default: 'required', meaning: '0.5 runs 50% fast, -0.5 at half speed (see Limits)', example: 0.5 },
      { name: 'duration', type: DURATION, default: 'to the end', meaning: 'how long the drift lasts (a drift to the end is a permanent rate: for liveness it ends when it fires)', example: '3s' },
    ],
    examples: [{ at: '1s', kind: 'clock-drift', target: 'c1', rate: 0.5, duration: '3s' }],
  },
  {
    kind: 'partition',
    meaning: 'cuts links between servers and clients (the store stays reachable unless named); exactly one of shape, groups or cut',
    fields: [
      { name: 'shape', type: 'isolate | halves | majority-minority | bridge | ring | one-way', default: 'required: one of shape, groups, cut', meaning: 'a ready-made partition', example: 'halves' },
      { ...target('with shape isolate or one-way (required there): the node(s) cut off'), default: 'none (shape only)' },
      { name: 'groups', type: 'list of lists of nodes', default: 'required: one of shape, groups, cut', meaning: 'the sides; "others" is every node not named, leader/holder resolve when it fires', example: [['c1', 'leader'], ['others']] },
      { name: 'cut', type: 'list of [node, node]', default: 'required: one of shape, groups, cut', meaning: 'links to cut (a group name cuts every link to its members)', example: [['c1', 's1']] },
      { name: 'oneWay', type: 'boolean', default: 'false', meaning: 'with cut: cut only from the first to the second', example: true },
      { name: 'duration', type: DURATION, default: 'until a heal', meaning: 'then the partition heals (with no duration and no heal after it, it never ends and liveness is null)', example: '3s' },
    ],
    examples: [
      { at: '1s', kind: 'partition', shape: 'isolate', target: 'leader', duration: '3s' },
      { at: '1s', kind: 'partition', groups: [['c1', 'leader'], ['others']] },
      { at: '1s', kind: 'partition', cut: [['c1', 's1'], ['c2', 'servers']], oneWay: true, duration: '2s' },
    ],
  },
  {
    kind: 'network',
    meaning: 'worse network conditions for a window',
    fields: [
      { name: 'loss', type: 'probability 0..1', default: '0', meaning: 'chance a message is dropped', example: 0.2 },
      { name: 'duplicate', type: 'probability 0..1', default: '0', meaning: 'chance a message is delivered twice', example: 0.1 },
      { name: 'delay', type: DURATION, default: '"0s"', meaning: 'latency added to every message (at least one of loss, duplicate, delay)', example: '20ms' },
      { name: 'duration', type: DURATION, default: 'to the end', meaning: 'how long the conditions last (a window to the end never ends: liveness is null)', example: '2s' },
    ],
    examples: [
      { at: '1s', kind: 'network', loss: 0.2, duplicate: 0.1, delay: '20ms', duration: '2s' },
      { on: { event: 'acquired', delay: '50ms' }, kind: 'network', loss: 0.5 },
    ],
  },
  {
    kind: 'heal',
    meaning: 'ends every partition in force',
    fields: [],
    examples: [{ at: '1s', kind: 'heal' }],
  },
];
