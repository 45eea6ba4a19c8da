/**
 * Sharding a suite across machines (SPEC §6): `--shard i/n` (1-based) keeps
 * a deterministic slice of the sorted scenario list, and the n shards
 * together cover every scenario exactly once. The rule is round-robin:
 * the scenario at (0-based) position k of the sorted list goes to shard
 * (k mod n) + 1, so neighbours in the list — often the same design family,
 * with similar run times — land on different machines. A shard with no
 * scenario (n above the scenario count) is valid and empty.
 *
 * A Kubernetes Indexed Job sets `JOB_COMPLETION_INDEX` (0-based) in each
 * pod: with `--shard-count n` it stands for `--shard (index+1)/n`.
 */
import { InputError } from '../scenario/errors.ts';

/** One shard: `index` of `count`, 1-based. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The most shards a suite may be split into. */
export const MAX_SHARDS = 100_000;

const WANT = 'expected i/n with whole numbers 1 <= i <= n, such as 2/3';

/** Parses `--shard i/n`; throws InputError naming `--shard`. */
export function parseShard(value: string, flag = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (match === null) throw new InputError(undefined, flag, `${JSON.stringify(value)} is not a shard; ${WANT}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new InputError(undefined, flag, `${JSON.stringify(value)}: n must be 1 to ${MAX_SHARDS}; ${WANT}`);
  if (index < 1 || index > count) throw new InputError(undefined, flag, `${JSON.stringify(value)}: i must be 1 to ${count}; ${WANT}`);
  return { index, count };
}

/** Parses `--shard-count n`. */
export function parseShardCount(value: string): number {
  const count = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MAX_SHARDS)) throw new InputError(undefined, '--shard-count', `${JSON.stringify(value)} is not a shard count; expected a whole number 1 to ${MAX_SHARDS}`);
  return count;
}

/**
 * The shard asked for, if any: `--shard i/n`, or `--shard-count n` with
 * `JOB_COMPLETION_INDEX` from the environment; neither: unsharded.
 */
export function chooseShard(shard: string | undefined, shardCount: string | undefined, env: Readonly<Record<string, string | undefined>>): Shard | undefined {
  if (shard !== undefined && shardCount !== undefined) {
    throw new InputError(undefined, '--shard-count', 'give --shard i/n or --shard-count n (with JOB_COMPLETION_INDEX), not both');
  }
  if (shard !== undefined) return parseShard(shard);
  if (shardCount === undefined) return undefined;
  const count = parseShardCount(shardCount);
  const raw = env.JOB_COMPLETION_INDEX;
  if (raw === undefined || raw.trim() === '') {
    throw new InputError(undefined, '--shard-count', 'needs JOB_COMPLETION_INDEX in the environment (a Kubernetes Indexed Job sets it, 0-based); elsewhere give --shard i/n');
  }
  const index = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(index >= 0 && index < count)) {
    throw new InputError(undefined, 'JOB_COMPLETION_INDEX', `${JSON.stringify(raw)} is not a completion index for --shard-count ${count}; expected a whole number 0 to ${count - 1}`);
  }
  return { index: index + 1, count };
}

/** The slice of `sorted` that belongs to `shard` (all of it when undefined). */
export function selectShard<T>(sorted: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...sorted];
  return sorted.filter((_, k) => k % shard.count === shard.index - 1);
}

/** `"i/n"`, or null unsharded (the document's `suite.shard`). */
export function shardLabel(shard: Shard | undefined): string | null {
  return shard === undefined ? null : `${shard.index}/${shard.count}`;
}
