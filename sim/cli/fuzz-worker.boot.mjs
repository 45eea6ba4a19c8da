// The fuzzer's worker module when locksim runs from its TypeScript sources
// (vitest, tsx, LOCKSIM_NO_BUNDLE=1): a worker thread does not inherit the
// parent's TypeScript loader, so this registers tsx in the thread, then loads
// fuzz-worker.ts. The bundled CLI does not use this file: its workers load
// the bundle itself (fuzz-worker.ts `fuzzWorkerUrl`).
import { register } from 'tsx/esm/api';

register();
const { runFuzzTask } = await import('./fuzz-worker.ts');

export { runFuzzTask };
