/**
 * Fault effects only the harness can see, added to each fault's report
 * after the run (the run itself is untouched: no events, no trace lines,
 * same traceHash). The fault files count what they did to a node; whether
 * that mattered to a lock needs the recorder's beliefs and the servers'
 * grants and expiries, which only exist here.
 *
 * - `pause` → `leaseExpiredWhilePaused`: paused clients that believed they
 *   held the lock when the pause began and whose grant the service expired
 *   (the lease tracker's expiry of that grant) before they resumed (or
 *   crashed, which ends a pause). Matched by token when both have one, else
 *   by a grant made after the client's previous belief ended and no later
 *   than this belief began. Not counted: a client-side validity deadline
 *   that passed while the service still held the grant (`stillValid()` is
 *   the design's own and not observable after the run).
 * - `clock-jump` → `heldLockExpiredByJump`: grants a jumped server (forward
 *   jump) had made before the jump, still held there when it fired, whose
 *   owner believed it held the lock then, and that the same server expired
 *   earlier in true time than the design's lease (TTL / session timeout)
 *   after it granted them — sooner than any un-jumped clock would have.
 *   Not attributed: a drifting clock on the same server could share the
 *   blame. Without a known lease length (a design whose knobs name none),
 *   not counted.
 * - `crash` → `ackedWritesLost` is counted by the crash itself (crash.ts),
 *   from the acknowledgement marks this run keeps (`AckMarks`).
 *
 * Counters are added only to faults that fired and were not skipped, with 0
 * when the case did not happen.
 */
import type { Micros } from '../../algorithms/api/index.ts';
import type { SimNode } from '../core/node.ts';
import type { Fault, FaultReport } from '../faults/types.ts';
import type { ExpiryRecord } from './lease-tracker.ts';
import type { OpenBelief } from './recorder.ts';

/** A lease event one server reported, keyed by its lease id (or `owner token`, or owner). */
export interface ServerLeaseEvent {
  readonly kind: 'granted' | 'expired' | 'deleted';
  readonly server: string;
  readonly atUs: Micros;
  readonly key: string | undefined;
  readonly owner: string | undefined;
}

/** The key a server's lease event is matched by. */
export function leaseKey(owner: string | undefined, lease: string | undefined, token: number | undefined): string | undefined {
  if (lease !== undefined) return lease;
  if (owner === undefined) return undefined;
  return token === undefined ? owner : `${owner} ${token}`;
}

/**
 * By node: its disk's write count (`SimDisk.writes`) when it last reported
 * an outcome a client is told of (`granted`, `deleted`, `renewed`). Every
 * write made before that is acknowledged; a crash that loses the disk's
 * last L writes lost `max(0, mark − (writes − L))` acknowledged ones.
 * Read-only observation of the disk: the run is the same.
 */
export class AckMarks {
  private readonly marks = new Map<string, number>();

  /** `node` just told a client of an outcome. */
  acknowledged(node: SimNode): void {
    this.marks.set(node.id, node.disk.writes);
  }

  /** The write count at `node`'s last acknowledgement (0 if none since its disk was last wiped). */
  markOf(nodeId: string): number {
    return this.marks.get(nodeId) ?? 0;
  }

  /** After a crash: a wiped disk (`durable: "none"`) restarts its write count, so older marks no longer apply. */
  crashed(node: SimNode): void {
    if (node.disk.writes === 0) this.marks.delete(node.id);
    else this.marks.set(node.id, Math.min(this.markOf(node.id), node.disk.writes));
  }
}

export interface DerivedEffectsInput {
  readonly reports: readonly FaultReport[];
  readonly specs: readonly Fault[];
  readonly beliefs: readonly OpenBelief[];
  readonly expiries: readonly ExpiryRecord[];
  readonly serverLog: readonly ServerLeaseEvent[];
  /** The design's lease length (µs), or null when its knobs name none. */
  readonly leaseUs: number | null;
  readonly endUs: Micros;
}

/** The reports with the derived counters added (see the file's comment). */
export function withDerivedEffects(input: DerivedEffectsInput): FaultReport[] {
  return input.reports.map((report, i) => {
    const spec = input.specs[i];
    if (report.firedAt === null || report.skipped !== undefined || spec === undefined) return report;
    switch (spec.kind) {
      case 'pause':
        if ((report.effect.pausedMs ?? 0) === 0) return report;
        return { ...report, effect: { ...report.effect, leaseExpiredWhilePaused: pausedLeasesExpired(input, report, report.firedAt) } };
      case 'clock-jump':
        return { ...report, effect: { ...report.effect, heldLockExpiredByJump: spec.byUs > 0 ? grantsExpiredByJump(input, report, report.firedAt) : 0 } };
      default:
        return report;
    }
  });
}

/** The belief `client` held at `atUs`, if any, and the end of its previous one. */
function beliefAt(beliefs: readonly OpenBelief[], client: string, atUs: Micros): { belief: OpenBelief; previousEndUs: number } | null {
  let previousEndUs = Number.NEGATIVE_INFINITY;
  for (const b of beliefs) {
    if (b.client !== client) continue;
    if (b.startUs <= atUs && (b.endUs === null || b.endUs > atUs)) return { belief: b, previousEndUs };
    if (b.endUs !== null && b.endUs <= atUs) previousEndUs = Math.max(previousEndUs, b.endUs);
  }
  return null;
}

function pausedLeasesExpired(input: DerivedEffectsInput, report: FaultReport, firedUs: Micros): number {
  const resumeUs = report.endedAt ?? input.endUs;
  let count = 0;
  for (const client of report.targets) {
    const held = beliefAt(input.beliefs, client, firedUs);
    if (held === null) continue;
    const { belief, previousEndUs } = held;
    // A crash during the pause ends both the pause and the belief.
    const untilUs = Math.min(resumeUs, belief.endUs ?? Number.POSITIVE_INFINITY);
    const expired = input.expiries.some((e) => {
      if (e.owner !== client || e.atUs < firedUs || e.atUs > untilUs) return false;
      if (belief.token !== undefined && e.token !== undefined) return belief.token === e.token;
      return e.grantedAtUs !== undefined && e.grantedAtUs > previousEndUs && e.grantedAtUs <= belief.startUs;
    });
    if (expired) count++;
  }
  return count;
}

function grantsExpiredByJump(input: DerivedEffectsInput, report: FaultReport, firedUs: Micros): number {
  if (input.leaseUs === null) return 0;
  const leaseUs = input.leaseUs;
  let count = 0;
  for (const server of report.targets) {
    // Grants this server held when the jump fired: key → when it granted.
    const held = new Map<string, { atUs: Micros; owner: string | undefined }>();
    for (const e of input.serverLog) {
      if (e.server !== server || e.atUs > firedUs || e.key === undefined) continue;
      if (e.kind === 'granted') held.set(e.key, { atUs: e.atUs, owner: e.owner });
      else held.delete(e.key);
    }
    for (const [key, grant] of held) {
      if (grant.owner === undefined || beliefAt(input.beliefs, grant.owner, firedUs) === null) continue;
      // The first time this server let go of the grant after the jump: an expiry before its lease was up counts.
      const end = input.serverLog.find((e) => e.server === server && e.key === key && e.atUs >= firedUs && e.kind !== 'granted');
      if (end !== undefined && end.kind === 'expired' && end.atUs < grant.atUs + leaseUs) count++;
    }
  }
  return count;
}
