/**
 * Live mode leaves nothing behind and binds nothing but 127.0.0.1: after a
 * run, after a run that throws, and after Ctrl-C (SIGINT) of the process
 * running it, no server or client process is left running and no
 * temporary folder is left on disk; every server listens on 127.0.0.1 only
 * (seen from the outside with `ss -ltnp` and in its own config). Also the
 * registry on its own (a SIGSTOPped process still dies) and the error a
 * missing program gives. Skipped, saying why, without redis-server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled, MissingBinaryError } from '../sim/live/binaries.ts';
import { LiveProcesses } from '../sim/live/processes.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { parseScenario } from '../sim/scenario/load.ts';
import { listening } from './support/listening.ts';

const hasRedis = isInstalled('redis-server');
const SKIP = 'SKIPPED: redis-server is not installed (apt-get install -y redis-server)';
if (!hasRedis) console.warn(`test/live-cleanup.test.ts ${SKIP}`);

/** A short scenario: two clients, a few quick sections. */
const small = parseScenario(
  {
    name: 'live-cleanup',
    duration: '2s',
    designs: ['redis'],
    config: { redis: { ttl: '1s' } },
    workload: { clients: 2, sections: 3, hold: '50ms', think: '10ms', acquireTimeout: '1s', fencing: 'writes' },
  },
  'test/live-cleanup.test.ts',
  DESIGNS,
);

/** Whether `pid` is a process that still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Our folders in the temporary folder now. */
const ourDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('locksim-live-'));

const LOOPBACK = /^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/;

describe.skipIf(!hasRedis)(`live cleanup${hasRedis ? '' : ` (${SKIP})`}`, () => {
  it('after a run: every process gone, every folder removed; servers bound to 127.0.0.1 only', async () => {
    const before = new Set(ourDirs());
    let seen: { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | undefined;
    const result = await runLiveDesign(small, 'redis', {
      registry: DESIGNS,
      simulated: false,
      onReady: (info) => {
        seen = info;
        for (const pid of info.servers) {
          const addresses = listening(pid);
          if (addresses !== null) {
            expect(addresses.length).toBeGreaterThan(0);
            for (const address of addresses) expect(address).toMatch(LOOPBACK);
          }
        }
        const conf = readFileSync(join(info.dirs.find((d) => d.includes('redis-s1'))!, 'redis.conf'), 'utf8');
        expect(conf).toMatch(/^bind 127\.0\.0\.1$/m);
      },
    });
    expect(result.checks.mutualExclusion?.ok).toBe(true);
    expect(result.metrics.sections).toBe(6);
    expect(seen).toBeDefined();
    expect([...seen!.servers, ...seen!.clients].filter(running)).toEqual([]);
    expect(seen!.dirs.filter((d) => existsSync(d))).toEqual([]);
    expect(ourDirs().filter((d) => !before.has(d))).toEqual([]);
  });

  it('after a run that throws: the error comes through, and nothing is left', async () => {
    const before = new Set(ourDirs());
    let seen: { servers: readonly number[]; clients: readonly number[]; dirs: readonly string[] } | undefined;
    await expect(
      runLiveDesign(small, 'redis', {
        registry: DESIGNS,
        simulated: false,
        onReady: (info) => {
          seen = info;
          throw new Error('boom in the middle of a run');
        },
      }),
    ).rejects.toThrow('boom in the middle of a run');
    expect(seen!.servers.length).toBe(1);
    expect(seen!.clients.length).toBe(2);
    expect([...seen!.servers, ...seen!.clients].filter(running)).toEqual([]);
    expect(seen!.dirs.filter((d) => existsSync(d))).toEqual([]);
    expect(ourDirs().filter((d) => !before.has(d))).toEqual([]);
  });

  it('after Ctrl-C (SIGINT) of the process running a server: the server is killed, its folder removed, the process dies of SIGINT', async () => {
    const script = `
      import { LiveProcesses } from './sim/live/processes.ts';
      import { RedisServer } from './sim/live/redis-server.ts';
      const registry = new LiveProcesses();
      const server = await RedisServer.start(registry, { name: 's1', aof: 'always' });
      console.log(JSON.stringify({ pid: server.pid, dirs: registry.dirs() }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`exited early (${code})`)));
    });
    const { pid, dirs } = JSON.parse(line) as { pid: number; dirs: string[] };
    expect(running(pid)).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    for (let i = 0; i < 100 && running(pid); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(running(pid)).toBe(false);
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
  });
});

describe('the process registry', () => {
  it('kills a SIGSTOPped process on close and removes its folders', async () => {
    const registry = new LiveProcesses();
    const dir = registry.tempDir('test');
    const sleeper = registry.spawn('sleep', 'sleep', ['30']);
    expect(registry.signal(sleeper, 'SIGSTOP')).toBe(true);
    await registry.close();
    expect(sleeper.alive()).toBe(false);
    expect(running(sleeper.pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(() => registry.tempDir('again')).toThrow(/closed/);
  });

  it('a missing program is an error carrying its install command', () => {
    const error = new MissingBinaryError('etcd', 'etcd-server', ['/usr/bin/etcd']);
    expect(error.install).toBe('apt-get install -y etcd-server');
    expect(error.message).toMatch(/apt-get install -y etcd-server/);
    expect(error).toBeInstanceOf(Error);
  });
});
