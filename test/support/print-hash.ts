/** Prints the toy scenario's traceHash for a seed (used by the cross-process determinism test). */
import { runDesignWith } from '../../sim/harness/run-design.ts';
import { toyLock } from './toy-lock.ts';
import { faults, S, scenario } from './scenario.ts';

export function toyRun(seed: number) {
  return runDesignWith(
    scenario({
      seed,
      network: { latencyUs: { minUs: 1000, maxUs: 9000 }, loss: 0.05, duplicate: 0.05 },
      faults: faults(
        { kind: 'pause', trigger: { kind: 'on', event: 'acquired', node: undefined, nth: 3, delayUs: 0 }, target: 'holder', durationUs: 12 * S },
        { kind: 'partition', trigger: { kind: 'at', atUs: 5 * S }, shape: 'halves', target: undefined, groups: undefined, cut: undefined, oneWay: false, durationUs: 2 * S },
      ),
    }),
    toyLock,
    seed,
  );
}

if (process.argv[2] !== undefined) {
  const r = toyRun(Number(process.argv[2]));
  process.stdout.write(`${r.traceHash} ${r.events}\n`);
}
