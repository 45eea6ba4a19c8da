/**
 * sim/fuzz: property-based fault fuzzing with fast-check (issue 12).
 * arbitraries.ts draws whole runs as SPEC §3 scenario objects; engine.ts
 * runs and shrinks one; search.ts runs a session over an executor (pool.ts);
 * coverage.ts counts what the faults did; token.ts is the replay token;
 * bench.ts measures runs per second. Designs come from a registry passed in.
 */
export { genomeArb, toScenario, leaseMsOf, SWARM_KINDS, type Genome, type RunSpace, type ScenarioJson } from './arbitraries.ts';
export { benchFuzz, benchFuzzDesigns, type FuzzBench, type FuzzBenchOptions } from './bench.ts';
export { addCoverage, emptyCoverage, runCoverage, type Coverage } from './coverage.ts';
export { DEFAULT_CONFIG, drawScenario, fuzzRun, runScenarioJson, runSeed, shrinkRun, signatureOf, type Finding, type FuzzConfig, type RunOutcome } from './engine.ts';
export { FUZZ_WORKER_EXPORT, fuzzExecutor, localExecutor, type PooledExecutor } from './pool.ts';
export { isCheckName, propertiesFor, violatedProperty } from './property.ts';
export { runFuzz, runFuzzTask, type Executor, type FuzzHooks, type FuzzPlan, type FuzzReport, type FuzzTask, type FuzzTaskResult, type Shard } from './search.ts';
export { decodeToken, encodeToken, looksLikeToken, TOKEN_PREFIX, type Replayable } from './token.ts';
