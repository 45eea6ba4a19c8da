/**
 * The service history of a run, as the `linearizable` check needs it: the
 * clients' recorded acquire/release (or read/cas) operations, plus one
 * instantaneous `expire` operation by the service for each lease expiry the
 * lease tracker reported, attributed to the acquire it ended.
 *
 * Clients are identified by name, never by arithmetic on process numbers:
 * each recorded operation carries its client.
 */
import { SERVICE_PROCESS, type Operation } from '../checker/linearizability/index.ts';
import type { ExpiryRecord } from './lease-tracker.ts';
import type { RecordedOp } from './recorder.ts';

/**
 * Builds the operations to check. An `expire` names the client whose lease
 * ran out; it is attributed to that client's latest acquire (granted or of
 * unknown outcome) before the expiry, since a client's process number moves
 * on after an operation of unknown outcome.
 */
export function serviceOperations(ops: readonly RecordedOp[], expiries: readonly ExpiryRecord[], processOfClient: (client: string) => number): Operation[] {
  const all: Operation[] = [];
  const acquiresByClient = new Map<string, Operation[]>();
  for (const recorded of ops) {
    const op = { ...recorded.op };
    all.push(op);
    if (op.f !== 'acquire' || (op.return !== null && op.output === false)) continue;
    const client = recorded.client;
    let list = acquiresByClient.get(client);
    if (list === undefined) acquiresByClient.set(client, (list = []));
    list.push(op);
  }
  const seenTokens = new Set<string>();
  for (const expiry of expiries) {
    if (expiry.token !== undefined) {
      // A grant (named by its token) ends once: a second report of it (a new leader re-applying the
      // entry its predecessor applied) is the same event.
      const key = `${expiry.owner}/${expiry.token}`;
      if (seenTokens.has(key)) continue;
      seenTokens.add(key);
    }
    const candidates = acquiresByClient.get(expiry.owner) ?? [];
    let owner = processOfClient(expiry.owner);
    for (const op of candidates) if (op.call <= expiry.atUs) owner = op.process;
    const grantedAtUs = expiry.grantedAtUs;
    if (grantedAtUs !== undefined) {
      // The lease names the grant that ended: the acquire in progress when the service granted it.
      const inProgress = candidates.filter((op) => op.call <= grantedAtUs && (op.return === null || op.return >= grantedAtUs)).pop();
      if (inProgress !== undefined) owner = inProgress.process;
    } else if (expiry.token !== undefined) {
      // The token names the grant that ended, which may be older than the client's latest acquire
      // (the service expires a session after the client already gave up on it and tried again):
      // the acquire that returned that token, else (the client never learned of the grant) its
      // latest acquire of unknown outcome before the expiry.
      const granted = candidates.find((op) => op.return !== null && tokenOf(op.output) === expiry.token);
      const unknown = candidates.filter((op) => op.return === null && op.call <= expiry.atUs).pop();
      if (granted !== undefined) owner = granted.process;
      else if (unknown !== undefined) owner = unknown.process;
    }
    all.push({ process: SERVICE_PROCESS, call: expiry.atUs, return: expiry.atUs, f: 'expire', input: { owner }, output: null });
  }
  return all;
}

function tokenOf(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null || !('token' in output)) return undefined;
  const token = (output as { token: unknown }).token;
  return typeof token === 'number' ? token : undefined;
}
