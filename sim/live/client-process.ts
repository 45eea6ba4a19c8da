/**
 * One live client as a process of its own (so a pause is a real SIGSTOP
 * and a crash a real SIGKILL): forks client-child.ts (bundled, or under
 * tsx: child-bundle.ts), sends it
 * its configuration, waits until it has connected, starts it with the
 * harness clock's origin, and passes its events on. Every process goes
 * through the registry (processes.ts), so none outlives the run.
 */
import { REPO_ROOT } from '../scenario/paths.ts';
import { childEntry } from './child-bundle.ts';
import { forgetShm } from './faketime.ts';
import type { ChildConfig, ClientEvent, FromChild, ToChild } from './child-protocol.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { logTail } from './ready.ts';

export class ClientProcess {
  /** Requests this life has sent (from its latest event). */
  requests = 0;
  /** The child reported an error (its stack), if it did. */
  error: string | null = null;
  /** The child finished its workload and left on its own. */
  finished = false;
  /** Wall-clock questions sent and not answered yet, by id. */
  private readonly clockAsks = new Map<number, (wallMs: number) => void>();
  private nextAsk = 0;

  private constructor(
    private readonly registry: LiveProcesses,
    readonly config: ChildConfig,
    readonly process: TrackedProcess,
  ) {}

  /**
   * Forks the child, configures it and waits until it is connected
   * (`ready`). `env` is added to the harness's environment (a faked
   * clock's, faketime.ts).
   */
  static async start(
    registry: LiveProcesses,
    config: ChildConfig,
    onEvent: (client: string, event: ClientEvent) => void,
    options: { readonly env?: NodeJS.ProcessEnv; readonly readyTimeoutMs?: number } = {},
  ): Promise<ClientProcess> {
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const entry = await childEntry();
    const child = registry.fork(`client ${config.client}`, entry.module, [config.client], {
      cwd: REPO_ROOT,
      execArgv: [...entry.execArgv],
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    });
    const live = new ClientProcess(registry, config, child);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${config.client} not ready after ${readyTimeoutMs} ms: ${logTail(child)}`)), readyTimeoutMs);
      child.child.on('message', (message: FromChild) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(timer);
            resolve();
            return;
          case 'event':
            live.requests = message.requests;
            if (message.event.kind === 'done') live.finished = true;
            onEvent(config.client, message.event);
            return;
          case 'wall-clock':
            live.clockAsks.get(message.id)?.(message.wallMs);
            live.clockAsks.delete(message.id);
            return;
          case 'error':
            live.error = message.message;
            clearTimeout(timer);
            reject(new Error(`client ${config.client} failed: ${message.message}`));
            return;
        }
      });
      void child.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`client ${config.client} exited (${exit.signal ?? exit.code}) before it was ready: ${logTail(child)}`));
      });
    });
    live.send({ type: 'config', config });
    await ready;
    // Under libfaketime (a clock fault names this client): its shared-memory names go now, so a SIGKILL leaves none.
    if (options.env?.LD_PRELOAD !== undefined) forgetShm(child.pid);
    return live;
  }

  private send(message: ToChild): void {
    if (this.process.child.connected) this.process.child.send(message);
  }

  /** Starts the workload; `originNs` is the harness clock's origin. */
  start(originNs: bigint): void {
    this.send({ type: 'start', originNs: originNs.toString() });
  }

  get pid(): number {
    return this.process.pid;
  }

  alive(): boolean {
    return this.process.alive();
  }

  /**
   * The child's wall clock minus the harness's (ms), read through the IPC
   * channel and taken at the midpoint of the round trip; null when it does
   * not answer within `withinMs` (paused, crashed, or gone).
   */
  async wallOffsetMs(withinMs = 1000): Promise<number | null> {
    if (!this.process.child.connected) return null;
    const id = this.nextAsk++;
    const beforeMs = Date.now();
    const answer = new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        this.clockAsks.delete(id);
        resolve(null);
      }, withinMs);
      this.clockAsks.set(id, (wallMs) => {
        clearTimeout(timer);
        resolve(wallMs - (beforeMs + Date.now()) / 2);
      });
    });
    this.send({ type: 'wall-clock?', id });
    return answer;
  }

  /** SIGSTOP. */
  pause(): boolean {
    return this.registry.signal(this.process, 'SIGSTOP');
  }

  /** SIGCONT. */
  resume(): boolean {
    return this.registry.signal(this.process, 'SIGCONT');
  }

  /** SIGKILL, waiting until it is gone. */
  async crash(): Promise<void> {
    await this.registry.kill(this.process);
  }
}
