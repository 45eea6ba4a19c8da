/**
 * Runs one design through a scenario: builds the simulated world (servers,
 * clients running the shared workload, the protected store), schedules the
 * faults, runs to the scenario's duration, then checks the recorded history
 * and gathers metrics. The only place that wires a design to the simulator;
 * it knows designs only through `sim/api.ts`.
 */
import type { Design, DesignContext, NodeEvent } from '../../algorithms/api/index.ts';
import { checkFencing } from '../checker/fencing.ts';
import { checkMutualExclusion } from '../checker/mutual-exclusion.ts';
import { checkResource } from '../checker/resource.ts';
import { checkServiceHistory, serviceOperations } from '../checker/service-history.ts';
import { LeaseTracker } from './lease-tracker.ts';
import { Simulation, type NodeSpec } from '../core/engine.ts';
import { FaultScheduler } from '../faults/scheduler.ts';
import type { Engine } from '../faults/context.ts';
import { Recorder } from './recorder.ts';
import type { CheckResult, DesignResult, ExpectOutcome, Metrics } from './result.ts';
import { Rng } from '../core/rng.ts';
import type { CheckName, Scenario } from '../scenario/types.ts';
import { createStore, type StoreStats } from './store.ts';
import { usToMs } from '../../algorithms/api/time.ts';
import { createWorkloadClient } from './lock-workload.ts';
import { setWaiting, type ClientProgress } from './client-loop.ts';
// Lock-free designs (a `createSectionClient`, e.g. cas): section workload and register-chain `resource`.
import { checkRegisterChain, type AckedWrite } from '../checker/register-chain.ts';
import { createSectionWorkloadClient } from './section-workload.ts';

export interface RunOptions {
  /** Only these designs (default: the scenario's). */
  readonly designs?: readonly string[];
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Receives one text line per event (slower; for --trace). */
  readonly trace?: (line: string) => void;
  /** Sees every event a node reports (for invariant tests). */
  readonly onEmit?: (trueUs: number, node: string, event: NodeEvent, detail: Readonly<Record<string, unknown>> | undefined) => void;
  /** Step budget of the linearizability search per design. */
  readonly linearizabilityBudgetSteps?: number;
}

/** Runs a design object (registered or not, e.g. a test double) through the scenario and judges it. */
export function runDesignWith(scenario: Scenario, design: Design<unknown>, seed: number, options: RunOptions = {}): DesignResult {
  const designName = design.name;
  const rawKnobs = scenario.config[designName] ?? {};
  const permits = typeof rawKnobs.permits === 'number' ? rawKnobs.permits : scenario.workload.permits;
  const knobs = design.parseKnobs(rawKnobs, permits);
  const servers = Array.from({ length: design.serverCount(knobs) }, (_, i) => `s${i + 1}`);
  const clients = Array.from({ length: scenario.workload.clients }, (_, i) => `c${i + 1}`);
  const ctx: DesignContext<unknown> = { knobs, servers, clients, permits };
  const workload = { ...scenario.workload, permits };

  const rng = new Rng(seed);
  const workloadRng = rng.fork('workload');
  const recorder = new Recorder();
  const leases = new LeaseTracker(design.leaseQuorum?.(knobs) ?? 1);
  const storeStats: StoreStats = { staleRejected: 0 };
  const progress = new Map<string, ClientProgress>(
    clients.map((client, i) => [client, { client, process: i + 1, sectionsDone: 0, started: false, waiting: false, boots: 0 }]),
  );
  const endUs = scenario.durationUs;
  const designMetrics: Record<string, number> = {};
  /** Lock-free designs: the writes the service acknowledged (for `resource`). */
  const registerWrites: AckedWrite[] = [];

  // The node closures below refer to `sim` and `faults`, which exist only once the nodes are specified.
  // eslint-disable-next-line prefer-const
  let sim: Simulation;
  // eslint-disable-next-line prefer-const
  let faults: FaultScheduler | undefined;
  const trueNow = (): number => sim.nowUs;

  const specs: NodeSpec[] = [
    ...servers.map((id, index): NodeSpec => ({ id, role: 'server', boot: (api) => design.createServer(api, ctx, index) })),
    ...clients.map((id): NodeSpec => ({
      id,
      role: 'client',
      boot: (api) => {
        const hooks = { trueNow, endUs, recorder, onEvent: (event: 'acquired' | 'released', client: string) => faults?.notify(event, client) };
        if (design.createSectionClient !== undefined) {
          return createSectionWorkloadClient(api, workload, progress.get(id)!, workloadRng.fork(id), { ...hooks, writes: registerWrites }, () => design.createSectionClient!(api, ctx));
        }
        return createWorkloadClient(api, workload, progress.get(id)!, workloadRng.fork(id), hooks, (lost) => design.createClient(api, ctx, lost));
      },
    })),
    { id: 'store', role: 'store', boot: (api) => createStore(api, workload.fencing, recorder, trueNow, storeStats) },
  ];
  sim = new Simulation(rng, specs, scenario.network, options.trace);

  // Leadership as the nodes report it: the most recently elected node that has not stepped down or
  // crashed (a restarted old primary may announce itself and step down while another leads);
  // before any report, s1 is the primary.
  const leaders: string[] = [];
  let everElected = false;
  let elections = 0;
  let leaderlessSinceUs: number | null = 0;
  let leaderlessUs = 0;
  const currentLeader = (): string | null => (leaders.length === 0 ? null : leaders[leaders.length - 1]);
  const updateLeaders = (change: () => void): void => {
    const had = currentLeader() !== null;
    change();
    const has = currentLeader() !== null;
    if (had && !has) leaderlessSinceUs = sim.nowUs;
    if (has && leaderlessSinceUs !== null) {
      leaderlessUs += sim.nowUs - leaderlessSinceUs;
      leaderlessSinceUs = null;
    }
  };
  const dropLeader = (id: string): void => {
    const at = leaders.indexOf(id);
    if (at >= 0) leaders.splice(at, 1);
  };

  sim.onEmit((node, event, detail) => {
    options.onEmit?.(sim.nowUs, node.id, event, detail);
    switch (event) {
      case 'elected':
        elections++;
        everElected = true;
        updateLeaders(() => {
          dropLeader(node.id);
          leaders.push(node.id);
        });
        faults?.notify('elected', node.id);
        return;
      case 'stepped-down':
        updateLeaders(() => dropLeader(node.id));
        return;
      case 'granted': {
        const client = String(detail?.client ?? '?');
        const token = typeof detail?.token === 'number' ? detail.token : undefined;
        const grantId = typeof detail?.grant === 'string' || typeof detail?.grant === 'number' ? detail.grant : undefined;
        recorder.grants.push({ atUs: sim.nowUs, server: node.id, client, token, ...(grantId === undefined ? {} : { grantId }) });
        leases.granted(node.id, client, leaseOf(detail), token, sim.nowUs);
        faults?.notify('granted', node.id);
        return;
      }
      case 'deleted':
        leases.deleted(node.id, leaseOf(detail));
        return;
      case 'expired':
        if (typeof detail?.owner === 'string') {
          leases.expired(node.id, detail.owner, leaseOf(detail), typeof detail.token === 'number' ? detail.token : undefined, sim.nowUs);
        }
        faults?.notify('expired', node.id);
        return;
      case 'metric': {
        const name = String(detail?.name);
        designMetrics[name] = (designMetrics[name] ?? 0) + (typeof detail?.by === 'number' ? detail.by : 1);
        return;
      }
      default:
        return;
    }
  });

  const engine: Engine = {
    sim,
    universe: { servers, clients, resolve: (target) => resolve(target) },
    resolve: (target) => resolve(target),
    onCrash(node) {
      updateLeaders(() => dropLeader(node.id));
      const client = progress.get(node.id);
      if (client === undefined) return;
      recorder.endBelief(node.id, sim.nowUs, 'crashed');
      setWaiting(client, recorder, false, sim.nowUs);
    },
  };
  function resolve(target: string): string[] {
    switch (target) {
      case 'leader': {
        const current = currentLeader() ?? (everElected ? null : servers[0]);
        return current !== null && sim.node(current)?.status !== 'crashed' ? [current] : [];
      }
      case 'holder': {
        const holders = recorder.holders();
        return holders.length === 0 ? [] : [holders[0]];
      }
      case 'servers':
        return [...servers];
      case 'clients':
        return [...clients];
      default:
        return sim.node(target) === undefined ? [] : [target];
    }
  }

  faults = new FaultScheduler(engine, scenario.faults);
  sim.start();
  sim.run(endUs);
  recorder.finish(endUs);
  if (leaderlessSinceUs !== null && everElected) leaderlessUs += endUs - leaderlessSinceUs;

  const checks: Partial<Record<CheckName, CheckResult>> = {
    mutualExclusion: design.isLock
      ? checkMutualExclusion(recorder.beliefs, permits, endUs)
      : { ok: null, detail: 'design is not a lock (optimistic concurrency): there is nothing to exclude' },
    fencing: checkFencing(design.issuesTokens, recorder.grants, recorder.storeAccesses, workload.fencing),
    resource: design.createSectionClient !== undefined ? checkRegisterChain(registerWrites) : checkResource(recorder.storeAccesses),
    linearizable: checkServiceHistory(
      design.historyModel === 'lease-lock' && permits > 1 ? `lease-lock:${permits}` : design.historyModel,
      serviceOperations(recorder.serviceOps, leases.expiries, (client) => progress.get(client)?.process ?? Number(client.slice(1))),
      options.linearizabilityBudgetSteps,
    ),
  };

  const latencies = [...recorder.acquireLatenciesUs].sort((a, b) => a - b);
  const percentile = (p: number): number | null =>
    latencies.length === 0 ? null : round(usToMs(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]));
  const metrics: Metrics = {
    sections: recorder.sections,
    acquireP50Ms: percentile(0.5),
    acquireP99Ms: percentile(0.99),
    failedAcquires: recorder.failedAcquires,
    messages: sim.network.sent,
    unavailableMs: round(usToMs(recorder.unavailableUs)),
    messagesPerSection: recorder.sections === 0 ? null : round(sim.network.sent / recorder.sections),
    messagesDroppedByPartition: sim.network.droppedByCut,
    messagesDroppedByLoss: sim.network.droppedByLoss,
    messagesDuplicated: sim.network.duplicated,
    staleTokensRejected: storeStats.staleRejected,
    elections,
    leaderlessMs: everElected ? round(usToMs(leaderlessUs)) : null,
    leaseExpiries: leases.expiries.length,
    queuePeak: sim.queuePeak,
    ...designMetrics,
  };

  const applicable = Object.values(checks).filter((c) => c !== undefined && c.ok !== null);
  return {
    design: designName,
    traceHash: sim.traceHash(),
    events: sim.events,
    safe: applicable.every((c) => c!.ok === true),
    checks,
    metrics,
    expect: compareExpect(scenario.expect[designName] ?? {}, checks),
    faults: faults.report(),
    simulatedUs: endUs,
  };
}

function compareExpect(expected: Readonly<Partial<Record<CheckName, boolean | null>>>, checks: Partial<Record<CheckName, CheckResult>>): ExpectOutcome {
  const mismatches: Array<{ check: string; expected: boolean | null; actual: boolean | null | 'unknown' }> = [];
  for (const [check, want] of Object.entries(expected) as Array<[CheckName, boolean | null]>) {
    const actual = checks[check]?.ok ?? null;
    if (actual !== want) mismatches.push({ check, expected: want, actual });
  }
  return { met: mismatches.length === 0, mismatches };
}

function leaseOf(detail: Readonly<Record<string, unknown>> | undefined): string | undefined {
  return typeof detail?.lease === 'string' ? detail.lease : undefined;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

