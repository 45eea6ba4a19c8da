/**
 * The examples that end `locksim --help` and each command's `--help`
 * (commander's `addHelpText('after', …)`). Only built commands appear.
 */
import { DEFAULT_BUDGET_STEPS, DEFAULT_MAX_CACHE_ENTRIES, DEFAULT_MAX_CACHE_WORDS } from '../checker/linearizability/index.ts';

/** `Examples:` then, per example, a `# what it does` line over its `$ command` line. */
/** The checker's default limits, as the `check` help states them. */
const CHECK_LIMITS = {
  steps: DEFAULT_BUDGET_STEPS.toLocaleString('en-US'),
  memory: `${DEFAULT_MAX_CACHE_ENTRIES.toLocaleString('en-US')} configurations or ${(DEFAULT_MAX_CACHE_WORDS * 4) / (1024 * 1024)} MiB`,
};

const block = (lines: ReadonlyArray<readonly [string, string]>): string =>
  `\nExamples:\n${lines.map(([command, what]) => `  # ${what}\n  $ ${command}`).join('\n')}\n`;

export const EXAMPLES = {
  program: `${block([
    ['npx locksim list', 'designs, built-in scenarios, scenario fields, fault kinds, models'],
    ['npx locksim suite', 'every built-in scenario on every design: the matrix and a summary per design'],
    ['npx locksim run gc-pause', 'a built-in scenario, every design side by side'],
    ['npx locksim run my-scenario.yaml --design redis,redlock --seed 7', 'your own scenario, two designs, another seed'],
    ['npx locksim check history.jsonl --model fenced-mutex', 'is this history linearizable?'],
    ['npx locksim bench', 'how fast this machine simulates and checks'],
  ])}
Exit codes: 0 ran and every expectation held, 1 an expectation failed (or a
history is not linearizable), 2 bad input or usage, 3 internal error.
Colours only on a terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 forces
them on (FORCE_COLOR=0 off). --json output is never coloured.
`,
  list: block([
    ['npx locksim list', 'everything, as text'],
    ['npx locksim list --json', 'the same as one JSON document (fields under "fields")'],
  ]),
  run: block([
    ['npx locksim run gc-pause', 'a built-in scenario by name (locksim list names them)'],
    ['npx locksim run scenarios/redlock-clock-jump.json --json', 'the result JSON (SPEC §4), nothing else on stdout'],
    ['npx locksim run gc-pause --design redis --seed 42', 'one design, another seed'],
    ['npx locksim run gc-pause --trace gc.trace', 'also stream every event to gc.trace'],
    ['npx locksim run gc-pause --trace - | grep holds', 'the trace on stdout (the table goes to stderr)'],
    ['npx locksim run gc-pause --out runs/gc', 'the run folder: result JSON, service histories (SPEC §5) and traces per design'],
    ['npx locksim run gc-pause --report gc-pause.html', 'the HTML report: per-node timelines, faults, violations'],
  ]),
  suite: `${block([
    ['npx locksim suite', 'the built-in suite, every design, on all cores'],
    ['npx locksim suite scenarios/ my-scenarios/ --design redis,redlock', 'the scenario files in these folders, two designs'],
    ['npx locksim suite --workers 2 --json > suite.json', 'the suite document (SPEC §6), the same bytes for any --workers'],
    ['npx locksim suite --format md >> "$GITHUB_STEP_SUMMARY"', 'the matrix and the summary as Markdown'],
    ['npx locksim suite --shard 2/3 --out out/shard-2', 'shard 2 of 3 (a CI matrix job), its run folder in out/shard-2'],
    ['npx locksim suite --shard-count 3 --out out/$JOB_COMPLETION_INDEX', 'a Kubernetes Indexed Job pod: the shard its index names'],
    ['npx locksim suite --merge out/shard-1 out/shard-2 out/shard-3 --json', 'the shards merged: the unsharded run\'s document'],
    ['npx locksim suite --report suite.html', 'the HTML report: the matrix, charts, and every run\'s timeline'],
  ])}
Cells: safe, or the checks that broke (mutex✗ fencing✗ resource✗ linear✗ live✗),
skip (a fault cannot apply to the design), with "!" when the verdicts differ
from the scenario's expect (exit 1). Wall time goes to stderr (and to
--timings FILE), never into the document. The run folder of --out holds
<scenario>.json, <scenario>/<design>.history.jsonl (re-check it with
locksim check FILE --model <its checks.linearizable.model>), .trace.txt,
and suite.json.
`,
  check: `${block([
    ['npx locksim check history.jsonl --model mutex', 'a jsonl history (SPEC §5) against a model'],
    ['npx locksim check etcd_000.log etcd_001.log --json', 'Jepsen etcd logs (format guessed), one JSON array'],
    ['cat history.jsonl | npx locksim check - --model cas-register', 'a history on stdin'],
    ['npx locksim check big.jsonl --model kv --timeout 2m', 'allow each file two minutes (default 30s)'],
    ['npx locksim check big-kv.jsonl --model kv --workers 1', 'check in this thread only (no worker threads)'],
  ])}
A file's verdict is "unknown" (exit 0, not a failure), with its reason, when
its check runs out of time ("timeout", --timeout), of steps ("step budget",
${CHECK_LIMITS.steps} steps) or of memo memory ("memory cap",
${CHECK_LIMITS.memory}).
--workers: a history split into partitions (kv: one per key) goes to worker
threads, the first illegal partition stopping the others, only when that is
estimated to be faster: 3 threads or more, a core each, and tens of thousands
of ops (never 2: measured, a thread's search is ~2x slower per op while
another runs). The verdict is the same for any --workers (with several
illegal partitions the counterexample may show another one); on threads the
step budget and memo caps apply to each thread.
`,
  fuzz: `${block([
    ['npx locksim fuzz --design redlock --runs 2000 --seed 1', 'fuzz Redlock (mutualExclusion): failures shrunk, printed as a scenario and a replay token'],
    ['npx locksim fuzz --design raft-lock --property resource --time 60s', 'a minute on the Raft lock, the store fencing reads and writes'],
    ['npx locksim fuzz --seed 7 --workers 4 --json > fuzz.json', 'every design; the same findings for any --workers'],
    ['npx locksim fuzz --shard 2/3 --seed 7 --runs 3000', 'shard 2 of 3 of a session (a CI matrix job)'],
    ['npx locksim fuzz --design redis --runs 200 --check-determinism 10', 'also re-run 10 runs twice and compare their traces'],
  ])}
Each run draws design knobs, a workload, the network and up to 4 faults of
every kind (some kinds switched off per run: swarm testing), some aimed at a
lease's end, a held lock, a grant or an election. A failing run is shrunk
(fewer faults, shorter, fewer clients and sections, rounder times). Exit 0 no
property failed, 1 one did, 2 bad input, 3 --check-determinism found a
difference. Wall time and the progress line go to stderr.
`,
  report: `${block([
    ['npx locksim report out/shard-1 out/shard-2 --out suite.html', 'suite shards\' run folders merged into one HTML report'],
    ['npx locksim report result.json fuzz.json --out report.html', 'a run (run --json) and fuzz findings (replayed to draw them)'],
    ['npx locksim report out/ --format md > report.md', 'the matrix and the metrics as Markdown'],
  ])}
One self-contained HTML file: the data inlined, no request leaves it, it
opens from disk. Per run, a lane per node: who believed they held the lock
(coloured by token), the servers' grants and expiries, faults as bands,
clock offsets, the store's accepted and rejected writes, and each violation
marked (click it to zoom). Run folders (suite --out, run --out) carry the
timelines; a plain --json result draws without them.
`,
  live: `${block([
    ['npx locksim live gc-pause --design redis --time-scale 0.1', 'gc-pause against a real redis-server, ten times faster than real time'],
    ['npx locksim live redlock-clock-jump --json', 'Redlock on five redis-servers, the clock jump through libfaketime; SPEC §9 JSON'],
  ])}
Servers bind 127.0.0.1 only, each in its own temporary folder, all stopped
and removed at the end (also on Ctrl-C). Pauses are SIGSTOP/SIGCONT, crashes
SIGKILL and a restart, partitions cut the TCP proxies on every link. A fault
or knob live mode cannot reproduce makes that design's verdicts null, with
the reason.
`,
  replay: `${block([
    ['npx locksim replay ls1.eyJwIjoi…', 'a fuzz finding from its token: the run, its traceHash, the property'],
    ['npx locksim replay finding.json --trace -', 'a saved scenario file, with its trace on stdout'],
  ])}
Exit for a token: 1 when the property fails again (reproduced), 0 when it
holds; for a file, as run.
`,
  bench: block([
    ['npx locksim bench', 'a table of figures beside their targets'],
    ['npx locksim bench --json', 'the figures as one JSON object'],
  ]),
} as const;
