/**
 * Liveness for a simulated run (SPEC §7): hands the fault windows (from the
 * fault scheduler's reports) and each client's completed sections (from the
 * recorder) to the checker library's `checkLiveness`, which says what the
 * rules are. What this file decides:
 *
 * - Which faults count: every fault that fired and took effect, ending at
 *   its report's `endedAt` (a fault that never fired, or fired and did
 *   nothing, is left out). A `heal` is not a fault of its own: it ends the
 *   partitions it healed, whose `endedAt` says so. Clock jumps and drifts
 *   without a duration, and crashes without a restart, are permanent
 *   changes: they end when they fire (the system must live with them).
 * - Where waiting starts with no fault at all: the workload's start (the
 *   ready instant of a warm start, 0 for a cold one), each client from its
 *   own staggered start.
 * - Who is alive: a client that is not crashed at the run's end. Every
 *   crash is part of a fault that ended by the last fault's end (a crash
 *   with no restart ends when it fires), so a client down at the end is
 *   one that crashed for good; a client that crashed and restarted owes a
 *   section like any other.
 * - A section completes when its write is acknowledged (the release goes
 *   out at that same instant): for lock-free designs, a section ending in
 *   an acknowledged write. These are the sections `metrics.sections` counts.
 *   It counts for liveness when its lock was granted after the wait began
 *   (the checker's rule), so a holder finishing across the fault's end
 *   proves nothing. The grant's time is the service's: the latest `granted`
 *   a server reported for the client by its acquire-ok (a grant decided
 *   before a crash and delivered after it is not the lock coming back);
 *   for lock-free designs, when the read the section's write was based on
 *   was called.
 *
 * - A partition that never heals (issue 11): a permanent loss, like a crash
 *   with no restart, so it ends when it fires and the nodes it cut off are
 *   down for good. Cut off: an `isolate`'s targets; for the other shapes
 *   with sides (`halves`, `majority-minority`, `bridge`, `groups`) every node
 *   on a side without a majority of the servers. The clients left must still
 *   complete sections — a design that cannot get past losing its leader for
 *   good (one Redis primary isolated, no failover) fails here, one that
 *   elects a new leader passes. A permanent `one-way` partition, `cut` or
 *   `ring` (no sides to say who is lost) leaves liveness null, as SPEC §7
 *   says for a fault that never ends.
 *
 * The run is never lengthened to see a window out (the scenario's duration
 * is the run, and the traceHash stays the scenario's): a window reaching
 * past the end is judged only as far as the run saw it (see the checker).
 * `recoveryMs`: from the last fault's end to the first section completed
 * after it; null with no fault, a fault that never ended, or no section after.
 */
import { usToMs } from '../../algorithms/api/index.ts';
import { checkLiveness, type FaultWindow } from '../checker/liveness.ts';
import type { Simulation } from '../core/engine.ts';
import type { Fault, Workload } from '../scenario/types.ts';
import type { Recorder } from './recorder.ts';
import type { CheckResult, FaultReport } from './result.ts';

export interface LivenessRunInput {
  readonly sim: Simulation;
  readonly recorder: Recorder;
  readonly clients: readonly string[];
  readonly workload: Workload;
  readonly faults: readonly FaultReport[];
  /** The scenario's faults (by report index: a partition's shape). */
  readonly specs: readonly Fault[];
  /** The design's servers (who holds a majority). */
  readonly servers: readonly string[];
  /** When the workload started (µs true time). */
  readonly readyUs: number;
  readonly endUs: number;
  readonly livenessWithinUs: number;
}

export interface LivenessVerdict {
  readonly check: CheckResult;
  readonly recoveryMs: number | null;
}

export function judgeLiveness(input: LivenessRunInput): LivenessVerdict {
  const lost = new Set<string>();
  const windows: FaultWindow[] = input.faults
    .filter((f) => f.firedAt !== null && f.skipped === undefined && f.kind !== 'heal')
    .map((f) => {
      let endedAtUs = f.endedAt ?? null;
      if (endedAtUs === null && f.kind === 'partition') {
        const cutOff = permanentlyCutOff(f, input.specs[f.index], input.servers);
        if (cutOff !== undefined) {
          endedAtUs = f.firedAt!;
          for (const node of cutOff) lost.add(node);
        }
      }
      return { index: f.index, kind: f.kind, firedAtUs: f.firedAt!, endedAtUs };
    });
  const outcome = checkLiveness({
    startUs: input.readyUs,
    endUs: input.endUs,
    withinUs: input.livenessWithinUs,
    faults: windows,
    clients: input.clients.map((client, i) => ({
      client,
      startUs: input.readyUs + i * input.workload.staggerUs,
      completed: input.recorder.completed.get(client) ?? [],
      sections: input.workload.sections,
      downForGood: input.sim.node(client)?.status === 'crashed' || lost.has(client),
    })),
  });
  return { check: outcome.check, recoveryMs: outcome.recoveryUs === null ? null : Math.round(usToMs(outcome.recoveryUs) * 1000) / 1000 };
}

/** The nodes a partition that never heals cuts off for good, or undefined when its shape cannot say (see the header). */
function permanentlyCutOff(report: FaultReport, spec: Fault | undefined, servers: readonly string[]): readonly string[] | undefined {
  const sides = report.sides;
  if (spec === undefined || spec.kind !== 'partition' || sides === undefined || spec.shape === 'one-way') return undefined;
  if (spec.shape === 'isolate') return sides[0];
  const majority = Math.floor(servers.length / 2) + 1;
  const kept = sides.find((side) => side.filter((node) => servers.includes(node)).length >= majority);
  if (kept === undefined) return undefined;
  return sides.flat().filter((node) => !kept.includes(node));
}
