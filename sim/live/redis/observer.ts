/**
 * Watches the real Redis primary the way the simulator watches its server
 * node: every grant (the acquire script's PUBLISH on `locksim:granted`),
 * every deletion of a lock key (`__keyevent@0__:del`: a release) and every
 * expiry (`__keyevent@0__:expired`, enabled by `notify-keyspace-events
 * Egx`), on one subscriber connection, so they arrive in the server's own
 * order. Each is stamped with the harness clock on receipt: later than it
 * happened by the loopback hop (the history builder widens expiries back
 * to an interval for that reason, history.ts). The observer keeps which
 * grant holds each lock key, so an expiry or deletion names the grant it
 * ended, as the simulated server's `expired {owner, lease}` does.
 *
 * It connects to the server directly, not through a proxy: it is the
 * harness's instrument, outside every partition. It reconnects and
 * resubscribes on its own after a crash (ioredis `autoResubscribe`).
 * With Sentinel failover one observer watches each data server, sharing
 * the holders, and only a server acting as a primary counts (`counts`): a
 * replica replays its primary's writes, PUBLISH and DEL included, which are
 * not events of its own.
 * Not observed: what happens while it is disconnected (a server that is
 * down emits nothing anyway), keys expiring on replicas (replicas do not
 * expire keys; the primary's DEL reaches them).
 */
import { Redis } from 'ioredis';
import type { TrueClock } from '../clock.ts';
import { LOOPBACK } from '../ports.ts';
import type { ServiceEvent } from '../service.ts';
import { GRANTS_CHANNEL } from './scripts.ts';

export type { ServiceEvent } from '../service.ts';

/** Which grant holds each lock key now, as far as the stream says. */
export type Holders = Map<string, { client: string; lease: string; token: number | undefined }>;

export interface ObserverOptions {
  /** Shared by the observers of one replicated deployment (a key granted on one primary may end on the next). */
  readonly holders?: Holders;
  /** Whether what `server` reports counts now (a replica replays its primary's stream: not its own events). */
  readonly counts?: (server: string) => boolean;
}

const EXPIRED = '__keyevent@0__:expired';
const DELETED = '__keyevent@0__:del';

export class RedisObserver {
  readonly events: ServiceEvent[] = [];
  private readonly holders: Holders;
  private constructor(
    private readonly redis: Redis,
    private readonly server: string,
    private readonly clock: TrueClock,
    private readonly listener: (event: ServiceEvent) => void,
    private readonly options: ObserverOptions,
  ) {
    this.holders = options.holders ?? new Map();
  }

  /** Subscribes to the primary at `port` (server `name`); `listener` sees each event as it arrives. */
  static async start(name: string, port: number, clock: TrueClock, listener: (event: ServiceEvent) => void, options: ObserverOptions = {}): Promise<RedisObserver> {
    const redis = new Redis({ host: LOOPBACK, port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null, connectionName: 'locksim-observer' });
    redis.on('error', () => {});
    const observer = new RedisObserver(redis, name, clock, listener, options);
    redis.on('message', (channel: string, message: string) => observer.onMessage(channel, message));
    await redis.connect();
    await redis.subscribe(GRANTS_CHANNEL, EXPIRED, DELETED);
    return observer;
  }

  private onMessage(channel: string, message: string): void {
    const atUs = this.clock.nowUs();
    if (this.options.counts !== undefined && !this.options.counts(this.server)) return;
    if (channel === GRANTS_CHANNEL) {
      const grant = JSON.parse(message) as { key: string; lease: string; client: string; token: number | false };
      const token = typeof grant.token === 'number' ? grant.token : undefined;
      this.holders.set(grant.key, { client: grant.client, lease: grant.lease, token });
      this.push({ kind: 'granted', atUs, server: this.server, client: grant.client, key: grant.key, lease: grant.lease, token });
      return;
    }
    if (channel !== EXPIRED && channel !== DELETED) return;
    const key = message;
    if (key !== 'lock' && !key.startsWith('lock:')) return;
    if (key === 'lock:token') return;
    const holder = this.holders.get(key);
    this.holders.delete(key);
    this.push({ kind: channel === EXPIRED ? 'expired' : 'deleted', atUs, server: this.server, key, owner: holder?.client, lease: holder?.lease, token: holder?.token });
  }

  private push(event: ServiceEvent): void {
    this.events.push(event);
    this.listener(event);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
