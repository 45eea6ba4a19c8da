/**
 * Recipe node names, as the simulated recipes write them
 * (algorithms/zookeeper/paths.ts; sim/live may not import a design):
 * Curator's protected prefix `_c_<guid>-<owner>-<label>-` (label `lock`
 * for a lock node, `lease` for a semaphore lease) plus the 10-digit
 * sequence number ZooKeeper appends. The guid is fresh per acquire (so a
 * create whose reply was lost can be found again); the owner is the client
 * (so it can recognise its own stale nodes, and the observer can say whose
 * a node is). Pure string functions.
 */

/** Width of the sequential suffix, as ZooKeeper formats it. */
const SEQUENCE_DIGITS = 10;

/** The protected prefix of one acquire's node (`label`: `lock` or `lease`). */
export function protectedPrefix(guid: string, owner: string, label: string): string {
  if (guid.includes('-') || owner.includes('-')) throw new Error(`guid and owner must not contain "-": ${guid}, ${owner}`);
  return `_c_${guid}-${owner}-${label}-`;
}

/** The guid and owner a protected name carries, or undefined for another name. */
export function protectedParts(name: string): { readonly guid: string; readonly owner: string } | undefined {
  const match = /^_c_([^-]+)-([^-]+)-/.exec(name);
  return match === null ? undefined : { guid: match[1], owner: match[2] };
}

/** The sequence number of a sequential node's name (its last 10 digits), or undefined. */
export function sequenceOf(name: string): number | undefined {
  if (name.length < SEQUENCE_DIGITS) return undefined;
  const digits = name.slice(-SEQUENCE_DIGITS);
  return /^[0-9]+$/.test(digits) ? Number(digits) : undefined;
}

/** Sequential child names ordered by sequence number (non-sequential names are dropped). */
export function bySequence(names: readonly string[]): string[] {
  return names.filter((n) => sequenceOf(n) !== undefined).sort((a, b) => sequenceOf(a)! - sequenceOf(b)!);
}

/** The last component of a path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
