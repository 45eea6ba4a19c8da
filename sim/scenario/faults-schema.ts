/**
 * Validation of a scenario's `faults` list (SPEC §3): triggers (`at` or `on`
 * plus `delay`), each fault kind's fields, and targets that exist in this
 * scenario. Produces the normalised `Fault` objects of `types.ts`.
 *
 * Models: what a fault says, not what it does (the runner's fault modules do
 * that). Dynamic targets (`leader`, `holder`) are only checked by name here;
 * they are resolved when the fault fires.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import {
  fail,
  readArray,
  readBoolean,
  readDuration,
  readEnum,
  readBoundedNumber,
  readInteger,
  readObject,
  readProbability,
  refuseUnknownFields,
  show,
  LIMITS,
  type Path,
  type Where,
} from './schema.ts';
import { FAULT_KINDS, type Durability, type Fault, type FaultKind, type PartitionShape, type Trigger, type TriggerEvent } from './types.ts';

/** The nodes a scenario has: what fault targets may name. */
export interface NodeNames {
  /** The most servers any of the scenario's designs runs (targets `s1..sN`). */
  readonly serverCount: number;
  readonly clientCount: number;
}

/** Everything fault validation needs besides the faults themselves. */
export interface FaultContext extends Where {
  readonly nodes: NodeNames;
  /** Scenario length: an `at` beyond it would never fire. */
  readonly durationUs: Micros;
}

const TRIGGER_EVENTS: readonly TriggerEvent[] = ['acquired', 'released', 'granted', 'elected', 'expired'];
const CLIENT_EVENTS: readonly TriggerEvent[] = ['acquired', 'released'];
const SHAPES: readonly PartitionShape[] = ['isolate', 'halves', 'majority-minority', 'bridge', 'ring', 'one-way'];
const DURABILITY: readonly Durability[] = ['all', 'fsynced', 'none'];
const DYNAMIC_TARGETS = ['leader', 'holder'] as const;
const GROUP_TARGETS = ['servers', 'clients'] as const;

const TRIGGER_FIELDS = ['kind', 'at', 'on', 'delay'] as const;
/** Fields each kind takes besides the trigger's. `network` uses `delay` for added latency, so its trigger delay goes in `on.delay`. */
const KIND_FIELDS: Record<FaultKind, readonly string[]> = {
  pause: ['target', 'duration'],
  crash: ['target', 'restartAfter', 'durable'],
  'clock-jump': ['target', 'by'],
  'clock-drift': ['target', 'rate', 'duration'],
  partition: ['shape', 'target', 'groups', 'cut', 'oneWay', 'duration'],
  network: ['loss', 'duplicate', 'duration'],
  heal: [],
};

/** Validates and normalises `faults`; `value` undefined means no faults. */
export function readFaults(ctx: FaultContext, value: unknown): Fault[] {
  if (value === undefined) return [];
  const list = readArray(ctx, value, ['faults'], 'a list of faults');
  return list.map((raw, index) => readFault(ctx, raw, index));
}

function readFault(ctx: FaultContext, raw: unknown, index: number): Fault {
  const path: Path = ['faults', index];
  const obj = readObject(ctx, raw, path, 'a fault object such as {"at": "5s", "kind": "pause", "target": "c1", "duration": "10s"}');
  if (obj.kind === undefined) fail(ctx, [...path, 'kind'], `missing; expected one of ${FAULT_KINDS.map((k) => JSON.stringify(k)).join(', ')}`);
  const kind = readEnum(ctx, obj.kind, [...path, 'kind'], FAULT_KINDS);
  refuseUnknownFields(ctx, obj, path, [...TRIGGER_FIELDS, ...KIND_FIELDS[kind], ...(kind === 'network' ? ['delay'] : [])], `a ${kind} fault`);
  const trigger = readTrigger(ctx, obj, path, kind);
  const base = { index, trigger };
  switch (kind) {
    case 'pause':
      return { ...base, kind, target: readTarget(ctx, obj, path), durationUs: required(ctx, obj, path, 'duration', 'a pause', (v, p) => readDuration(ctx, v, p, 'positive')) };
    case 'crash':
      return {
        ...base,
        kind,
        target: readTarget(ctx, obj, path),
        restartAfterUs: optional(obj.restartAfter, (v) => readDuration(ctx, v, [...path, 'restartAfter'], 'non-negative')),
        durable: obj.durable === undefined ? 'fsynced' : readEnum(ctx, obj.durable, [...path, 'durable'], DURABILITY),
      };
    case 'clock-jump':
      return {
        ...base,
        kind,
        target: readTarget(ctx, obj, path),
        byUs: required(ctx, obj, path, 'by', 'a clock-jump', (v, p) => readDuration(ctx, v, p, 'any', LIMITS.clockJumpUs)),
      };
    case 'clock-drift':
      return {
        ...base,
        kind,
        target: readTarget(ctx, obj, path),
        rate: required(ctx, obj, path, 'rate', 'a clock-drift', (v, p) => readDriftRate(ctx, v, p)),
        durationUs: optional(obj.duration, (v) => readDuration(ctx, v, [...path, 'duration'], 'positive')),
      };
    case 'partition':
      return { ...base, ...readPartition(ctx, obj, path) };
    case 'network':
      return { ...base, ...readNetworkFault(ctx, obj, path) };
    case 'heal':
      return { ...base, kind };
    default:
      throw new Error(`unhandled fault kind ${String(kind satisfies never)}`);
  }
}

function readTrigger(ctx: FaultContext, obj: Record<string, unknown>, path: Path, kind: FaultKind): Trigger {
  const hasAt = obj.at !== undefined;
  const hasOn = obj.on !== undefined;
  if (hasAt && hasOn) fail(ctx, path, `has both "at" and "on"; a fault fires at a time ("at": "5s") or on an event ("on": {"event": "acquired"}), not both`);
  if (!hasAt && !hasOn) fail(ctx, path, `missing "at" or "on"; a fault fires at a time ("at": "5s") or on an event ("on": {"event": "acquired", "node": "c1", "nth": 1})`);
  // `network` faults use top-level `delay` for added latency; every other kind may put the trigger delay there.
  const topDelay = kind === 'network' ? undefined : obj.delay;
  if (hasAt) {
    if (topDelay !== undefined) fail(ctx, [...path, 'delay'], `"delay" applies to "on" triggers only; with "at", add the delay to the time`);
    const atUs = readDuration(ctx, obj.at, [...path, 'at'], 'non-negative');
    if (atUs >= ctx.durationUs) fail(ctx, [...path, 'at'], `fires at ${show(obj.at)}, at or after the scenario's end; expected a time before its duration`);
    return { kind: 'at', atUs };
  }
  const onPath = [...path, 'on'];
  const on = readObject(ctx, obj.on, onPath, 'an event trigger such as {"event": "acquired", "node": "c1", "nth": 1}');
  refuseUnknownFields(ctx, on, onPath, ['event', 'node', 'nth', 'delay'], 'an "on" trigger');
  if (on.event === undefined) fail(ctx, [...onPath, 'event'], `missing; expected one of ${TRIGGER_EVENTS.map((e) => JSON.stringify(e)).join(', ')}`);
  const event = readEnum(ctx, on.event, [...onPath, 'event'], TRIGGER_EVENTS);
  let node: string | undefined;
  if (on.node !== undefined) {
    const clientEvent = CLIENT_EVENTS.includes(event);
    node = readStaticNode(ctx, on.node, [...onPath, 'node']);
    if (clientEvent && !node.startsWith('c')) fail(ctx, [...onPath, 'node'], `"${event}" happens at clients; expected a client c1..c${ctx.nodes.clientCount}, got ${show(on.node)}`);
    if (!clientEvent && !node.startsWith('s')) fail(ctx, [...onPath, 'node'], `"${event}" is reported by servers; expected a server s1..s${ctx.nodes.serverCount}, got ${show(on.node)}`);
  }
  const nth = on.nth === undefined ? 1 : readInteger(ctx, on.nth, [...onPath, 'nth'], 1);
  if (on.delay !== undefined && topDelay !== undefined) fail(ctx, [...path, 'delay'], `the delay is given twice (here and in "on.delay"); keep one`);
  const delayValue = on.delay !== undefined ? on.delay : topDelay;
  const delayPath = on.delay !== undefined ? [...onPath, 'delay'] : [...path, 'delay'];
  const delayUs = delayValue === undefined ? 0 : readDuration(ctx, delayValue, delayPath, 'non-negative');
  return { kind: 'on', event, node, nth, delayUs };
}

/** A drift rate within `LIMITS.driftRate`: the clock runs at (1 + rate)× true speed, from 1/100× to 101×. */
function readDriftRate(ctx: FaultContext, value: unknown, path: Path): number {
  const { min, max } = LIMITS.driftRate;
  return readBoundedNumber(ctx, value, path, { min, max, why: 'a drift rate: the clock runs at (1 + rate)× true speed, from a hundredth of it to 101×' });
}

type PartitionFields = Omit<Extract<Fault, { kind: 'partition' }>, 'index' | 'trigger'>;

function readPartition(ctx: FaultContext, obj: Record<string, unknown>, path: Path): PartitionFields {
  const given = (['shape', 'groups', 'cut'] as const).filter((field) => obj[field] !== undefined);
  if (given.length !== 1) {
    const what = given.length === 0 ? 'has none of' : `has ${given.map((g) => `"${g}"`).join(' and ')}; expected exactly one of`;
    fail(ctx, path, `a partition ${what} "shape" (${SHAPES.join(' | ')}), "groups" or "cut"`);
  }
  const durationUs = optional(obj.duration, (v) => readDuration(ctx, v, [...path, 'duration'], 'positive'));
  const form = given[0];
  if (form !== 'shape' && obj.target !== undefined) fail(ctx, [...path, 'target'], `"target" applies to a partition "shape" only; with "${form}", name the nodes there`);
  if (form !== 'cut' && obj.oneWay !== undefined) fail(ctx, [...path, 'oneWay'], `"oneWay" applies to "cut" only${form === 'shape' ? '; use "shape": "one-way"' : ''}`);
  if (form === 'shape') {
    const shape = readEnum(ctx, obj.shape, [...path, 'shape'], SHAPES);
    const needsTarget = shape === 'isolate' || shape === 'one-way';
    if (needsTarget && obj.target === undefined) fail(ctx, [...path, 'target'], `missing; a "${shape}" partition needs a target such as "leader" or "s1"`);
    const target = obj.target === undefined ? undefined : readTarget(ctx, obj, path);
    return { kind: 'partition', shape, target, groups: undefined, cut: undefined, oneWay: false, durationUs };
  }
  if (form === 'groups') {
    return { kind: 'partition', shape: undefined, target: undefined, groups: readGroups(ctx, obj.groups, [...path, 'groups']), cut: undefined, oneWay: false, durationUs };
  }
  const oneWay = obj.oneWay === undefined ? false : readBoolean(ctx, obj.oneWay, [...path, 'oneWay']);
  return { kind: 'partition', shape: undefined, target: undefined, groups: undefined, cut: readCut(ctx, obj.cut, [...path, 'cut']), oneWay, durationUs };
}

function readGroups(ctx: FaultContext, value: unknown, path: Path): string[][] {
  const groups = readArray(ctx, value, path, 'a list of groups such as [["c1", "leader"], ["others"]]');
  if (groups.length < 2) fail(ctx, path, `expected at least two groups, got ${show(value)}`);
  const seen = new Map<string, number>();
  return groups.map((rawGroup, g) => {
    const members = readArray(ctx, rawGroup, [...path, g], 'a list of node names');
    if (members.length === 0) fail(ctx, [...path, g], 'expected a non-empty group of node names');
    return members.map((member, m) => {
      const name = readTargetName(ctx, member, [...path, g, m], { store: true, others: true });
      const before = seen.get(name);
      if (before !== undefined) fail(ctx, [...path, g, m], `${show(name)} is already in group ${before}; a name may appear in one group only`);
      seen.set(name, g);
      return name;
    });
  });
}

function readCut(ctx: FaultContext, value: unknown, path: Path): Array<[string, string]> {
  const links = readArray(ctx, value, path, 'a list of links such as [["c1", "s4"], ["c2", "servers"]]');
  if (links.length === 0) fail(ctx, path, 'expected at least one link to cut');
  return links.map((rawLink, l) => {
    const link = readArray(ctx, rawLink, [...path, l], 'a link: a pair of node names such as ["c1", "s4"]');
    if (link.length !== 2) fail(ctx, [...path, l], `expected a pair of node names, got ${show(rawLink)}`);
    const from = readTargetName(ctx, link[0], [...path, l, 0], { store: true, others: false });
    const to = readTargetName(ctx, link[1], [...path, l, 1], { store: true, others: false });
    if (from === to && isStatic(ctx.nodes, from)) fail(ctx, [...path, l], `cuts ${show(from)} from itself; expected two different nodes`);
    return [from, to];
  });
}

type NetworkFields = Omit<Extract<Fault, { kind: 'network' }>, 'index' | 'trigger'>;

function readNetworkFault(ctx: FaultContext, obj: Record<string, unknown>, path: Path): NetworkFields {
  if (obj.loss === undefined && obj.duplicate === undefined && obj.delay === undefined) {
    fail(ctx, path, 'a network fault needs at least one of "loss", "duplicate" (probabilities) or "delay" (added latency)');
  }
  return {
    kind: 'network',
    loss: obj.loss === undefined ? 0 : readProbability(ctx, obj.loss, [...path, 'loss']),
    duplicate: obj.duplicate === undefined ? 0 : readProbability(ctx, obj.duplicate, [...path, 'duplicate']),
    delayUs: obj.delay === undefined ? 0 : readDuration(ctx, obj.delay, [...path, 'delay'], 'non-negative'),
    durationUs: optional(obj.duration, (v) => readDuration(ctx, v, [...path, 'duration'], 'positive')),
  };
}

/** The fault's `target` field: required, and a node, `leader`, `holder`, `servers` or `clients`. */
function readTarget(ctx: FaultContext, obj: Record<string, unknown>, path: Path): string {
  if (obj.target === undefined) fail(ctx, [...path, 'target'], `missing; expected a node (s1..s${ctx.nodes.serverCount}, c1..c${ctx.nodes.clientCount}), "leader", "holder", "servers" or "clients"`);
  return readTargetName(ctx, obj.target, [...path, 'target'], { store: false, others: false });
}

function readTargetName(ctx: FaultContext, value: unknown, path: Path, allow: { store: boolean; others: boolean }): string {
  const extra = [...DYNAMIC_TARGETS, ...GROUP_TARGETS, ...(allow.store ? ['store'] : []), ...(allow.others ? ['others'] : [])];
  const wanted = `expected s1..s${ctx.nodes.serverCount}, c1..c${ctx.nodes.clientCount}, ${extra.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof value !== 'string') fail(ctx, path, `${wanted}; got ${show(value)}`);
  if (isStatic(ctx.nodes, value) || extra.includes(value)) return value;
  if (value === 'store') fail(ctx, path, `"store" may be named only in a partition's "groups" or "cut"`);
  if (value === 'others') fail(ctx, path, `"others" may be named only in a partition's "groups"`);
  fail(ctx, path, `no node ${show(value)} in this scenario (${ctx.nodes.serverCount} servers: the most any of its designs runs, ${ctx.nodes.clientCount} clients); ${wanted}`);
}

function readStaticNode(ctx: FaultContext, value: unknown, path: Path): string {
  if (typeof value !== 'string' || !isStatic(ctx.nodes, value)) {
    fail(ctx, path, `expected a node name s1..s${ctx.nodes.serverCount} or c1..c${ctx.nodes.clientCount}, got ${show(value)}`);
  }
  return value;
}

/** Whether `name` is `sK` (K ≤ serverCount) or `cK` (K ≤ clientCount). */
function isStatic(nodes: NodeNames, name: string): boolean {
  const match = /^([sc])([1-9]\d*)$/.exec(name);
  if (match === null) return false;
  const k = Number(match[2]);
  return match[1] === 's' ? k <= nodes.serverCount : k <= nodes.clientCount;
}

function required<T>(ctx: FaultContext, obj: Record<string, unknown>, path: Path, field: string, what: string, read: (value: unknown, path: Path) => T): T {
  if (obj[field] === undefined) fail(ctx, [...path, field], `missing; ${what} fault needs "${field}"`);
  return read(obj[field], [...path, field]);
}

function optional<T>(value: unknown, read: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}
