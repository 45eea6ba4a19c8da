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
  ]),
  check: `${block([
    ['npx locksim check history.jsonl --model mutex', 'a jsonl history (SPEC §5) against a model'],
    ['npx locksim check etcd_000.log etcd_001.log --json', 'Jepsen etcd logs (format guessed), one JSON array'],
    ['cat history.jsonl | npx locksim check - --model cas-register', 'a history on stdin'],
    ['npx locksim check big.jsonl --model kv --timeout 2m', 'allow each file two minutes (default 30s)'],
  ])}
A file's verdict is "unknown" (exit 0, not a failure), with its reason, when
its check runs out of time ("timeout", --timeout), of steps ("step budget",
${CHECK_LIMITS.steps} steps) or of memo memory ("memory cap",
${CHECK_LIMITS.memory}).
`,
  bench: block([
    ['npx locksim bench', 'a table of figures beside their targets'],
    ['npx locksim bench --json', 'the figures as one JSON object'],
  ]),
} as const;
