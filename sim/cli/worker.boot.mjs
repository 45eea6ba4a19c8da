// The CLI's worker module (suite jobs, check partitions, fuzz tasks) when locksim runs
// from its TypeScript sources (vitest, tsx, LOCKSIM_NO_BUNDLE=1): a worker
// thread does not inherit the parent's TypeScript loader, so this registers
// tsx in the thread, then loads the real entry (worker.ts). The
// bundled CLI does not use this file: its workers load the bundle itself
// (worker-url.ts).
import { register } from 'tsx/esm/api';

register();
const { runSuiteJob, runCheckPartitions, runFuzzTask } = await import('./worker.ts');

export { runSuiteJob, runCheckPartitions, runFuzzTask };
