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
import type { PartitionShape } from '../scenario/types.ts';

export type Link = readonly [from: string, to: string];

export interface PartitionUniverse {
  readonly servers: readonly string[];
  readonly clients: readonly string[];
  /** Expands a target name (node, `leader`, `holder`, `servers`, `clients`, `store`) into node names. */
  resolve(target: string): string[];
}

export interface PartitionSpec {
  readonly shape: PartitionShape | undefined;
  readonly target: string | undefined;
  readonly groups: ReadonlyArray<readonly string[]> | undefined;
  readonly cut: ReadonlyArray<readonly [string, string]> | undefined;
  readonly oneWay: boolean;
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
    return links;
  }
  if (spec.cut !== undefined) {
    for (const [a, b] of spec.cut) between(universe.resolve(a), universe.resolve(b), !spec.oneWay, links);
    return links;
  }

  const servers = universe.servers;
  switch (spec.shape) {
    case 'isolate': {
      between(targets, everyone.filter((name) => !targets.includes(name)), true, links);
      return links;
    }
    case 'one-way': {
      between(everyone.filter((name) => !targets.includes(name)), targets, false, links);
      return links;
    }
    case 'halves': {
      const [s1, s2] = splitHalf(servers);
      const [c1, c2] = splitHalf(universe.clients);
      between([...s1, ...c1], [...s2, ...c2], true, links);
      return links;
    }
    case 'majority-minority': {
      const minoritySize = Math.floor(servers.length / 2);
      const targetServers = targets.filter((name) => servers.includes(name));
      const minority = [...targetServers, ...servers.filter((s) => !targetServers.includes(s))].slice(0, Math.max(minoritySize, targetServers.length));
      const majority = servers.filter((s) => !minority.includes(s));
      const minorityClients = targets.filter((name) => universe.clients.includes(name));
      const majorityClients = universe.clients.filter((c) => !minorityClients.includes(c));
      between([...minority, ...minorityClients], [...majority, ...majorityClients], true, links);
      return links;
    }
    case 'bridge': {
      const bridge = targets.find((name) => servers.includes(name)) ?? servers[Math.floor(servers.length / 2)];
      const rest = servers.filter((s) => s !== bridge);
      const [a, b] = splitHalf(rest);
      between(a, b, true, links);
      return links;
    }
    case 'ring': {
      const n = servers.length;
      const majority = Math.floor(n / 2) + 1;
      const reach = Math.ceil((majority - 1) / 2);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
          if (i !== j && distance > reach) links.push([servers[i], servers[j]]);
        }
      }
      return links;
    }
    case undefined:
      throw new Error('partition needs a shape, groups or cut');
  }
}
