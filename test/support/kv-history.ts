/**
 * The kv history generator lives with the checker (the bench uses it too):
 * sim/checker/linearizability/synth-kv.ts. Re-exported for the tests.
 */
export { corruptGet, generateKvHistory, type KvHistoryOptions } from '../../sim/checker/linearizability/synth-kv.ts';
