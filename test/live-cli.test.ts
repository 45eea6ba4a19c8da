/**
 * `locksim live` through the CLI (SPEC §9): the JSON document with each
 * design's live verdicts and their agreement with the simulated run, the
 * table, a design live mode does not run yet (null verdicts with the
 * reason), and bad flags (exit 2). Skipped, saying so, without
 * redis-server (`.ci/run` installs it).
 */
import { describe, expect, it } from 'vitest';
import { isInstalled } from '../sim/live/index.ts';
import { cli } from './support/cli.ts';

const haveRedis = isInstalled('redis-server');
if (!haveRedis) console.warn('live-cli.test.ts: skipped: redis-server not found (apt-get install -y redis-server; .ci/run installs it)');

describe.skipIf(!haveRedis)('live gc-pause on redis', () => {
  it('prints SPEC §9 JSON: mode live, the same verdicts as simulated, agreement for every check', async () => {
    const { code, stdout, stderr } = await cli(['live', 'gc-pause', '--design', 'redis', '--time-scale', '0.1', '--json']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/about \d+ s of real time/);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ scenario: 'gc-pause', seed: 1, mode: 'live' });
    const [redis] = doc.results;
    expect(redis).toMatchObject({ design: 'redis', mode: 'live', traceHash: '' });
    expect(redis.checks.mutualExclusion.ok).toBe(false);
    expect(redis.checks.resource.ok).toBe(true);
    expect(redis.agreement.mutualExclusion).toEqual({ live: false, simulated: false, agree: true });
    expect(redis.agreement.all).toBe(true);
    expect(redis.live.servers[0]).toMatchObject({ name: 's1', program: 'redis-server' });
  }, 60_000);
});

describe('live: flags', () => {
  it.each([
    [['--time-scale', '0'], /--time-scale: "0": expected a number above 0 and at most 1/],
    [['--time-scale', '2'], /--time-scale: "2"/],
    [['--keep', '/no/such/folder'], /--keep: "\/no\/such\/folder" is not an existing folder/],
    [['--design', 'paxos'], /--design/],
  ])('%j: exit 2 with the reason', async (flags, message) => {
    const { code, stdout, stderr } = await cli(['live', 'gc-pause', ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
