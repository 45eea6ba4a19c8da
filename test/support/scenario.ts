/** Builds normalised scenarios in tests without going through a file. */
import type { Fault, Scenario } from '../../sim/scenario/types.ts';

const S = 1_000_000;
const MS = 1_000;

export function scenario(overrides: Partial<Omit<Scenario, 'workload'>> & { workload?: Partial<Scenario['workload']> } = {}): Scenario {
  const { workload, ...rest } = overrides;
  return {
    name: 'test',
    description: '',
    source: 'test',
    seed: 1,
    durationUs: 30 * S,
    livenessWithinUs: 30 * S,
    coldStart: false,
    designs: ['toy'],
    config: {},
    network: { latencyUs: { minUs: 1 * MS, maxUs: 5 * MS }, loss: 0, duplicate: 0 },
    faults: [],
    expect: {},
    ...rest,
    workload: {
      clients: 3,
      sections: 10,
      holdUs: { minUs: 1 * S, maxUs: 1 * S },
      thinkUs: { minUs: 200 * MS, maxUs: 500 * MS },
      staggerUs: 0,
      acquireTimeoutUs: 20 * S,
      fencing: 'none',
      checkBeforeWrite: false,
      permits: 1,
      ...workload,
    },
  };
}

/** A fault as written in a test: any kind, without its index. */
export type FaultInput = Fault extends infer F ? (F extends Fault ? Omit<F, 'index'> : never) : never;

/** Numbers faults in order, as the loader does. */
export function faults(...list: FaultInput[]): Fault[] {
  return list.map((fault, index): Fault => ({ ...fault, index }));
}

export { S, MS };
