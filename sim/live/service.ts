/**
 * What a design's real deployment gives the live session (session.ts):
 * its servers, how a client reaches them, what the service reported
 * (grants, deletions, expiries, in its own order), who leads, and how its
 * servers crash and come back. One implementation per design
 * (`sim/live/<design>/service.ts`).
 */
import type { Durability } from '../core/disk.ts';
import type { DesignChildConfig } from './child-protocol.ts';
import type { LiveNetwork } from './network.ts';
import type { FakeClock } from './faketime.ts';
import type { LiveServerInfo } from './result.ts';
import type { ServerProcess } from './server.ts';

/**
 * What the service did, in its own order, stamped on receipt: a grant (with
 * its lease id and token), or the end of one by deletion (a release) or
 * expiry, naming the grant it ended when the service's stream says.
 */
export type ServiceEvent =
  | { readonly kind: 'granted'; readonly atUs: number; readonly server: string; readonly client: string; readonly key: string; readonly lease: string; readonly token: number | undefined }
  | { readonly kind: 'expired' | 'deleted'; readonly atUs: number; readonly server: string; readonly key: string; readonly owner: string | undefined; readonly lease: string | undefined; readonly token: number | undefined };

export interface LiveService {
  /** Server node names, `s1…`. */
  readonly serverNames: readonly string[];
  /** The server processes, by name. */
  readonly servers: ReadonlyMap<string, ServerProcess>;
  /** What the service reported so far, in its own order. */
  readonly events: readonly ServiceEvent[];
  /** The lease quorum (1: one primary or a replicated service). */
  readonly quorum: number;
  /** Adds the client's links (proxies) to the servers; returns its client settings. */
  connectClient(client: string, network: LiveNetwork): Promise<DesignChildConfig>;
  /** The server standing for `leader` now, or null. */
  leader(): string | null;
  /** Why a crash of server `node` with `durable` cannot be done (null: it can). */
  whyCannotCrash(node: string, durable: Durability): string | null;
  /** Kills server `node`, keeping what `durable` allows; effect counters. */
  crash(node: string, durable: Durability): Promise<Record<string, number>>;
  restart(node: string): Promise<void>;
  /** The faked clock of server `node` (faketime.ts), when the deployment runs it under libfaketime. */
  fakeClock?(node: string): FakeClock | undefined;
  /** What ran, for the result. */
  info(): LiveServerInfo[];
  close(): Promise<void>;
}

/** Adds `client`'s link (a proxy) to each server of `names`; returns each proxy's port, by server, in that order. */
export async function linkClient(
  network: LiveNetwork,
  client: string,
  names: readonly string[],
  servers: ReadonlyMap<string, { readonly port: number }>,
): Promise<Array<{ name: string; port: number }>> {
  const ports: Array<{ name: string; port: number }> = [];
  for (const name of names) ports.push({ name, port: (await network.link(client, name, servers.get(name)!.port)).port });
  return ports;
}
