/**
 * The service history of a run, as the `linearizable` check needs it: the
 * clients' recorded acquire/release (or read/cas) operations, plus one
 * instantaneous `expire` operation by the service for each grant the lease
 * tracker reported expired, attributed to the operation that held it.
 *
 * One service operation per grant. A client's acquire call can span more
 * than one grant (the service granted, the grant expired while the client
 * was paused inside the call, the client threw the stale reply away and a
 * retry won a second grant), and a grant can come from a call the client
 * already gave up (an abandoned lock node that later became head). The
 * expiry names its grant (identity, grant time, token); the acquire that
 * returned that grant is the one that holds it. A grant no acquire returned
 * was an operation the client never saw complete: it gets an acquire of its
 * own, called when the service granted and never returned (it may take
 * effect any time after), under a fresh process number, and its expiry
 * names that process. Pinning such an expiry on the call's returned grant,
 * or on a later call in progress, would expire the wrong grant and make a
 * correct service look non-linearizable.
 *
 * Clients are identified by name, never by arithmetic on process numbers:
 * each recorded operation carries its client.
 */
import { SERVICE_PROCESS, type Operation } from '../checker/linearizability/index.ts';
import type { ExpiryRecord } from './lease-tracker.ts';
import type { RecordedOp } from './recorder.ts';

/**
 * Builds the operations to check: the recorded ones, plus an `expire` per
 * expired grant (each grant once), plus an acquire of unknown outcome for
 * each expired grant that no recorded acquire returned.
 */
export function serviceOperations(ops: readonly RecordedOp[], expiries: readonly ExpiryRecord[], processOfClient: (client: string) => number): Operation[] {
  const all: Operation[] = [];
  const acquiresByClient = new Map<string, Operation[]>();
  let highest = 0;
  for (const recorded of ops) {
    const op = { ...recorded.op };
    all.push(op);
    highest = Math.max(highest, op.process, processOfClient(recorded.client));
    if (op.f !== 'acquire' || (op.return !== null && op.output === false)) continue;
    let list = acquiresByClient.get(recorded.client);
    if (list === undefined) acquiresByClient.set(recorded.client, (list = []));
    list.push(op);
  }
  for (const expiry of expiries) highest = Math.max(highest, processOfClient(expiry.owner));
  let nextProcess = highest + 1;

  const seenGrants = new Set<string>();
  for (const expiry of expiries) {
    // A grant ends once: a second report of it (a new leader re-applying the entry its predecessor applied) is the same event.
    const grant = expiry.grant ?? (expiry.token === undefined ? undefined : `${expiry.owner} ${expiry.token}`);
    if (grant !== undefined) {
      if (seenGrants.has(grant)) continue;
      seenGrants.add(grant);
    }
    const candidates = acquiresByClient.get(expiry.owner) ?? [];
    let owner: number;
    if (expiry.grantedAtUs !== undefined) {
      const holder = returnedGrant(candidates, expiry, expiry.grantedAtUs);
      if (holder !== undefined) owner = holder.process;
      else {
        owner = nextProcess++;
        all.push({ process: owner, call: expiry.grantedAtUs, return: null, f: 'acquire', input: null, output: null });
      }
    } else {
      owner = unknownGrantHolder(candidates, expiry) ?? processOfClient(expiry.owner);
    }
    all.push({ process: SERVICE_PROCESS, call: expiry.atUs, return: expiry.atUs, f: 'expire', input: { owner }, output: null });
  }
  return all;
}

/**
 * The acquire that returned the expired grant (made at `grantedAtUs`): one
 * in progress then that returned a grant, and that grant — by token when
 * both have one; without tokens, the client's last grant within the call
 * (a call whose client was granted again before it returned returned that
 * later grant).
 */
function returnedGrant(candidates: readonly Operation[], expiry: ExpiryRecord, grantedAtUs: number): Operation | undefined {
  return candidates.find((op) => {
    if (op.return === null || op.call > grantedAtUs || op.return < grantedAtUs) return false;
    const token = tokenOf(op.output);
    if (token !== undefined && expiry.token !== undefined) return token === expiry.token;
    return expiry.nextGrantUs === undefined || expiry.nextGrantUs > op.return;
  });
}

/**
 * For an expiry whose grant the service never reported: the acquire that
 * returned its token, else the client's latest acquire of unknown outcome
 * before the expiry, else its latest acquire before it.
 */
function unknownGrantHolder(candidates: readonly Operation[], expiry: ExpiryRecord): number | undefined {
  if (expiry.token !== undefined) {
    const granted = candidates.find((op) => op.return !== null && tokenOf(op.output) === expiry.token);
    if (granted !== undefined) return granted.process;
    const unknown = candidates.filter((op) => op.return === null && op.call <= expiry.atUs).pop();
    if (unknown !== undefined) return unknown.process;
  }
  return candidates.filter((op) => op.call <= expiry.atUs).pop()?.process;
}

function tokenOf(output: unknown): number | undefined {
  if (typeof output !== 'object' || output === null || !('token' in output)) return undefined;
  const token = (output as { token: unknown }).token;
  return typeof token === 'number' ? token : undefined;
}
