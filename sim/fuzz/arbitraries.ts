/**
 * fast-check arbitraries for whole runs: a *genome* (plain numbers and
 * choices, which fast-check generates and shrinks) mapped to a SPEC §3
 * scenario object (plain JSON) that `run` accepts as it is. The mapping is
 * total: whatever the shrinker does to the genome (fewer clients, fewer
 * faults, a smaller server count), targets are picked modulo the nodes that
 * exist, times are clipped into the run, so every value is a valid scenario
 * (the tests parse thousands through `parseScenario`).
 *
 * What is drawn:
 * - design knobs in sane ranges (by design name; a design this file does
 *   not know runs on its defaults);
 * - the workload (2–4 clients, sections, hold, think, acquireTimeout,
 *   checkBeforeWrite; `fencing` from the property, see property.ts);
 * - the network (latency, rare loss and duplication);
 * - faults, at most `maxFaults`: random ones of every kind (`at` a time or
 *   `on` an event, with a target, durations, sizes), and targeted ones that
 *   aim at the windows that matter: a pause of the holder that straddles its
 *   lease's end (`on: acquired` + a delay, a duration around the TTL), a
 *   clock jump on a server while the lock is held (by about the TTL), a
 *   crash just after a grant, a partition of the leader just after an
 *   election (a leader change);
 * - swarm testing (Groce et al.): a mask that switches whole fault kinds
 *   off for the run, so some runs see only pauses, others only partitions.
 *
 * Shrinking is fast-check's on the genome: fewer faults (the array and the
 * swarm mask), shorter fault durations, fewer clients and sections, and
 * every time toward its lower bound; times are drawn in round steps (10 ms
 * for delays, 100 ms for durations), so shrunk values are round too.
 */
import fc from 'fast-check';
import type { Design } from '../../algorithms/api/index.ts';
import type { CheckName } from '../scenario/types.ts';

/** A SPEC §3 scenario object, as JSON. */
export type ScenarioJson = Record<string, unknown>;

/** What a run is drawn for. */
export interface RunSpace {
  readonly design: Design;
  /** The properties judged (property.ts); decides the store's fencing. */
  readonly properties: readonly CheckName[];
  /** Simulated length of each run (ms). */
  readonly durationMs: number;
  /** The most faults in one run. */
  readonly maxFaults: number;
}

/** The fault kinds the swarm mask switches, in FAULT_KINDS order. */
export const SWARM_KINDS = ['pause', 'crash', 'clock-jump', 'clock-drift', 'partition', 'network', 'heal'] as const;
type SwarmKind = (typeof SWARM_KINDS)[number];

const TRIGGER_EVENTS = ['acquired', 'released', 'granted', 'expired', 'elected'] as const;
const SHAPES = ['isolate', 'majority-minority', 'halves', 'bridge', 'ring', 'one-way'] as const;
const DURABLE = ['fsynced', 'none', 'all'] as const;

/** Integer ms in [min, max] in steps of `step` (shrinks toward min). */
const ms = (min: number, max: number, step: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map(
    (n) => n * step,
    (v) => {
      if (typeof v !== 'number' || v % step !== 0) throw new Error('not a step');
      return v / step;
    },
  );

/** A duration string. */
const dur = (msValue: number): string => (msValue % 1000 === 0 ? `${msValue / 1000}s` : `${msValue}ms`);

interface RandomFaultGene {
  readonly t: 'random';
  readonly kind: number;
  /** true: `on` an event; false: `at` a time. */
  readonly on: boolean;
  /** `at`: per mille of the run. */
  readonly atPm: number;
  readonly event: number;
  readonly nth: number;
  readonly delayMs: number;
  readonly target: number;
  readonly durationMs: number;
  readonly byMs: number;
  readonly ratePct: number;
  readonly restart: boolean;
  readonly restartMs: number;
  readonly durable: number;
  readonly shape: number;
  readonly lossPct: number;
}

interface TargetedFaultGene {
  readonly t: 'straddle' | 'jump-held' | 'crash-grant' | 'partition-election';
  readonly nth: number;
  readonly delayMs: number;
  /** Size relative to the lease (percent): the pause or the jump. */
  readonly pct: number;
  readonly target: number;
  readonly durationMs: number;
  readonly durable: number;
  readonly restartMs: number;
}

type FaultGene = RandomFaultGene | TargetedFaultGene;

export interface Genome {
  readonly swarm: readonly boolean[];
  readonly knobs: Readonly<Record<string, unknown>>;
  readonly clients: number;
  readonly sections: number;
  readonly holdMs: number;
  readonly thinkMs: number;
  readonly acquireTimeoutMs: number;
  readonly checkBeforeWrite: boolean;
  readonly fencing: number;
  readonly latencyMinMs: number;
  readonly latencySpanMs: number;
  readonly lossPct: number;
  readonly faults: readonly FaultGene[];
}

const randomFault: fc.Arbitrary<FaultGene> = fc.record({
  t: fc.constant('random' as const),
  kind: fc.nat({ max: SWARM_KINDS.length - 1 }),
  on: fc.boolean(),
  atPm: fc.nat({ max: 999 }),
  event: fc.nat({ max: TRIGGER_EVENTS.length - 1 }),
  nth: fc.integer({ min: 1, max: 4 }),
  delayMs: ms(0, 3000, 10),
  target: fc.nat({ max: 15 }),
  durationMs: ms(100, 20_000, 100),
  byMs: fc.integer({ min: -200, max: 300 }).map((n) => n * 100, (v) => (v as number) / 100),
  ratePct: fc.integer({ min: -50, max: 200 }),
  restart: fc.boolean(),
  restartMs: ms(0, 10_000, 100),
  durable: fc.nat({ max: DURABLE.length - 1 }),
  shape: fc.nat({ max: SHAPES.length - 1 }),
  lossPct: fc.integer({ min: 5, max: 80 }),
});

const targetedFault: fc.Arbitrary<FaultGene> = fc.record({
  t: fc.constantFrom('straddle' as const, 'jump-held' as const, 'crash-grant' as const, 'partition-election' as const),
  nth: fc.integer({ min: 1, max: 4 }),
  delayMs: ms(0, 1000, 10),
  pct: fc.integer({ min: 50, max: 250 }),
  target: fc.nat({ max: 15 }),
  durationMs: ms(100, 15_000, 100),
  durable: fc.nat({ max: DURABLE.length - 1 }),
  restartMs: ms(0, 10_000, 100),
});

/** Knob genes by design name: values already as the JSON knob takes them. */
function knobsArb(design: string): fc.Arbitrary<Record<string, unknown>> {
  switch (design) {
    case 'redis':
      return fc.record({
        ttl: ms(1000, 15_000, 100).map(dur),
        release: fc.constantFrom('compare-and-delete', 'del'),
        persistence: fc.constantFrom('none', 'everysec', 'always'),
        expiryClock: fc.constantFrom('wall', 'monotonic'),
        failover: fc.constantFrom('none', 'sentinel'),
      }).map((k): Record<string, unknown> => (k.failover === 'sentinel' ? { ...k, replicas: 1 } : k));
    case 'redlock':
      return fc.record({
        servers: fc.constantFrom(5, 3),
        ttl: ms(1000, 15_000, 100).map(dur),
        persistence: fc.constantFrom('none', 'everysec', 'always'),
        expiryClock: fc.constantFrom('wall', 'monotonic'),
        clientClock: fc.constantFrom('wall', 'monotonic'),
        restartDelay: ms(0, 20_000, 1000).map(dur),
      });
    case 'raft-lock':
      return fc.record({ ttlMs: ms(2000, 15_000, 500), reads: fc.constantFrom('read-index', 'lease', 'etcd-3.4') }).map(
        ({ ttlMs, reads }): Record<string, unknown> => ({ sessionTtl: dur(ttlMs), keepAlive: dur(Math.max(100, Math.round(ttlMs / 300) * 100)), reads }),
      );
    case 'zookeeper':
      return fc.record({
        sessionTimeout: ms(4000, 20_000, 1000).map(dur),
        onSuspended: fc.constantFrom('continue', 'stop'),
        clientSelfExpiry: fc.boolean(),
      });
    case 'cas':
      return fc.constantFrom('none', 'sync', 'async').map(
        (replication): Record<string, unknown> => (replication === 'none' ? {} : { replication, servers: replication === 'sync' ? 3 : 2 }),
      );
    default:
      return fc.constant({});
  }
}

function undurOrThrow(v: unknown): number {
  if (typeof v !== 'string') throw new Error('not a duration');
  const m = /^(\d+)(ms|s)$/.exec(v);
  if (m === null) throw new Error('not a duration');
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** The genome of one run. */
export function genomeArb(space: RunSpace): fc.Arbitrary<Genome> {
  return fc.record({
    swarm: fc.oneof(
      { weight: 1, arbitrary: fc.constant(SWARM_KINDS.map(() => true)) },
      { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: SWARM_KINDS.length, maxLength: SWARM_KINDS.length }) },
    ),
    knobs: knobsArb(space.design.name),
    clients: fc.integer({ min: 2, max: 4 }),
    sections: fc.integer({ min: 1, max: 12 }),
    holdMs: ms(10, 3000, 10),
    thinkMs: ms(0, 1000, 10),
    acquireTimeoutMs: ms(1000, 10_000, 500),
    checkBeforeWrite: fc.boolean(),
    fencing: fc.nat({ max: 2 }),
    latencyMinMs: fc.integer({ min: 1, max: 5 }),
    latencySpanMs: fc.integer({ min: 0, max: 20 }),
    lossPct: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) }),
    faults: fc.array(fc.oneof({ weight: 1, arbitrary: targetedFault }, { weight: 1, arbitrary: randomFault }), { maxLength: space.maxFaults }),
  });
}

/** What the mapping knows of the design once its knobs are fixed. */
interface Shape {
  readonly servers: number;
  readonly clients: number;
  readonly hasLeader: boolean;
  readonly isLock: boolean;
  readonly leaseMs: number;
}

/** The lease length a design's knobs give (what a straddling pause or a jump is sized against). */
export function leaseMsOf(design: string, knobs: Readonly<Record<string, unknown>>): number {
  const pick = (v: unknown, fallback: number): number => (typeof v === 'string' ? undurOrThrow(v) : fallback);
  switch (design) {
    case 'redis':
    case 'redlock':
      return pick(knobs.ttl, 10_000);
    case 'raft-lock':
      return pick(knobs.sessionTtl, 10_000);
    case 'zookeeper':
      return pick(knobs.sessionTimeout, 10_000);
    default:
      return 2000;
  }
}

/** The store's fencing a run uses: `reads-and-writes` when `resource` or `fencing` is judged on a design with tokens. */
function fencingFor(space: RunSpace, gene: number): string {
  if (space.design.issuesTokens && space.properties.some((p) => p === 'resource' || p === 'fencing')) return 'reads-and-writes';
  return (['writes', 'none', 'reads-and-writes'] as const)[gene % 3];
}

/** Maps a genome to a SPEC §3 scenario object for `space.design`. */
export function toScenario(space: RunSpace, genome: Genome, name: string, seed: number): ScenarioJson {
  const design = space.design;
  const knobs = genome.knobs;
  const parsed = design.parseKnobs(knobs, 1);
  const shape: Shape = {
    servers: design.serverCount(parsed),
    clients: genome.clients,
    hasLeader: (design.leaseQuorum?.(parsed) ?? 1) === 1,
    isLock: design.isLock,
    leaseMs: leaseMsOf(design.name, knobs),
  };
  const faults: ScenarioJson[] = [];
  for (const gene of genome.faults) {
    const fault = gene.t === 'random' ? randomFaultJson(gene, shape, space.durationMs) : targetedFaultJson(gene, shape);
    if (fault === null) continue;
    if (!genome.swarm[SWARM_KINDS.indexOf(fault.kind as SwarmKind)]) continue;
    faults.push(fault);
  }
  const loss = genome.lossPct / 100;
  const scenario: ScenarioJson = {
    name,
    seed,
    duration: dur(space.durationMs),
    designs: [design.name],
    ...(Object.keys(knobs).length === 0 ? {} : { config: { [design.name]: knobs } }),
    network: { latency: { min: dur(genome.latencyMinMs), max: dur(genome.latencyMinMs + genome.latencySpanMs) }, loss, duplicate: 0 },
    workload: {
      clients: genome.clients,
      sections: genome.sections,
      hold: dur(genome.holdMs),
      think: dur(genome.thinkMs),
      acquireTimeout: dur(genome.acquireTimeoutMs),
      fencing: fencingFor(space, genome.fencing),
      checkBeforeWrite: genome.checkBeforeWrite,
    },
    faults,
  };
  return scenario;
}

function pickOf<T>(list: readonly T[], n: number): T {
  return list[n % list.length];
}

const serverNames = (shape: Shape): string[] => Array.from({ length: shape.servers }, (_, i) => `s${i + 1}`);
const clientNames = (shape: Shape): string[] => Array.from({ length: shape.clients }, (_, i) => `c${i + 1}`);

/** Targets a process-level fault (pause, crash) may name. */
function processTargets(shape: Shape): string[] {
  return [...(shape.isLock ? ['holder'] : []), ...(shape.hasLeader ? ['leader'] : []), ...clientNames(shape), ...serverNames(shape)];
}

function triggerJson(gene: RandomFaultGene, durationMs: number, shape: Shape): ScenarioJson {
  if (!gene.on) return { at: dur(Math.min(durationMs - 1, Math.floor((gene.atPm * durationMs) / 1000))) };
  let event: string = pickOf(TRIGGER_EVENTS, gene.event);
  if (event === 'elected' && !shape.hasLeader) event = 'granted';
  return { on: { event, nth: gene.nth, ...(gene.delayMs === 0 ? {} : { delay: dur(gene.delayMs) }) } };
}

function randomFaultJson(gene: RandomFaultGene, shape: Shape, durationMs: number): ScenarioJson | null {
  const kind = SWARM_KINDS[gene.kind % SWARM_KINDS.length];
  const trigger = triggerJson(gene, durationMs, shape);
  const on = (extra: ScenarioJson): ScenarioJson => ({ ...trigger, kind, ...extra });
  switch (kind) {
    case 'pause':
      return on({ target: pickOf(processTargets(shape), gene.target), duration: dur(gene.durationMs) });
    case 'crash':
      return on({
        target: pickOf(processTargets(shape), gene.target),
        ...(gene.restart ? { restartAfter: dur(gene.restartMs) } : {}),
        durable: pickOf(DURABLE, gene.durable),
      });
    case 'clock-jump':
      return gene.byMs === 0 ? null : on({ target: pickOf([...serverNames(shape), ...clientNames(shape)], gene.target), by: `${gene.byMs > 0 ? '+' : '-'}${dur(Math.abs(gene.byMs))}` });
    case 'clock-drift':
      return gene.ratePct === 0 ? null : on({ target: pickOf([...serverNames(shape), ...clientNames(shape)], gene.target), rate: gene.ratePct / 100, duration: dur(gene.durationMs) });
    case 'partition': {
      const shapeName = pickOf(SHAPES, gene.shape);
      const needsTarget = shapeName === 'isolate' || shapeName === 'one-way';
      const targets = [...(shape.hasLeader ? ['leader'] : []), ...(shape.isLock ? ['holder'] : []), ...serverNames(shape), ...clientNames(shape)];
      return on({ shape: shapeName, ...(needsTarget ? { target: pickOf(targets, gene.target) } : {}), duration: dur(gene.durationMs) });
    }
    case 'network': {
      // `network` takes its trigger delay in `on.delay` (its own `delay` is added latency).
      return { ...trigger, kind, loss: gene.lossPct / 100, duration: dur(gene.durationMs) };
    }
    case 'heal':
      return on({});
  }
}

function targetedFaultJson(gene: TargetedFaultGene, shape: Shape): ScenarioJson | null {
  const size = Math.max(100, Math.round((shape.leaseMs * gene.pct) / 10_000) * 100);
  const delay = gene.delayMs === 0 ? {} : { delay: dur(gene.delayMs) };
  switch (gene.t) {
    case 'straddle':
      // The holder pauses just after acquiring, for about its lease: it may resume after the lease ran out and still write.
      return {
        on: { event: 'acquired', nth: gene.nth },
        ...delay,
        kind: 'pause',
        target: shape.isLock ? 'holder' : pickOf(clientNames(shape), gene.target),
        duration: dur(size),
      };
    case 'jump-held':
      // While the lock is held, a server's wall clock jumps forward by about the lease: its copy expires early.
      return { on: { event: 'acquired', nth: gene.nth }, ...delay, kind: 'clock-jump', target: pickOf(serverNames(shape), gene.target), by: `+${dur(size)}` };
    case 'crash-grant':
      // A server crashes just after a grant, before the grant is (maybe) durable or replicated.
      return {
        on: { event: 'granted', nth: gene.nth },
        ...delay,
        kind: 'crash',
        target: shape.hasLeader && gene.target % 2 === 0 ? 'leader' : pickOf(serverNames(shape), gene.target),
        restartAfter: dur(gene.restartMs),
        durable: pickOf(DURABLE, gene.durable),
      };
    case 'partition-election':
      // Just after an election (a leader change), cut the leader off; designs without a leader get a server cut off after a grant.
      return shape.hasLeader
        ? { on: { event: 'elected', nth: gene.nth }, ...delay, kind: 'partition', shape: 'isolate', target: 'leader', duration: dur(gene.durationMs) }
        : { on: { event: 'granted', nth: gene.nth }, ...delay, kind: 'partition', shape: 'isolate', target: pickOf(serverNames(shape), gene.target), duration: dur(gene.durationMs) };
  }
}
