/**
 * `locksim fuzz` and `locksim replay` (SPEC §2), in-process through
 * `main(argv, io)`: the --json shape, the same findings with --workers 1
 * and 2 (worker threads load sim/cli/worker.boot.mjs), a finding's
 * token replays to the same traceHash, its printed scenario reproduces the
 * violation through `run`, shards cover the runs, --check-determinism, the
 * text output and exit codes for bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeterminism } from '../sim/cli/commands/fuzz.ts';
import { DEFAULT_CONFIG, localExecutor, runFuzz, type FuzzReport } from '../sim/fuzz/index.ts';
import { DESIGNS } from './support/designs.ts';
import { cli } from './support/cli.ts';
import type { RunResult } from '../sim/harness/result.ts';

const tmp = mkdtempSync(join(tmpdir(), 'locksim-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


const SESSION = ['fuzz', '--design', 'redlock,redis', '--runs', '30', '--seed', '4', '--duration', '15s', '--shrink', '2', '--json'];
let one: Awaited<ReturnType<typeof cli>>;
let report: FuzzReport;

beforeAll(async () => {
  one = await cli([...SESSION, '--workers', '1']);
  report = JSON.parse(one.stdout) as FuzzReport;
}, 60_000);

describe('fuzz --json', () => {
  it('prints the SPEC §2 shape, exits 1 on a failed property, and keeps wall time out of stdout', () => {
    expect(one.code).toBe(1);
    expect(report.runs).toBe(60);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['design', 'property', 'scenario', 'replay', 'shrinks', 'traceHash']));
      expect(f.replay).toMatch(/^ls1\.[A-Za-z0-9_-]+$/);
    }
    expect(new Set(report.findings.map((f) => f.signature)).size).toBe(report.findings.length);
    expect(Object.keys(report.coverage)).toEqual(
      expect.arrayContaining(['pausesOutlivedLease', 'clockJumpsExpiredHeldLock', 'crashesLostAckedWrite', 'partitionsSplitQuorum', 'staleTokensRejected', 'faults']),
    );
    expect(one.stdout).not.toMatch(/runs\/s|wallMs|"seconds"/);
    expect(one.stderr).toMatch(/fuzz: 60 runs in [\d.]+ s \(\d+ runs\/s/);
  });

  it('gives the same findings, byte for byte, with --workers 2', async () => {
    const two = await cli([...SESSION, '--workers', '2']);
    expect(two.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
  }, 60_000);

  it('shards split the runs: 1/2 and 2/2 together do every run', async () => {
    const shards = await Promise.all(['1/2', '2/2'].map((s) => cli(['fuzz', '--design', 'redis', '--runs', '9', '--seed', '4', '--duration', '10s', '--shrink', '0', '--workers', '1', '--json', '--shard', s])));
    const docs = shards.map((s) => JSON.parse(s.stdout) as FuzzReport);
    expect(docs.map((d) => d.runs)).toEqual([5, 4]);
    expect(docs.map((d) => d.fuzz.shard)).toEqual(['1/2', '2/2']);
    const whole = JSON.parse((await cli(['fuzz', '--design', 'redis', '--runs', '9', '--seed', '4', '--duration', '10s', '--shrink', '0', '--workers', '1', '--json'])).stdout) as FuzzReport;
    expect(docs[0].designs.redis.failedRuns + docs[1].designs.redis.failedRuns).toBe(whole.designs.redis.failedRuns);
    expect(docs[0].coverage.faults.generated + docs[1].coverage.faults.generated).toBe(whole.coverage.faults.generated);
  }, 60_000);
});

describe('replay', () => {
  it('re-runs a token to the same traceHash and fails the property again (exit 1)', async () => {
    const finding = report.findings[0];
    const replayed = await cli(['replay', finding.replay, '--json']);
    expect(replayed.code).toBe(1);
    const doc = JSON.parse(replayed.stdout) as RunResult & { replay: { failed: boolean; traceHash: string; matched: boolean } };
    expect(doc.replay).toMatchObject({ failed: true, traceHash: finding.traceHash, matched: true });
    expect(doc.results[0].traceHash).toBe(finding.traceHash);
    const text = await cli(['replay', finding.replay]);
    expect(text.stdout).toContain(`traceHash ${finding.traceHash} (the same as the finding)`);
    expect(text.stdout).toContain(`replay: npx locksim replay ${finding.replay}`);
  });

  it('the printed scenario reproduces the violation through run, and replay takes the file too', async () => {
    const finding = report.findings[0];
    const file = join(tmp, 'finding.json');
    writeFileSync(file, JSON.stringify(finding.scenario, null, 2));
    const run = await cli(['run', file, '--json']);
    expect(run.code).toBe(0); // no expectations in the scenario: it ran
    const result = (JSON.parse(run.stdout) as RunResult).results[0];
    expect(result.traceHash).toBe(finding.traceHash);
    expect((result.checks as Record<string, { ok: unknown }>)[finding.property].ok).toBe(false);
    const replayed = await cli(['replay', file, '--json']);
    expect((JSON.parse(replayed.stdout) as RunResult).results[0].traceHash).toBe(finding.traceHash);
  });

  it('refuses a broken token (exit 2)', async () => {
    const bad = await cli(['replay', 'ls1.%%%']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/replay token/);
  });
});

describe('fuzz text output and input checks', () => {
  it('prints each finding as a scenario with its replay command, then the coverage', async () => {
    const { code, stdout } = await cli(['fuzz', '--design', 'redlock', '--runs', '10', '--seed', '4', '--duration', '10s', '--shrink', '1', '--workers', '1']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/finding 1: redlock breaks mutualExclusion/);
    expect(stdout).toMatch(/replay: npx locksim replay ls1\./);
    expect(stdout).toMatch(/"designs": \[\n\s+"redlock"\n\s+\]/);
    expect(stdout).toMatch(/coverage of the fault space:/);
    expect(stdout).toMatch(/pauses of a client that outlived its lease/);
  }, 30_000);

  it('exits 0 when no property fails', async () => {
    const { code, stdout } = await cli(['fuzz', '--design', 'raft-lock', '--property', 'resource', '--runs', '5', '--seed', '1', '--duration', '10s', '--workers', '1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/no property failed/);
  });

  it('--check-determinism re-runs a sample twice and finds every trace identical', async () => {
    const { code, stdout } = await cli(['fuzz', '--design', 'cas', '--property', 'mutualExclusion', '--runs', '4', '--seed', '3', '--duration', '10s', '--workers', '1', '--json', '--check-determinism', '2']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { determinism: unknown }).determinism).toEqual({ checked: 2, mismatches: [] });
  });

  it('--check-determinism compares the re-runs with the traceHash the session\'s worker got', async () => {
    const config = { ...DEFAULT_CONFIG, seed: 3, property: 'mutualExclusion' as const, durationMs: 10_000 };
    const hashes = new Map<string, string>();
    const exec = localExecutor(DESIGNS);
    const report = await runFuzz(
      { designs: ['cas'], config, runs: 4, shrinkPerDesign: 0, batchSize: 3, inFlight: 1, hashSample: 2 },
      exec.execute,
      { onRunHash: (design, index, hash) => void hashes.set(`${design}/${index}`, hash) },
    );
    // Only the sampled runs come back with their hash, and it is the run's.
    expect([...hashes.keys()]).toEqual(['cas/0', 'cas/1']);
    expect(checkDeterminism(config, ['cas'], report, 2, hashes)).toEqual({ checked: 2, mismatches: [] });
    // A session hash that the re-runs do not reproduce is reported, with both hashes.
    const wrong = new Map(hashes).set('cas/1', '0000000000000000');
    const { mismatches } = checkDeterminism(config, ['cas'], report, 2, wrong);
    expect(mismatches).toEqual([
      { design: 'cas', run: 1, line: null, first: 'session run: traceHash 0000000000000000', second: `re-runs (identical to each other): traceHash ${hashes.get('cas/1')}`, sessionHash: '0000000000000000', rerunHash: hashes.get('cas/1') },
    ]);
  });

  it.each([
    [['--property', 'safety'], /--property.*unknown check "safety"/],
    [['--runs', '5', '--time', '1s'], /--runs N or --time/],
    [['--time', 'soon'], /--time.*not a duration/],
    [['--design', 'paxos'], /unknown design "paxos"/],
    [['--shard', '3/2'], /--shard/],
    [['--check-determinism', 'some'], /--check-determinism/],
    [['--runs', '0'], /--runs/],
  ])('bad input %j exits 2 with a message', async (args, message) => {
    const { code, stdout, stderr } = await cli(['fuzz', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
