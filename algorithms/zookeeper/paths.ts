/**
 * Znode paths and names: parent/child splitting, the 10-digit sequential
 * suffix ZooKeeper appends (`%010d` of the parent's cversion), and Curator's
 * "protected" names (`_c_<guid>-…`) that let a client find the node a lost
 * create reply would have named. Pure string functions; no I/O.
 */

/** Where the recipes keep their nodes. */
export const RECIPE_PATHS = {
  /** The lock: one ephemeral sequential child per contender. */
  lock: '/lock',
  /** Curator InterProcessSemaphoreV2: the mutex that serialises lease creation… */
  semaphoreLocks: '/semaphore/locks',
  /** …and the lease nodes (the first `permits` children hold). */
  semaphoreLeases: '/semaphore/leases',
} as const;

/** Width of the sequential suffix, as ZooKeeper formats it. */
export const SEQUENCE_DIGITS = 10;

/** The parent of `/a/b` is `/a`; of `/a` it is `/`. Throws for the root or a malformed path. */
export function parentOf(path: string): string {
  assertPath(path);
  if (path === '/') throw new Error('the root has no parent');
  const cut = path.lastIndexOf('/');
  return cut === 0 ? '/' : path.slice(0, cut);
}

/** The last component: `/a/b` → `b`. */
export function nameOf(path: string): string {
  assertPath(path);
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Throws unless `path` is absolute, without a trailing slash or empty component. */
export function assertPath(path: string): void {
  if (path === '/') return;
  if (!path.startsWith('/') || path.endsWith('/') || path.includes('//')) throw new Error(`bad znode path ${JSON.stringify(path)}`);
}

/** The name ZooKeeper gives a sequential node: the requested path plus the zero-padded counter. */
export function sequentialName(requested: string, counter: number): string {
  if (!Number.isInteger(counter) || counter < 0) throw new Error(`bad sequence counter ${counter}`);
  return requested + String(counter).padStart(SEQUENCE_DIGITS, '0');
}

/** The sequence number of a sequential node's name (its last 10 digits), or undefined. */
export function sequenceOf(name: string): number | undefined {
  if (name.length < SEQUENCE_DIGITS) return undefined;
  const digits = name.slice(-SEQUENCE_DIGITS);
  return /^[0-9]+$/.test(digits) ? Number(digits) : undefined;
}

/** Sequential child names ordered by sequence number (recipes' order; non-sequential names are dropped). */
export function bySequence(names: readonly string[]): string[] {
  return names.filter((n) => sequenceOf(n) !== undefined).sort((a, b) => sequenceOf(a)! - sequenceOf(b)!);
}

/**
 * A protected node name prefix (Curator's `withProtection()`): `_c_<guid>-<owner>-<label>-`.
 * `guid` is fresh per acquire; `owner` names the client instance so it can
 * recognise (and delete) its own stale nodes from earlier attempts.
 */
export function protectedPrefix(guid: string, owner: string, label: string): string {
  if (guid.includes('-') || owner.includes('-')) throw new Error(`guid and owner must not contain "-": ${guid}, ${owner}`);
  return `_c_${guid}-${owner}-${label}-`;
}

/** The guid and owner a protected name carries, or undefined for another name. */
export function protectedParts(name: string): { readonly guid: string; readonly owner: string } | undefined {
  const match = /^_c_([^-]+)-([^-]+)-/.exec(name);
  return match === null ? undefined : { guid: match[1], owner: match[2] };
}
