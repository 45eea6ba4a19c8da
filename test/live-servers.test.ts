/**
 * Live mode's server lifecycle for the designs still to come (sim/live):
 * etcd (one node and a three-node cluster) and ZooKeeper 3.8 (standalone
 * and a three-server ensemble) start in their own temporary folders, bound
 * to 127.0.0.1 only, answer their health checks, survive a crash and
 * restart, and are gone — folders too — after `close()`. Each block is
 * skipped, saying why, when its server is not installed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInstalled } from '../sim/live/binaries.ts';
import { startEtcd } from '../sim/live/etcd-server.ts';
import { LiveProcesses } from '../sim/live/processes.ts';
import { etcdHealth, tcpAsk, waitReady, zookeeperServing } from '../sim/live/ready.ts';
import { startZooKeeper } from '../sim/live/zookeeper-server.ts';

const hasEtcd = isInstalled('etcd');
const hasZooKeeper = isInstalled('zookeeper') && isInstalled('java');
if (!hasEtcd) console.warn('test/live-servers.test.ts: etcd tests SKIPPED: etcd is not installed (apt-get install -y etcd-server)');
if (!hasZooKeeper) console.warn('test/live-servers.test.ts: ZooKeeper tests SKIPPED: ZooKeeper is not installed (apt-get install -y zookeeper)');

describe.skipIf(!hasEtcd)(`live etcd${hasEtcd ? '' : ' (SKIPPED: apt-get install -y etcd-server)'}`, () => {
  it('a single node and a three-node cluster come up on 127.0.0.1, a member crashes and rejoins, and close() leaves nothing', async () => {
    const registry = new LiveProcesses();
    try {
      const [single] = await startEtcd(registry, { names: ['s1'], heartbeatMs: 50, electionTimeoutMs: 300 });
      expect(await etcdHealth(single.port)()).toBe(true);
      const cluster = await startEtcd(registry, { names: ['s1', 's2', 's3'], heartbeatMs: 50, electionTimeoutMs: 300 });
      expect(cluster.map((m) => m.name)).toEqual(['s1', 's2', 's3']);
      const log = readFileSync(join(cluster[0].dir, 'etcd.log'), 'utf8');
      expect(log).not.toMatch(/0\.0\.0\.0/);
      await cluster[1].crash();
      expect(cluster[1].alive()).toBe(false);
      // Two of three keep (or elect) a leader.
      await waitReady(cluster[0].process, etcdHealth(cluster[0].port), 'etcd s1 after s2 crashed', 10_000);
      await cluster[1].restart();
      expect(await etcdHealth(cluster[1].port)()).toBe(true);
    } finally {
      await registry.close();
    }
    expect(registry.livePids()).toEqual([]);
    expect(registry.dirs().filter((d) => existsSync(d))).toEqual([]);
  });
});

describe.skipIf(!hasZooKeeper)(`live ZooKeeper${hasZooKeeper ? '' : ' (SKIPPED: apt-get install -y zookeeper)'}`, () => {
  it('standalone and a three-server ensemble serve on 127.0.0.1 with the admin server off, and close() leaves nothing', async () => {
    const registry = new LiveProcesses();
    try {
      const [standalone] = await startZooKeeper(registry, { names: ['s1'], tickTimeMs: 200 });
      expect(await tcpAsk(standalone.port, 'srvr')).toMatch(/Mode: standalone/);
      const cfg = readFileSync(join(standalone.dir, 'zoo.cfg'), 'utf8');
      expect(cfg).toMatch(/^clientPortAddress=127\.0\.0\.1$/m);
      expect(cfg).toMatch(/^admin\.enableServer=false$/m);
      const ensemble = await startZooKeeper(registry, { names: ['s1', 's2', 's3'], tickTimeMs: 200 });
      const modes = await Promise.all(ensemble.map(async (s) => /Mode: (\w+)/.exec(await tcpAsk(s.port, 'srvr'))?.[1]));
      expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
      expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
      expect(await zookeeperServing(ensemble[0].port)()).toBe(true);
    } finally {
      await registry.close();
    }
    expect(registry.livePids()).toEqual([]);
    expect(registry.dirs().filter((d) => existsSync(d))).toEqual([]);
  });
});
