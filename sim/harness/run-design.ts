/**
 * Runs one design through a scenario: builds the simulated world (servers,
 * clients running the shared workload, the protected store), routes the
 * nodes' events (leadership, grants, expiries, metrics, `on` triggers),
 * schedules the faults, runs to the scenario's duration, then hands the
 * records to the judge and the metrics.
 *
 * Start (SPEC §3): a design whose service needs a leader (`readiness`
 * `'first-commit'`) first runs alone until a replica reports its first
 * commit, as Jepsen sets up the cluster before the clients; then the clients
 * boot, `at` times count from that instant, and the run lasts `duration`
 * from there. `coldStart: true` (or an `'at-start'` design) starts everything
 * at true time 0. This runs whatever design it is given; the runner
 * (runner.ts) first skips one the scenario's faults cannot apply to. After
 * the run, `liveness` (liveness.ts) is judged beside the judge's safety
 * checks, and `metrics.recoveryMs` comes with it. With `timeline: true` the
 * result also carries the run's timeline (timeline.ts), built afterwards from
 * records kept only then; it adds no simulation event. The only place that wires a design
 * to the simulator; it knows designs only through `algorithms/api/`.
 */
import type { Design, DesignContext, NodeEvent } from '../../algorithms/api/index.ts';
import type { AckedWrite } from '../checker/register-chain.ts';
import type { Operation } from '../checker/linearizability/index.ts';
import { Simulation, type NodeSpec } from '../core/engine.ts';
import type { SimNode } from '../core/node.ts';
import { Rng } from '../core/rng.ts';
import { FaultScheduler } from '../faults/scheduler.ts';
import type { Scenario } from '../scenario/types.ts';
import { clientProgress, setWaiting } from './client-loop.ts';
import { AckMarks, leaseKey, withDerivedEffects, type ServerLeaseEvent } from './fault-effects.ts';
import { compareExpect, isSafe, judge } from './judge.ts';
import { LeadershipTracker } from './leadership.ts';
import { LeaseTracker } from './lease-tracker.ts';
import { createWorkloadClient } from './lock-workload.ts';
import { judgeLiveness } from './liveness.ts';
import { gatherMetrics } from './metrics.ts';
import { Recorder } from './recorder.ts';
import type { DesignResult } from './result.ts';
import { createSectionWorkloadClient } from './section-workload.ts';
import { serviceOperations } from './service-history.ts';
import { createStore, type StoreStats } from './store.ts';
import { resolveTarget } from './targets.ts';
import { buildTimeline, LeaseEndLog } from './timeline.ts';

export interface RunOptions {
  /** Only these designs (default: the scenario's). */
  readonly designs?: readonly string[];
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Receives one text line per event (slower; for --trace). */
  readonly trace?: (line: string) => void;
  /** Sees every event a node reports, stamped with true time (for invariant tests). */
  readonly onEmit?: (trueUs: number, node: string, event: NodeEvent) => void;
  /** Step budget of the linearizability search per design. */
  readonly linearizabilityBudgetSteps?: number;
  /** Receives the service history (SPEC §5 operations, as `linearizable` checks it) before it is judged; for `--out`. */
  readonly onServiceHistory?: (ops: readonly Operation[]) => void;
  /**
   * `runScenario` / `runDesign`: run a design even when a fault of the
   * scenario cannot apply to it (applicability.ts; such faults then do
   * nothing when they fire). For the golden hashes, which pin every scenario
   * on every design; `run` skips. (`runDesignWith` never skips.)
   */
  readonly runInapplicable?: boolean;
  /**
   * Also record the run's timeline (`DesignResult.timeline`, timeline.ts) for
   * reports. Default off. It changes nothing else: the trace, `traceHash`,
   * events, verdicts and metrics are those of the run without it.
   */
  readonly timeline?: boolean;
}

/** Runs a design object (registered or not, e.g. a test double) through the scenario and judges it. */
export function runDesignWith(scenario: Scenario, design: Design, seed: number, options: RunOptions = {}): DesignResult {
  const rawKnobs = scenario.config[design.name] ?? {};
  const permits = typeof rawKnobs.permits === 'number' ? rawKnobs.permits : scenario.workload.permits;
  const knobs = design.parseKnobs(rawKnobs, permits);
  const servers = Array.from({ length: design.serverCount(knobs) }, (_, i) => `s${i + 1}`);
  const clients = Array.from({ length: scenario.workload.clients }, (_, i) => `c${i + 1}`);
  const ctx: DesignContext<unknown> = { knobs, servers, clients, permits };
  const workload = { ...scenario.workload, permits };
  const warm = !scenario.coldStart && (design.readiness?.(knobs) ?? 'at-start') === 'first-commit';
  /** When the service became ready (0 unless warm); null while bootstrapping. */
  let readyUs: number | null = warm ? null : 0;
  /** The run's end: `duration` after the start (set again once a warm service is ready). */
  let endUs = scenario.durationUs;

  const recordTimeline = options.timeline === true;
  const rng = new Rng(seed);
  const workloadRng = rng.fork('workload');
  const recorder = new Recorder({ timeline: recordTimeline });
  const leaseQuorum = design.leaseQuorum?.(knobs) ?? 1;
  const leases = new LeaseTracker(leaseQuorum);
  const leadership = new LeadershipTracker(servers[0], { recordTerms: recordTimeline });
  /** Servers' reports of locks and sessions ending, for the timeline only (null without one). */
  const leaseEnds = recordTimeline ? new LeaseEndLog() : null;
  const storeStats: StoreStats = { staleRejected: 0 };
  const progress = clientProgress(clients);
  const designMetrics: Record<string, number> = {};
  /** Lock-free designs: the writes the service acknowledged (for `resource`). */
  const registerWrites: AckedWrite[] = [];
  /** Observation only, for the derived fault effects (fault-effects.ts): servers' lease events and acknowledgement marks. */
  const serverLog: ServerLeaseEvent[] = [];
  const ackMarks = new AckMarks();

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
      deferBoot: warm,
      boot: (api) => {
        const hooks = { trueNow, endUs, recorder, onEvent: (event: 'acquired' | 'released', client: string) => faults?.notify(event, client) };
        if (design.createSectionClient !== undefined) {
          const makeSectionClient = design.createSectionClient.bind(design);
          return createSectionWorkloadClient(api, workload, progress.get(id)!, workloadRng.fork(id), { ...hooks, writes: registerWrites }, () => makeSectionClient(api, ctx));
        }
        return createWorkloadClient(api, workload, progress.get(id)!, workloadRng.fork(id), hooks, (lost) => design.createClient(api, ctx, lost));
      },
    })),
    { id: 'store', role: 'store', boot: (api) => createStore(api, workload.fencing, recorder, trueNow, storeStats) },
  ];
  sim = new Simulation(rng, specs, scenario.network, options.trace);

  sim.onEmit((node, event) => {
    options.onEmit?.(sim.nowUs, node.id, event);
    route(node, event);
  });
  function route(node: SimNode, event: NodeEvent): void {
    switch (event.kind) {
      case 'elected':
        leadership.elected(node.id, sim.nowUs, event.term);
        faults?.notify('elected', node.id);
        return;
      case 'stepped-down':
        leadership.gone(node.id, sim.nowUs);
        return;
      case 'granted':
        recorder.grants.push({ atUs: sim.nowUs, server: node.id, client: event.client, token: event.token, ...(event.grant === undefined ? {} : { grantId: event.grant }) });
        leases.granted(node.id, event.client, event.lease, event.token, sim.nowUs);
        leaseEnds?.granted(event.lease, event.token);
        serverLog.push({ kind: 'granted', server: node.id, atUs: sim.nowUs, key: leaseKey(event.client, event.lease, event.token), owner: event.client });
        ackMarks.acknowledged(node);
        faults?.notify('granted', node.id);
        return;
      case 'deleted':
        leases.deleted(node.id, event.lease);
        if (leaseEnds !== null && event.owner !== undefined) leaseEnds.ended(sim.nowUs, node.id, event.owner, event.lease, undefined, true);
        serverLog.push({ kind: 'deleted', server: node.id, atUs: sim.nowUs, key: leaseKey(event.owner, event.lease, undefined), owner: event.owner });
        ackMarks.acknowledged(node);
        return;
      case 'expired':
        leases.expired(node.id, event.owner, event.lease, event.token, sim.nowUs);
        if (leaseEnds !== null) leaseEnds.ended(sim.nowUs, node.id, event.owner, event.lease, event.token, false);
        serverLog.push({ kind: 'expired', server: node.id, atUs: sim.nowUs, key: leaseKey(event.owner, event.lease, event.token), owner: event.owner });
        faults?.notify('expired', node.id);
        return;
      case 'metric':
        designMetrics[event.name] = (designMetrics[event.name] ?? 0) + (event.by ?? 1);
        return;
      case 'committed':
        if (readyUs === null) {
          readyUs = sim.nowUs;
          sim.stop();
        }
        return;
      case 'renewed':
        ackMarks.acknowledged(node);
        return;
    }
  }

  sim.start();
  if (warm) {
    sim.run(scenario.durationUs);
    if (readyUs === null) {
      readyUs = sim.nowUs;
      sim.traceNote(`service not ready after ${scenario.durationUs}us: the workload starts anyway`);
    } else {
      sim.traceNote(`service ready: the workload starts`);
    }
    endUs = readyUs + scenario.durationUs;
    leadership.restartCounting(readyUs);
    for (const id of clients) sim.boot(sim.node(id)!);
  }

  const world = { sim, servers, clients, leadership, recorder };
  faults = new FaultScheduler(
    {
      sim,
      universe: { servers, clients, resolve: (target) => resolveTarget(world, target) },
      resolve: (target) => resolveTarget(world, target),
      ackedWrites: (node) => ackMarks.markOf(node.id),
      onCrash(node) {
        ackMarks.crashed(node);
        leadership.gone(node.id, sim.nowUs);
        const client = progress.get(node.id);
        if (client === undefined) return;
        if (recorder.endBelief(node.id, sim.nowUs, 'crashed')) sim.traceNote(`${node.id} # stops holding: crashed`);
        if (client.waiting) recorder.acquireEnded(node.id, client.waitingSinceUs, sim.nowUs, false, 'crashed');
        setWaiting(client, recorder, false, sim.nowUs);
      },
    },
    scenario.faults,
    readyUs ?? 0,
  );
  sim.run(endUs);
  recorder.finish(endUs);

  const faultReports = faults.report(endUs);
  const liveness = judgeLiveness({
    sim,
    recorder,
    clients,
    workload,
    faults: faultReports,
    specs: scenario.faults,
    servers,
    readyUs: readyUs ?? 0,
    endUs,
    livenessWithinUs: scenario.livenessWithinUs,
  });
  const serviceHistory = serviceOperations(recorder.serviceOps, leases.expiries, (client) => progress.get(client)?.process ?? 0);
  options.onServiceHistory?.(serviceHistory);
  const checks = {
    ...judge({
      design,
      permits,
      fencing: workload.fencing,
      endUs,
      recorder,
      registerWrites,
      serviceHistory,
      linearizabilityBudgetSteps: options.linearizabilityBudgetSteps,
    }),
    liveness: liveness.check,
  };
  return {
    design: design.name,
    traceHash: sim.traceHash(),
    events: sim.events,
    safe: isSafe(checks),
    checks,
    metrics: gatherMetrics({ sim, recorder, leadership, endUs, readyUs: readyUs ?? 0, staleTokensRejected: storeStats.staleRejected, leaseExpiries: leases.expiries.length, recoveryMs: liveness.recoveryMs, designMetrics }),
    expect: compareExpect(scenario.expect[design.name] ?? {}, checks),
    faults: withDerivedEffects({
      reports: faultReports,
      specs: scenario.faults,
      beliefs: recorder.beliefs,
      expiries: leases.expiries,
      serverLog,
      leaseUs: leaseUsOf(knobs),
      endUs,
    }),
    simulatedUs: endUs,
    // Last, so a result without its timeline serialises exactly as one run without it.
    ...(leaseEnds === null
      ? {}
      : {
          timeline: buildTimeline({
            servers,
            clients,
            readyUs: readyUs ?? 0,
            endUs,
            recorder,
            leadership,
            singlePrimary: leaseQuorum === 1,
            leaseEnds,
            faults: faultReports,
            specs: scenario.faults,
          }),
        }),
  };
}

/** The lease length a design's parsed knobs name (`ttlUs`, `sessionTtlUs`, `sessionTimeoutUs`), or null: for the derived fault effects only. */
function leaseUsOf(knobs: unknown): number | null {
  if (typeof knobs !== 'object' || knobs === null) return null;
  const k = knobs as Record<string, unknown>;
  for (const name of ['ttlUs', 'sessionTtlUs', 'sessionTimeoutUs']) if (typeof k[name] === 'number') return k[name] as number;
  return null;
}
