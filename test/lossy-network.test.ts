/**
 * Under message loss and duplication alone (no pauses, crashes or clock
 * faults), correct designs stay safe on every check: guards against the
 * history attribution and store de-duplication bugs such networks expose.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from './support/designs.ts';
import { runScenario } from './support/designs.ts';

describe('lossy, duplicating network', () => {
  for (const design of ['redis', 'redlock']) {
    it(`${design} stays safe on every check over several seeds`, () => {
      for (const seed of [1, 2, 3]) {
        const scenario = parseScenario(
          {
            name: 'lossy',
            seed,
            duration: '60s',
            designs: [design],
            network: { latency: { min: '1ms', max: '20ms' }, loss: 0.05, duplicate: 0.05 },
            workload: { clients: 4, sections: 20, hold: '200ms', think: '100ms', fencing: 'writes' },
          },
          'lossy-network.test',
        );
        const result = runScenario(scenario).results[0];
        expect(result.metrics.messagesDroppedByLoss).toBeGreaterThan(0);
        expect(result.metrics.messagesDuplicated).toBeGreaterThan(0);
        expect(result.metrics.sections).toBeGreaterThan(20);
        expect({ seed, safe: result.safe, checks: result.checks }).toMatchObject({ seed, safe: true });
      }
    });
  }
});
