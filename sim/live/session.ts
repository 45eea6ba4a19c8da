/**
 * One live run of the workload against a deployed service: forks a client
 * process per client (each reaching the servers and the store through its
 * own proxies), starts them together at true time 0, fires the faults, and
 * ends at the scenario's duration — or sooner, once every client has
 * finished its sections (or is down for good) and no fault is still to
 * fire or to end. Keeps, for the history (history.ts): every client event
 * with the life it came from, the crashes and restarts of clients, and who
 * believes it holds the lock right now (what `holder` resolves to).
 */
import type { Durability } from '../core/disk.ts';
import type { TriggerEvent } from '../faults/types.ts';
import type { Scenario } from '../scenario/types.ts';
import type { ChildConfig, ChildWorkload, ClientEvent } from './child-protocol.ts';
import { ClientProcess } from './client-process.ts';
import type { HarnessClock } from './clock.ts';
import { FakeClock, whyNoFaketime } from './faketime.ts';
import { clockFaultOnClients, LiveFaultScheduler, type LiveFaultWorld } from './faults.ts';
import type { ClientLogEntry } from './history.ts';
import type { LiveNetwork } from './network.ts';
import type { LiveProcesses } from './processes.ts';
import type { LiveFaultReport } from './result.ts';
import type { ServiceEvent } from './service.ts';
import type { LiveService } from './service.ts';
import type { StoreServer } from './store-server.ts';

export interface SessionInput {
  readonly registry: LiveProcesses;
  readonly clock: HarnessClock;
  readonly network: LiveNetwork;
  readonly store: StoreServer;
  readonly service: LiveService;
  /** The scenario at the time scale it runs. */
  readonly scenario: Scenario;
  readonly seed: number;
  readonly workload: ChildWorkload;
  readonly log?: (line: string) => void;
  /** Called once everything is up, just before the clients start (tests check the deployment here; it may throw). */
  readonly onReady?: (pids: { readonly servers: readonly number[]; readonly clients: readonly number[] }) => void | Promise<void>;
}

export interface SessionOutcome {
  readonly clientLog: readonly ClientLogEntry[];
  /** True time the run ended (µs). */
  readonly endUs: number;
  readonly faults: readonly LiveFaultReport[];
  readonly faultErrors: readonly string[];
  /** Requests the clients sent (service and store), summed over lives. */
  readonly requests: number;
  /** Bytes that waited at a cut link until it healed. */
  readonly bytesHeld: number;
}

/** Polling period of the end-of-run check. */
const TICK_MS = 10;

export class LiveSession {
  private readonly clientLog: ClientLogEntry[] = [];
  private readonly processes = new Map<string, ClientProcess>();
  private readonly lives = new Map<string, number>();
  private readonly sectionsDone = new Map<string, number>();
  private readonly configs = new Map<string, ChildConfig>();
  /** Clients believing they hold the lock now, in the order they came to. */
  private readonly believers: string[] = [];
  private readonly down = new Set<string>();
  private requestsOfDead = 0;
  private readonly scheduler: LiveFaultScheduler;
  private readonly clients: string[];
  /** Faked wall clocks of the clients a clock fault names (faketime.ts), kept across their restarts. */
  private readonly clientClocks = new Map<string, FakeClock>();

  constructor(private readonly input: SessionInput) {
    this.clients = Array.from({ length: input.scenario.workload.clients }, (_, i) => `c${i + 1}`);
    this.scheduler = new LiveFaultScheduler(this.world(), input.scenario.faults);
    if (whyNoFaketime() === null) {
      for (const client of this.clockFaultedClients()) {
        const fake = FakeClock.create(input.registry, client, input.clock);
        fake.probe = () => this.processes.get(client)?.wallOffsetMs() ?? Promise.resolve(null);
        this.clientClocks.set(client, fake);
      }
    }
  }

  /** The clients some clock fault may hit (`holder` may be any of them). */
  private clockFaultedClients(): string[] {
    const servers = this.input.service.serverNames;
    const named = new Set<string>();
    for (const fault of this.input.scenario.faults) {
      if (!clockFaultOnClients(fault, servers)) continue;
      const { target } = fault;
      for (const client of target === 'clients' || target === 'holder' ? this.clients : [target]) named.add(client);
    }
    return this.clients.filter((client) => named.has(client));
  }

  /** The service reported something (wired by the caller to the service's observer). */
  onServiceEvent(event: ServiceEvent): void {
    if (event.kind === 'granted') this.scheduler.notify('granted', event.server, event.atUs);
    if (event.kind === 'expired') this.scheduler.notify('expired', event.server, event.atUs);
  }

  private onClientEvent(client: string, life: number, event: ClientEvent): void {
    this.clientLog.push({ client, life, event });
    const notify = (what: TriggerEvent): void => this.scheduler.notify(what, client, event.atUs);
    switch (event.kind) {
      case 'acquire-ok':
        if (!this.believers.includes(client)) this.believers.push(client);
        notify('acquired');
        return;
      case 'release-call':
      case 'lost':
        this.unbelieve(client);
        return;
      case 'release-return':
        notify('released');
        return;
      case 'section-done':
        this.sectionsDone.set(client, (this.sectionsDone.get(client) ?? 0) + 1);
        return;
      // Lock-free designs (section-workload-live.ts): the first read of a section is its `acquired`, the section's end its `released`.
      case 'op-return':
        if (event.first) notify('acquired');
        return;
      case 'section-end':
        if (event.snapshot) notify('released');
        return;
      default:
        return;
    }
  }

  private unbelieve(client: string): void {
    const i = this.believers.indexOf(client);
    if (i >= 0) this.believers.splice(i, 1);
  }

  private async startClient(client: string, boot: number): Promise<ClientProcess> {
    const base = this.configs.get(client)!;
    const config: ChildConfig = { ...base, boot, sectionsDone: this.sectionsDone.get(client) ?? 0 };
    const env = this.clientClocks.get(client)?.env();
    const process_ = await ClientProcess.start(this.input.registry, config, (c, event) => this.onClientEvent(c, boot, event), env === undefined ? {} : { env });
    this.processes.set(client, process_);
    this.lives.set(client, boot);
    return process_;
  }

  private world(): LiveFaultWorld {
    const { service, clock, network } = this.input;
    const isServer = (node: string): boolean => service.servers.has(node);
    return {
      servers: service.serverNames,
      clients: this.clients,
      clock,
      network,
      resolve: (target) => {
        switch (target) {
          case 'leader': {
            const leader = service.leader();
            return leader === null ? [] : [leader];
          }
          case 'holder':
            return this.believers.length === 0 ? [] : [this.believers[0]];
          case 'servers':
            return [...service.serverNames];
          case 'clients':
            return [...this.clients];
          default:
            return isServer(target) || this.clients.includes(target) ? [target] : [];
        }
      },
      isUp: (node) => (isServer(node) ? service.servers.get(node)!.alive() : (this.processes.get(node)?.alive() ?? false) && !this.down.has(node)),
      pause: (node) => {
        this.input.log?.(`pause ${node}`);
        return isServer(node) ? service.servers.get(node)!.pause() : (this.processes.get(node)?.pause() ?? false);
      },
      resume: (node) => {
        this.input.log?.(`resume ${node}`);
        if (isServer(node)) service.servers.get(node)!.resume();
        else this.processes.get(node)?.resume();
      },
      crash: async (node: string, durable: Durability) => {
        this.input.log?.(`crash ${node}`);
        if (isServer(node)) return service.crash(node, durable);
        const process_ = this.processes.get(node)!;
        this.down.add(node);
        await process_.crash();
        this.requestsOfDead += process_.requests;
        this.clientLog.push({ client: node, life: this.lives.get(node)!, event: { kind: 'crashed', atUs: clock.nowUs() } });
        this.unbelieve(node);
        return {};
      },
      restart: async (node) => {
        this.input.log?.(`restart ${node}`);
        if (isServer(node)) return service.restart(node);
        const process_ = await this.startClient(node, this.lives.get(node)! + 1);
        process_.start(clock.originNs);
        this.down.delete(node);
        this.clientLog.push({ client: node, life: this.lives.get(node)!, event: { kind: 'restarted', atUs: clock.nowUs() } });
      },
      whyCannotCrash: (node, durable) => (isServer(node) ? service.whyCannotCrash(node, durable) : null),
      fakesClocks: service.fakeClock !== undefined || 'its live deployment does not run its servers under libfaketime',
      fakeClock: (node) => (isServer(node) ? service.fakeClock?.(node) : this.clientClocks.get(node)),
    };
  }

  /** Runs the workload to its end. */
  async run(): Promise<SessionOutcome> {
    const { scenario, clock, network, store, service } = this.input;
    for (const [i, client] of this.clients.entries()) {
      this.configs.set(client, {
        client,
        index: i + 1,
        boot: 0,
        seed: this.input.seed,
        sectionsDone: 0,
        workload: this.input.workload,
        endUs: scenario.durationUs,
        storePort: (await network.link(client, 'store', store.port)).port,
        design: await service.connectClient(client, network),
      });
    }
    await Promise.all(this.clients.map((client) => this.startClient(client, 0)));
    await this.input.onReady?.({ servers: [...service.servers.values()].map((s) => s.pid), clients: [...this.processes.values()].map((p) => p.pid) });

    clock.restart();
    for (const process_ of this.processes.values()) process_.start(clock.originNs);
    this.scheduler.start();
    const endUs = scenario.durationUs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      if (clock.nowUs() >= endUs) break;
      const idle = this.clients.every((c) => this.down.has(c) || this.processes.get(c)!.finished || !this.processes.get(c)!.alive());
      if (idle && !this.scheduler.busy()) break;
    }
    const stoppedUs = Math.min(clock.nowUs(), endUs);
    await this.scheduler.stop();
    for (const fake of this.clientClocks.values()) fake.close();
    const errors = [...this.processes.entries()].filter(([, p]) => p.error !== null).map(([c, p]) => `client ${c}: ${p.error}`);
    for (const process_ of this.processes.values()) await this.input.registry.kill(process_.process);
    const requests = this.requestsOfDead + [...this.processes.values()].reduce((sum, p) => sum + p.requests, 0);
    return {
      clientLog: this.clientLog,
      endUs: stoppedUs,
      faults: this.scheduler.report(stoppedUs),
      faultErrors: [...this.scheduler.errors(), ...errors],
      requests,
      bytesHeld: network.bytesHeld(),
    };
  }
}
