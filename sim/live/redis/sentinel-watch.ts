/**
 * The harness's view of a Sentinel-managed deployment: which data server
 * acts as a primary now (in its own eyes) and which one the Sentinels
 * configured as the primary, learnt from the Sentinels' own event
 * channels, as an operator's tooling would: `+promoted-slave` (the chosen
 * replica answered `REPLICAOF NO ONE` and reports itself primary),
 * `+switch-master` (the Sentinels' configuration names a new primary),
 * `+convert-to-slave` (an old primary was told to follow the new one).
 * It subscribes to every Sentinel directly (outside every partition; an
 * event heard twice changes nothing), so a paused or crashed Sentinel
 * costs nothing while another one reports. Addresses in the events are
 * the relay ports the servers announce; `nameOf` maps them back to nodes.
 * It also keeps `+odown`, `+elected-leader` and `-failover-abort-*` (in
 * `heard`, for debugging). Not seen: a role change nobody announced (a server told
 * REPLICAOF by hand).
 */
import { Redis } from 'ioredis';
import { LOOPBACK } from '../ports.ts';

const CHANNELS = ['+promoted-slave', '+switch-master', '+convert-to-slave', '+odown', '+elected-leader', '-failover-abort-no-good-slave', '-failover-abort-not-elected'];

export class SentinelWatch {
  /** Servers that act as primaries now, in their own eyes. */
  private readonly primaries = new Set<string>();
  private configured: string;
  private readonly subscribers: Redis[] = [];
  /** Events heard (deduplicated by their text). */
  readonly heard = new Set<string>();

  constructor(
    initialPrimary: string,
    /** The node whose announced port is `port`, or undefined. */
    private readonly nameOf: (port: number) => string | undefined,
  ) {
    this.primaries.add(initialPrimary);
    this.configured = initialPrimary;
  }

  /** Subscribes to the Sentinels at these (real) ports. */
  async watch(ports: readonly number[]): Promise<void> {
    for (const port of ports) {
      const redis = new Redis({ host: LOOPBACK, port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null, connectionName: 'locksim-sentinel-watch' });
      redis.on('error', () => {});
      redis.on('message', (channel: string, message: string) => this.onEvent(channel, message));
      this.subscribers.push(redis);
      await redis.connect();
      await redis.subscribe(...CHANNELS);
    }
  }

  /** Whether `server` acts as a primary now (its grants, releases and expiries count). */
  actsAsPrimary(server: string): boolean {
    return this.primaries.has(server);
  }

  /** The primary the Sentinels' configuration names. */
  configuredPrimary(): string {
    return this.configured;
  }

  private onEvent(channel: string, message: string): void {
    this.heard.add(`${channel} ${message}`);
    const words = message.split(' ');
    const port = (at: number): string | undefined => this.nameOf(Number(words[at]));
    switch (channel) {
      case '+promoted-slave': {
        // slave <ip>:<port> <ip> <port> @ <master> <ip> <port>
        const server = port(3);
        if (server !== undefined) this.primaries.add(server);
        return;
      }
      case '+convert-to-slave': {
        const server = port(3);
        if (server !== undefined) this.primaries.delete(server);
        return;
      }
      case '+switch-master': {
        // <master> <old ip> <old port> <new ip> <new port>
        const server = port(4);
        if (server !== undefined) {
          this.configured = server;
          this.primaries.add(server);
        }
        return;
      }
    }
  }

  async close(): Promise<void> {
    for (const s of this.subscribers) s.disconnect();
  }
}
