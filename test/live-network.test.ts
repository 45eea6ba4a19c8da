/**
 * A `network` fault live: the delay goes onto every proxied link
 * (sim/live/network.ts) for its window, and the acquire latency the real
 * client sees grows as the simulated one does. One client on one
 * redis-server, so an acquire is pure round trips (SET NX PX, then INCR
 * for its token: two, each delayed both ways). Skipped, saying why, when
 * redis-server is not installed.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import { isInstalled } from '../sim/live/binaries.ts';
import { runLiveDesign } from '../sim/live/run-live.ts';
import { loadScenarioFile } from '../sim/scenario/load.ts';
import { runDesign } from '../sim/harness/runner.ts';

const hasRedis = isInstalled('redis-server');
const SKIP = 'SKIPPED: redis-server is not installed (apt-get install -y redis-server)';
if (!hasRedis) console.warn(`test/live-network.test.ts ${SKIP}`);

describe.skipIf(!hasRedis)(`live network faults${hasRedis ? '' : ` (${SKIP})`}`, () => {
  it('redis-network-delay: 40 ms added to every link makes each acquire take two delayed round trips (≥ 80 ms) live, as simulated', async () => {
    const scenario = loadScenarioFile(fileURLToPath(new URL('./fixtures/live/redis-network-delay.json', import.meta.url)), DESIGNS);
    const result = await runLiveDesign(scenario, 'redis', { registry: DESIGNS, timeScale: 1 });
    expect(result.unsupported).toBeUndefined();
    expect(result.faults[0]).toMatchObject({ kind: 'network', targets: ['network'], effect: { delayMs: 40 } });
    expect(result.metrics.sections).toBe(10);
    const liveP50 = result.metrics.acquireP50Ms as number;
    expect(liveP50).toBeGreaterThanOrEqual(80);
    expect(liveP50).toBeLessThan(300);
    // The simulator, same scenario: the same two round trips.
    const simulated = runDesign(scenario, DESIGNS, 'redis', scenario.seed);
    expect(simulated.metrics.acquireP50Ms).toBeGreaterThanOrEqual(80);
    expect(result.agreement?.all, JSON.stringify(result.agreement)).toBe(true);
  }, 60_000);
});
