/**
 * The `raft-lock` and `cas` designs deployed on real etcd (deployment.ts
 * says how): starts the cluster (etcd-server.ts) with every peer link
 * through its own proxy (../peer-relay.ts), watches it with the observer
 * (observer.ts), and gives each client its proxies to every member's
 * client port and its settings.
 *
 * `leader`: a poller asks every live member for its status every
 * LEADER_POLL_MS (`POST /v3/maintenance/status` on the member's client port,
 * etcd's gRPC gateway) and keeps the last answer of each; the leader is a
 * member that names itself leader, the one of the highest term if a paused
 * or cut-off one still believes it leads (a member that does not answer
 * keeps what it said last, as the ZooKeeper service does).
 * Crash: SIGKILL, the data folder wiped for `durable: "none"`. Restart: the
 * same command on the same ports and folder, resolving once the member
 * serves its peer port (healthy needs a leader, which may need members restarting
 * after it). A wiped member comes back as a new member: MemberRemove of its
 * old id and MemberAdd of its peer URL through a member that kept its data,
 * then `--initial-cluster-state existing` (members run with
 * `--strict-reconfig-check=false`, or MemberAdd would wait until every
 * member has been connected for 5 s); when every member lost its data,
 * they start over as a new, empty cluster (the observer then watches again
 * from revision 1).
 */
import { request } from 'node:http';
import type { Etcd3 } from 'etcd3';
import type { Durability } from '../../core/disk.ts';
import type { DesignChildConfig } from '../child-protocol.ts';
import type { TrueClock } from '../clock.ts';
import { startEtcd, type EtcdMember } from '../etcd-server.ts';
import type { LiveNetwork } from '../network.ts';
import { LOOPBACK } from '../ports.ts';
import type { LiveProcesses } from '../processes.ts';
import type { LiveServerInfo } from '../result.ts';
import type { ServerProcess } from '../server.ts';
import { linkClient, type LiveService, type ServiceEvent } from '../service.ts';
import { etcdClient, type EtcdClientTiming } from './connect.ts';
import { crashWipes, whyEtcdCannotCrash, type EtcdTiming } from './deployment.ts';
import { EtcdObserver } from './observer.ts';
import { PeerRelays } from '../peer-relay.ts';

export interface EtcdServiceOptions {
  readonly names: readonly string[];
  readonly timing: EtcdTiming;
  readonly readyTimeoutMs?: number;
  /** What the observer reports. */
  readonly observe: { readonly design: 'raft-lock'; readonly permits: number } | { readonly design: 'cas' };
  /** The harness's own etcd clients (observer, membership changes): timing as the live clients'. */
  readonly clientTiming: EtcdClientTiming;
  /** The client settings for one client, given its proxies to the members. */
  readonly childConfig: (servers: ReadonlyArray<{ readonly name: string; readonly port: number }>) => DesignChildConfig;
}

/** How often the leader poller asks every member. */
const LEADER_POLL_MS = 50;

interface Status {
  readonly self: string;
  readonly leader: string;
  readonly term: number;
}

/** A member's status through etcd's gRPC gateway, or null if it does not answer within `timeoutMs`. */
function memberStatus(port: number, timeoutMs: number): Promise<Status | null> {
  return new Promise((resolve) => {
    const req = request({ host: LOOPBACK, port, path: '/v3/maintenance/status', method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const s = JSON.parse(body) as { header?: { member_id?: string }; leader?: string; raftTerm?: string };
          resolve(s.header?.member_id === undefined ? null : { self: s.header.member_id, leader: s.leader ?? '0', term: Number(s.raftTerm ?? 0) });
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end('{}');
  });
}

export async function startEtcdService(registry: LiveProcesses, network: LiveNetwork, clock: TrueClock, options: EtcdServiceOptions, onEvent: (event: ServiceEvent) => void): Promise<LiveService> {
  const relays = new PeerRelays(network, options.names);
  let list: EtcdMember[];
  try {
    list = await startEtcd(registry, {
      names: options.names,
      heartbeatMs: options.timing.heartbeatMs,
      electionTimeoutMs: options.timing.electionMs,
      readyTimeoutMs: options.readyTimeoutMs,
      // A wiped member rejoins by MemberAdd, which the check would refuse for 5 s after any member (re)connected.
      strictReconfigCheck: false,
      peerRelay: options.names.length > 1 ? (name, port) => relays.add(name, port) : undefined,
      onLaunched: (launched) =>
        relays.identify((name) => {
          const member = launched.find((m) => m.name === name);
          return member !== undefined && member.alive() ? member.pid : null;
        }),
    });
  } catch (error) {
    await relays.close();
    throw error;
  }
  relays.bootstrapping = false;
  try {
    return await serve(list, clock, options, onEvent, relays);
  } catch (error) {
    await relays.close();
    throw error;
  }
}

async function serve(list: readonly EtcdMember[], clock: TrueClock, options: EtcdServiceOptions, onEvent: (event: ServiceEvent) => void, relays: PeerRelays): Promise<LiveService> {
  const names = list.map((m) => m.name);
  const members = new Map<string, EtcdMember>(list.map((m) => [m.name, m]));

  const statuses = new Map<string, Status | null>(names.map((n) => [n, null]));
  const asking = new Set<string>();
  let polling = true;
  const ask = async (name: string): Promise<void> => {
    const member = members.get(name)!;
    if (!member.alive()) {
      statuses.set(name, null);
      return;
    }
    if (asking.has(name)) return;
    asking.add(name);
    try {
      const status = await memberStatus(member.port, 200);
      if (status !== null) statuses.set(name, status);
      // no answer (a paused member): keep what it said last
    } finally {
      asking.delete(name);
    }
  };
  const poll = async (): Promise<void> => {
    while (polling) {
      await Promise.all(names.map(ask));
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  };
  await Promise.all(names.map(ask));
  const poller = poll();
  const leader = (): string | null => {
    let best: { name: string; term: number } | null = null;
    for (const name of names) {
      const s = statuses.get(name);
      if (s === null || s === undefined || !members.get(name)!.alive() || s.self !== s.leader) continue;
      if (best === null || s.term > best.term) best = { name, term: s.term };
    }
    return best?.name ?? null;
  };

  const direct = list.map((m) => m.port);
  let observer: EtcdObserver;
  try {
    observer = await EtcdObserver.start({
      hosts: direct.map((port) => `http://${LOOPBACK}:${port}`),
      clock,
      server: () => leader() ?? names[0],
      mode: options.observe,
      backoffMs: options.clientTiming.watchBackoffMs,
      listener: onEvent,
    });
  } catch (error) {
    polling = false;
    await poller;
    throw error;
  }
  /** The harness's admin client (membership changes), straight to every member. */
  let admin: Etcd3 | null = null;
  const adminClient = async (): Promise<Etcd3> => (admin ??= await etcdClient(direct, options.clientTiming));

  /** Members whose data was wiped and who have not come back since. */
  const wiped = new Set<string>();
  /** Members starting over together as a new cluster (every member had lost its data). */
  const fresh = new Set<string>();

  /** MemberRemove + MemberAdd of `name` through the members that kept their data; returns `--initial-cluster`. */
  const readd = async (member: EtcdMember): Promise<string> => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    for (;;) {
      try {
        const etcd = await adminClient();
        const { members: current } = await etcd.cluster.memberList({});
        const old = current.find((m) => m.name === member.name || m.peerURLs.includes(member.peerUrl));
        if (old !== undefined) await etcd.cluster.memberRemove({ ID: old.ID });
        const added = await etcd.cluster.memberAdd({ peerURLs: [member.peerUrl] });
        return added.members.map((m) => `${m.ID === added.member.ID ? member.name : m.name}=${m.peerURLs[0]}`).join(',');
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`etcd ${member.name} could not rejoin: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  return {
    serverNames: names,
    servers: members as ReadonlyMap<string, ServerProcess>,
    get events() {
      return observer.events;
    },
    quorum: 1,
    async connectClient(client: string, net: LiveNetwork): Promise<DesignChildConfig> {
      const ports = await linkClient(net, client, names, members);
      return options.childConfig(ports);
    },
    leader,
    whyCannotCrash: (_node: string, durable: Durability) => whyEtcdCannotCrash(durable),
    async crash(node: string, durable: Durability): Promise<Record<string, number>> {
      const member = members.get(node)!;
      await member.crash();
      statuses.set(node, null);
      if (!crashWipes(durable)) return {};
      member.wipeData();
      wiped.add(node);
      return { dataWiped: 1 };
    },
    async restart(node: string): Promise<void> {
      const member = members.get(node)!;
      if (!wiped.has(node)) {
        await member.restart({ untilHealthy: false });
        return;
      }
      const keptData = names.filter((n) => !wiped.has(n) && !fresh.has(n));
      if (keptData.length === 0) {
        // Every member lost its data: they start over together as a new cluster, and the observer with them.
        const first = fresh.size === 0;
        for (const n of wiped) fresh.add(n);
        wiped.delete(node);
        await member.restart({ untilHealthy: false });
        // The new watch comes up once a quorum of the fresh members serves, which needs restarts still to come.
        if (first) void observer.rewatch().catch(() => {});
        if (wiped.size === 0) fresh.clear();
        return;
      }
      const initialCluster = await readd(member);
      wiped.delete(node);
      await member.restart({ untilHealthy: false, join: { initialCluster } });
    },
    info: (): LiveServerInfo[] => list.map((m) => ({ name: m.name, program: 'etcd', port: m.port, dir: m.dir })),
    async close(): Promise<void> {
      polling = false;
      await observer.close();
      admin?.close();
      await poller;
      await relays.close();
    },
  };
}
