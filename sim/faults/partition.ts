/**
 * Partition shapes (SPEC §3) turned into the directed links they cut.
 *
 * Shapes act on servers and clients; the `store` stays reachable from
 * everyone unless a `groups`/`cut` partition names it.
 * - `isolate`: the target(s) on one side, every other server and client on the other.
 * - `halves`: the first ⌈n/2⌉ servers and first ⌈m/2⌉ clients against the rest.
 * - `majority-minority`: a minority of ⌊n/2⌋ servers (the target first, if it
 *   is a server) against the majority; clients stay with the majority unless
 *   a client is the target, which joins the minority.
 * - `bridge`: servers split into two halves that cannot talk, with one bridge
 *   server (the target, or the middle one) that talks to both; clients keep
 *   every link (Jepsen's bridge).
 * - `ring`: servers in a ring, each reaching only its nearest neighbours —
 *   enough for a majority, but no two servers share the same majority
 *   (Jepsen's majorities-ring); clients keep every link.
 * - `one-way`: nobody's messages reach the target; the target's still go out.
 * - `groups`: links between different groups are cut (`others` = every
 *   server and client not named elsewhere); with `oneWay`, only from earlier
 *   groups to later ones.
 * - `cut`: the listed pairs (each side may be a group name), both ways
 *   unless `oneWay`.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import { majority as majorityOf } from '../../algorithms/api/index.ts';
import type { FaultContext } from './context.ts';
import type { Target } from './types.ts';

export type PartitionShape = 'isolate' | 'halves' | 'majority-minority' | 'bridge' | 'ring' | 'one-way';

/** A `partition` fault: exactly one of `shape`, `groups`, `cut` is set. */
export interface PartitionOptions extends PartitionSpec {
  readonly kind: 'partition';
  /** Heal after this long; undefined: until a `heal` or the end. */
  readonly durationUs: Micros | undefined;
}

export type Link = readonly [from: string, to: string];

export interface PartitionUniverse {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
  /** Expands a target name (node, `leader`, `holder`, `servers`, `clients`, `store`) into node names. */
  resolve(target: string): string[];
}

export interface PartitionSpec {
  readonly shape: PartitionShape | undefined;
  readonly target: Target | undefined;
  readonly groups: ReadonlyArray<readonly Target[]> | undefined;
  readonly cut: ReadonlyArray<readonly [Target, Target]> | undefined;
  readonly oneWay: boolean;
}

/** The links a partition cuts, and its sides as resolved (absent for `cut` and `ring`, which have none). */
export interface PartitionPlan {
  readonly links: Link[];
  readonly sides?: string[][];
}

function between(a: readonly string[], b: readonly string[], bothWays: boolean, out: Link[]): void {
  for (const x of a) {
    for (const y of b) {
      if (x === y) continue;
      out.push([x, y]);
      if (bothWays) out.push([y, x]);
    }
  }
}

function splitHalf<T>(items: readonly T[]): [T[], T[]] {
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}

/** The directed links a partition cuts; throws with a reason when it cannot be formed (e.g. no leader now). */
export function partitionLinks(spec: PartitionSpec, universe: PartitionUniverse): Link[] {
  return partitionPlan(spec, universe).links;
}

/** The links a partition cuts and the sides it makes. */
export function partitionPlan(spec: PartitionSpec, universe: PartitionUniverse): PartitionPlan {
  const links: Link[] = [];
  const everyone = [...universe.servers, ...universe.clients];
  const targets = spec.target === undefined ? [] : universe.resolve(spec.target);

  if (spec.groups !== undefined) {
    const named = new Set<string>();
    const expanded = spec.groups.map((group) => group.flatMap((name) => (name === 'others' ? [] : universe.resolve(name))));
    for (const group of expanded) for (const name of group) named.add(name);
    const others = everyone.filter((name) => !named.has(name));
    const groups = spec.groups.map((group, i) => (group.includes('others') ? [...expanded[i], ...others] : expanded[i]));
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) between(groups[i], groups[j], !spec.oneWay, links);
    }
    return { links, sides: groups };
  }
  if (spec.cut !== undefined) {
    for (const [a, b] of spec.cut) between(universe.resolve(a), universe.resolve(b), !spec.oneWay, links);
    return { links };
  }

  const servers = universe.servers;
  switch (spec.shape) {
    case 'isolate': {
      const rest = everyone.filter((name) => !targets.includes(name));
      between(targets, rest, true, links);
      return { links, sides: [targets, rest] };
    }
    case 'one-way': {
      const rest = everyone.filter((name) => !targets.includes(name));
      between(rest, targets, false, links);
      return { links, sides: [rest, targets] };
    }
    case 'halves': {
      const [s1, s2] = splitHalf(servers);
      const [c1, c2] = splitHalf(universe.clients);
      between([...s1, ...c1], [...s2, ...c2], true, links);
      return { links, sides: [[...s1, ...c1], [...s2, ...c2]] };
    }
    case 'majority-minority': {
      const minoritySize = Math.floor(servers.length / 2);
      const targetServers = targets.filter((name) => servers.includes(name));
      const minority = [...targetServers, ...servers.filter((s) => !targetServers.includes(s))].slice(0, Math.max(minoritySize, targetServers.length));
      const majority = servers.filter((s) => !minority.includes(s));
      const minorityClients = targets.filter((name) => universe.clients.includes(name));
      const majorityClients = universe.clients.filter((c) => !minorityClients.includes(c));
      between([...minority, ...minorityClients], [...majority, ...majorityClients], true, links);
      return { links, sides: [[...minority, ...minorityClients], [...majority, ...majorityClients]] };
    }
    case 'bridge': {
      const bridge = targets.find((name) => servers.includes(name)) ?? servers[Math.floor(servers.length / 2)];
      const rest = servers.filter((s) => s !== bridge);
      const [a, b] = splitHalf(rest);
      between(a, b, true, links);
      return { links, sides: [[...a, bridge], [bridge, ...b]] };
    }
    case 'ring': {
      const n = servers.length;
      const majority = majorityOf(n);
      const reach = Math.ceil((majority - 1) / 2);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
          if (i !== j && distance > reach) links.push([servers[i], servers[j]]);
        }
      }
      return { links };
    }
    case undefined:
      throw new Error('partition needs a shape, groups or cut');
  }
}

/** Fires a `partition`: cuts its links until `duration` runs out (or a `heal`), recording whom it cut off. */
export function applyPartition(fault: PartitionOptions, ctx: FaultContext): void {
  let plan: PartitionPlan;
  try {
    plan = partitionPlan(fault, { ...ctx.world.universe, resolve: ctx.resolve });
  } catch (error) {
    ctx.skip((error as Error).message);
    return;
  }
  if (plan.links.length === 0) {
    ctx.skip('the partition cuts no link in this design');
    return;
  }
  const sim = ctx.sim;
  ctx.report.targets = [...new Set(plan.links.flatMap(([a, b]) => [a, b]))].sort();
  if (plan.sides !== undefined) ctx.report.sides = plan.sides.map((side) => [...side]);
  for (const [from, to] of plan.links) sim.network.cut(sim.node(from)!.index, sim.node(to)!.index, ctx.index);
  ctx.partitions.set(ctx.index, plan.links);
  ctx.count('linksCut', plan.links.length);
  sim.traceNote(`fault[${ctx.index}] partition cuts ${plan.links.length} links${plan.sides === undefined ? '' : ': ' + plan.sides.map((side) => side.join(' ')).join(' | ')}`);
  if (fault.durationUs !== undefined) {
    sim.schedule(sim.nowUs + fault.durationUs, `heal fault[${ctx.index}]`, () => restorePartition(ctx, ctx.index));
  }
}

/** Restores the links partition `index` cut; returns how many. */
export function restorePartition(ctx: FaultContext, index: number): number {
  const links = ctx.partitions.get(index);
  if (links === undefined) return 0;
  const sim = ctx.sim;
  for (const [from, to] of links) sim.network.restore(sim.node(from)!.index, sim.node(to)!.index);
  ctx.partitions.delete(index);
  return links.length;
}
