/**
 * Checks say what they judged (issue 9, items 13 and 14): with a store that
 * checks no tokens, `fencing` judges only the service's tokens and says so;
 * a semaphore's holders share the one store register, so `resource` is null
 * with the reason rather than a violation by construction.
 */
import { describe, expect, it } from 'vitest';
import { checkFencing } from '../sim/checker/fencing.ts';
import type { GrantRecord, StoreAccess } from '../sim/checker/types.ts';
import { loadScenarioFile, parseScenario, runScenario } from './support/designs.ts';

const grant = (atUs: number, token: number): GrantRecord => ({ atUs, server: 's1', client: `c${token}`, token });
const write = (atUs: number, token: number): StoreAccess => ({ atUs, client: `c${token}`, kind: 'write', token, accepted: true, value: token, basedOn: token - 1, before: token - 1 });

describe('fencing with a store that checks nothing', () => {
  it('judges only the service half: a late lower-token write the store accepted is not a fencing violation', () => {
    const grants = [grant(1, 1), grant(2, 2)];
    const accesses = [write(3, 2), write(4, 1)];
    expect(checkFencing(true, grants, accesses, 'writes').ok).toBe(false);
    const unchecked = checkFencing(true, grants, accesses, 'none');
    expect(unchecked.ok).toBe(true);
    expect(unchecked.detail).toMatch(/store checks no tokens/);
  });

  it('still catches tokens that go back at the service', () => {
    const result = checkFencing(true, [grant(1, 2), grant(2, 1)], [], 'none');
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/only that the service's tokens increase was judged/);
  });
});

describe('resource for semaphores', () => {
  it('is null with the reason for permits > 1, and judged for a mutex', () => {
    const semaphore = runScenario(loadScenarioFile('zookeeper-semaphore')).results[0];
    expect(semaphore.checks.resource?.ok).toBeNull();
    expect(semaphore.checks.resource?.detail).toMatch(/semaphore of 2 permits/);
    const mutex = runScenario(
      parseScenario({ name: 'mutex', duration: '10s', designs: ['zookeeper'], workload: { clients: 2, sections: 3, permits: 1, fencing: 'writes' } }, 'mutex'),
    ).results[0];
    expect(mutex.checks.resource?.ok).toBe(true);
  });
});
