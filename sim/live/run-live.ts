/**
 * `runLiveDesign`: one design through one scenario on real servers (SPEC
 * §9), judged by the simulator's own checks, side by side with the
 * simulated run of the same scenario.
 *
 * Order of business: the design must be one live mode runs (one with an
 * adapter in designs.ts) and the scenario's faults must apply to it (the simulator's
 * applicability rules; a skip is reported the same way). Anything live
 * mode cannot reproduce — a fault kind it cannot inject, `loss` or
 * `duplicate` on the steady network, a deployment it cannot run — makes
 * every verdict null with the reason (in the fault's `effect` and in
 * `unsupported`), and nothing is started. Otherwise: the binary is
 * located (a `MissingBinaryError` carries the install command), the
 * store, the servers, the proxies and the client processes start, the
 * session runs (session.ts), everything is torn down — also on a thrown
 * error — and the history (history.ts) goes to `judge` (mutualExclusion,
 * fencing, resource, linearizable) and to `judgeLiveness`, exactly as a
 * simulated run's does.
 *
 * Everything design-specific (servers, knobs, crashes, the deployment)
 * comes from the design's adapter (adapter.ts). Timing constants of the
 * simulated clients that are not knobs (a client's command timeout, the
 * workload's store timeout) are scaled with everything else, but never
 * below 25 ms (time-scale.ts).
 */
import type { Design, DesignRegistry, Micros } from '../../algorithms/api/index.ts';
import { usToMs } from '../../algorithms/api/index.ts';
import type { Durability } from '../core/disk.ts';
import type { Simulation } from '../core/engine.ts';
import { skippedResult, whyInapplicable } from '../harness/applicability.ts';
import { leaseKey, withDerivedEffects, type ServerLeaseEvent } from '../harness/fault-effects.ts';
import { compareExpect, isSafe, judge } from '../harness/judge.ts';
import { judgeLiveness } from '../harness/liveness.ts';
import { STORE_TIMEOUT_US } from '../harness/lock-workload.ts';
import type { CheckResult, DesignResult, FaultReport, Metrics } from '../harness/result.ts';
import { runDesign } from '../harness/runner.ts';
import { designOf } from '../scenario/load.ts';
import { CHECK_NAMES, type CheckName, type Scenario } from '../scenario/types.ts';
import { locate } from './binaries.ts';
import type { ChildWorkload } from './child-protocol.ts';
import { HarnessClock } from './clock.ts';
import { clockFaultOnClients, isClockFault, whyUnsupported } from './faults.ts';
import { buildLiveHistory } from './history.ts';
import { buildLiveSectionHistory } from './section-workload-live.ts';
import { LiveNetwork } from './network.ts';
import { LiveProcesses } from './processes.ts';
import { LIVE_ADAPTERS, LIVE_DESIGNS } from './designs.ts';
import { agreement, type LiveDesignResult, type LiveFaultReport, type KnobMapping } from './result.ts';
import { LiveSession } from './session.ts';
import type { LiveService } from './service.ts';
import { StoreServer } from './store-server.ts';
import { scaleClientTimeoutUs, scaleKnobs, scaleScenario } from './time-scale.ts';

export { LIVE_DESIGNS } from './designs.ts';

export interface LiveOptions {
  /** Where designs come from (the CLI passes algorithms/index.ts's registry). */
  readonly registry: DesignRegistry;
  /** Every duration is multiplied by this (default 1). */
  readonly timeScale?: number;
  /** Keep the servers' folders under this folder (`--keep DIR`); default: temporary, removed. */
  readonly keep?: string;
  /** Overrides the scenario's seed (hold/think draws, the simulated run). */
  readonly seed?: number;
  /** The simulated result to compare with; default: run it here; false: no `agreement`. */
  readonly simulated?: DesignResult | false;
  /** Progress lines (servers up, faults fired). */
  readonly log?: (line: string) => void;
  /** Called once everything is up, before the clients start; may throw (tests of the teardown). */
  readonly onReady?: (info: { readonly servers: readonly number[]; readonly clients: readonly number[]; readonly dirs: readonly string[] }) => void | Promise<void>;
  /** Seconds a server may take to come up (default 30). */
  readonly readyTimeoutMs?: number;
}

/** Runs `designName` through `scenario` against real servers. */
export async function runLiveDesign(scenario: Scenario, designName: string, options: LiveOptions): Promise<LiveDesignResult> {
  const startedMs = performance.now();
  const design = designOf(options.registry, designName, scenario.source, 'designs');
  const seed = options.seed ?? scenario.seed;
  const timeScale = options.timeScale ?? 1;
  const scaled = scaleScenario(scenario, timeScale);
  const rawKnobs = scenario.config[design.name] ?? {};
  const permits = typeof rawKnobs.permits === 'number' ? rawKnobs.permits : scenario.workload.permits;
  const knobs = scaleKnobs(design.parseKnobs(rawKnobs, permits), timeScale);

  const inapplicable = whyInapplicable(scenario, design);
  if (inapplicable !== null) return { ...skippedResult(design.name, inapplicable), mode: 'live', traceHash: '', faults: [], live: { timeScale, servers: [], knobs: [], wallMs: 0 } };

  const simulated = options.simulated === false ? undefined : (options.simulated ?? runDesign(scenario, options.registry, design.name, seed));
  const base = { design, scenario: scaled, timeScale, simulated, startedMs };

  const adapter = LIVE_ADAPTERS.get(design.name);
  if (adapter === undefined) {
    return nullResult(base, `live mode runs ${LIVE_DESIGNS.join(', ')} so far, not ${design.name}`, [], unsupportedFaults(scaled, null));
  }
  const mappings = adapter.knobMappings(knobs, permits);
  const servers = adapter.serverNames(knobs);
  const crashCheck = { servers, whyCannotCrash: (node: string, durable: Durability) => adapter.whyCannotCrash(knobs, node, durable), fakesClocks: adapter.fakesClocks(knobs) };
  const reasons = [
    adapter.whyUnsupported(knobs),
    scaled.network.loss > 0 || scaled.network.duplicate > 0
      ? `the scenario's network has loss ${scaled.network.loss} and duplicate ${scaled.network.duplicate}: TCP links retransmit and never duplicate, so live mode cannot reproduce either`
      : null,
    ...scaled.faults.map((fault) => {
      const why = whyUnsupported(fault, crashCheck);
      return why === null ? null : `fault[${fault.index}] (${fault.kind}): ${why}`;
    }),
  ].filter((r): r is string => r !== null);
  if (reasons.length > 0) return nullResult(base, reasons.join('; '), mappings, unsupportedFaults(scaled, crashCheck));

  for (const program of adapter.programs) locate(program);
  const registry = new LiveProcesses(options.keep);
  const clock = new HarnessClock();
  const network = new LiveNetwork(scaled.network.latencyUs);
  let store: StoreServer | undefined;
  let service: LiveService | undefined;
  try {
    store = await StoreServer.start(scaled.workload.fencing, () => clock.nowUs());
    // The observer starts before the session exists; its events reach the session once there is one.
    const sink: { session?: LiveSession } = {};
    service = await adapter.start(knobs, {
      registry,
      network,
      clock,
      timeScale,
      fakeClocks: scaled.faults.some((fault) => isClockFault(fault) && !clockFaultOnClients(fault, servers)),
      ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
      onEvent: (event) => sink.session?.onServiceEvent(event),
    });
    options.log?.(`servers up: ${service.info().map((s) => `${s.name} ${s.program} :${s.port}`).join(', ')}`);
    const workload: ChildWorkload = {
      ...scaled.workload,
      permits,
      storeTimeoutUs: scaleClientTimeoutUs(STORE_TIMEOUT_US, timeScale),
    };
    const liveService = service;
    const session = new LiveSession({
      registry,
      clock,
      network,
      store,
      service,
      scenario: scaled,
      seed,
      workload,
      log: options.log,
      onReady: options.onReady === undefined ? undefined : (pids) => options.onReady!({ ...pids, dirs: registry.dirs() }),
    });
    sink.session = session;
    const outcome = await session.run();
    const serverInfo = liveService.info();
    const historyInput = {
      clients: Array.from({ length: scaled.workload.clients }, (_, i) => `c${i + 1}`),
      clientLog: outcome.clientLog,
      service: liveService.events,
      store: store.accesses,
      endUs: outcome.endUs,
      quorum: liveService.quorum,
    };
    // A lock-free design (a section client in simulation) is judged on its operations and acknowledged writes.
    const history = design.createSectionClient !== undefined ? buildLiveSectionHistory(historyInput) : { ...buildLiveHistory(historyInput), registerWrites: [] };
    if (outcome.faultErrors.length > 0) {
      return nullResult(base, `the live run failed: ${outcome.faultErrors.join('; ')}`, mappings, outcome.faults, serverInfo);
    }
    const { recorder } = history;
    const checks: Partial<Record<CheckName, CheckResult>> = judge({
      design,
      permits,
      fencing: scaled.workload.fencing,
      endUs: outcome.endUs,
      recorder,
      registerWrites: history.registerWrites,
      serviceHistory: history.serviceHistory,
    });
    // judgeLiveness reads from the simulation only whether a client is down at the end: a stand-in that answers that.
    const downAtEnd = { node: (id: string) => ({ status: history.downAtEnd.has(id) ? 'crashed' : 'up' }) } as unknown as Simulation;
    const liveness = judgeLiveness({
      sim: downAtEnd,
      recorder,
      clients: Array.from({ length: scaled.workload.clients }, (_, i) => `c${i + 1}`),
      workload: scaled.workload,
      faults: outcome.faults as unknown as FaultReport[],
      specs: scaled.faults,
      servers,
      readyUs: 0,
      endUs: outcome.endUs,
      livenessWithinUs: scaled.livenessWithinUs,
    });
    const allChecks = { ...checks, liveness: liveness.check };
    const serverLog: ServerLeaseEvent[] = liveService.events.map((e) => ({
      kind: e.kind,
      server: e.server,
      atUs: e.atUs,
      key: leaseKey(e.kind === 'granted' ? e.client : e.owner, e.lease, e.token),
      owner: e.kind === 'granted' ? e.client : e.owner,
    }));
    const faults = withDerivedEffects({
      reports: outcome.faults as unknown as FaultReport[],
      specs: scaled.faults,
      beliefs: recorder.beliefs,
      expiries: history.expiries,
      serverLog,
      leaseUs: adapter.leaseUs(knobs),
      endUs: outcome.endUs,
    }) as unknown as LiveFaultReport[];
    const latencies = [...recorder.acquireLatenciesUs].sort((a, b) => a - b);
    const percentile = (p: number): number | null =>
      latencies.length === 0 ? null : round(usToMs(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]));
    const metrics: Metrics = {
      sections: recorder.sections,
      acquireP50Ms: percentile(0.5),
      acquireP99Ms: percentile(0.99),
      failedAcquires: recorder.failedAcquires,
      messages: outcome.requests,
      unavailableMs: round(usToMs(recorder.unavailableUs)),
      staleTokensRejected: store.stats.staleRejected,
      leaseExpiries: history.expiries.length,
      unattributedExpiries: history.unattributedExpiries,
      bytesHeldByPartitions: outcome.bytesHeld,
      readyMs: 0,
      recoveryMs: liveness.recoveryMs,
    };
    const result: LiveDesignResult = {
      design: design.name,
      mode: 'live',
      traceHash: '',
      events: outcome.clientLog.length + liveService.events.length + store.accesses.length,
      safe: isSafe(allChecks),
      checks: allChecks,
      metrics,
      expect: compareExpect(scenario.expect[design.name] ?? {}, allChecks),
      faults,
      simulatedUs: outcome.endUs,
      live: { timeScale, servers: serverInfo, knobs: mappings, wallMs: Math.round(performance.now() - startedMs) },
    };
    return simulated === undefined ? result : { ...result, agreement: agreement(result.checks, simulated) };
  } finally {
    await service?.close();
    await network.close();
    await store?.close();
    await registry.close();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

interface Base {
  readonly design: Design;
  readonly scenario: Scenario;
  readonly timeScale: number;
  readonly simulated: DesignResult | undefined;
  readonly startedMs: number;
}

/** Every fault's report when the run does not happen: the unsupported ones say why in `effect`. */
function unsupportedFaults(scenario: Scenario, crashCheck: Parameters<typeof whyUnsupported>[1] | null): LiveFaultReport[] {
  return scenario.faults.map((fault): LiveFaultReport => {
    const why = crashCheck === null ? 'the design does not run live' : whyUnsupported(fault, crashCheck);
    const effect: Record<string, string> = why === null ? {} : { unsupported: why };
    return {
      index: fault.index,
      kind: fault.kind,
      firedAt: null,
      targets: [],
      skipped: why ?? 'the run did not happen: another fault or setting cannot be reproduced live',
      effect,
      endedAt: null,
    };
  });
}

/** A result whose every verdict is null, for `why`. */
function nullResult(base: Base, why: string, knobs: readonly KnobMapping[], faults: readonly LiveFaultReport[], servers: LiveDesignResult['live']['servers'] = []): LiveDesignResult {
  const checks = Object.fromEntries(CHECK_NAMES.map((name) => [name, { ok: null, detail: `not judged live: ${why}` }])) as Record<CheckName, CheckResult>;
  const result: LiveDesignResult = {
    design: base.design.name,
    mode: 'live',
    traceHash: '',
    events: 0,
    safe: null,
    checks,
    metrics: { sections: 0, acquireP50Ms: null, acquireP99Ms: null, failedAcquires: 0, messages: 0, unavailableMs: 0 },
    expect: { met: true, mismatches: [] },
    faults,
    simulatedUs: 0 as Micros,
    unsupported: why,
    live: { timeScale: base.timeScale, servers, knobs, wallMs: Math.round(performance.now() - base.startedMs) },
  };
  return base.simulated === undefined ? result : { ...result, agreement: agreement(result.checks, base.simulated) };
}
