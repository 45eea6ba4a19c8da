/**
 * The `redlock` design: the Redlock algorithm over N independent Redis
 * primaries (default 5, no replication), quorum ⌊N/2⌋+1.
 *
 * Models: each instance is the shared Redis server model
 * (../shared/redis/server.ts) running alone, with the chosen persistence and
 * expiry clock; the client (client.ts) runs the algorithm. `restartDelay`:
 * an instance that restarts after a crash stays down (answers nothing) for
 * that long on its monotonic clock, antirez's cure for instances that
 * restart without the key. It is an operations rule, so it holds whatever
 * the crash left on the disk: the design (the operator) knows which boots
 * of an instance are restarts, counting them per run; the instance's disk
 * is not asked. No fencing tokens.
 * Instances emit `granted` and `expired {owner}` per instance (so one lock
 * can yield up to N of each); no instance is a leader, so none emits
 * `elected`. History model: `lease-lock` (`lease-lock:N` for a semaphore).
 * Does not model: lock extension, instances shared by several locks.
 */
import type { Design, DesignContext, LockClient, LostListener, NodeApi, NodeHandlers } from '../api/index.ts';
import { KnobReader, majority } from '../api/index.ts';
import { createRedisServer } from '../shared/redis/server.ts';
import { createRedlockClient } from './client.ts';
import { parseRedlockKnobs, REDLOCK_KNOBS, type RedlockKnobs } from './knobs.ts';

export type { RedlockKnobs } from './knobs.ts';

/** Per run (its DesignContext), the instances booted so far: any later boot of one is a restart after a crash. */
const bootedInstances = new WeakMap<object, Set<number>>();

/** Records a boot of instance `index` in the run of `ctx`; true if it had booted before (a restart). */
function isRestart(ctx: object, index: number): boolean {
  let booted = bootedInstances.get(ctx);
  if (booted === undefined) bootedInstances.set(ctx, (booted = new Set()));
  if (booted.has(index)) return true;
  booted.add(index);
  return false;
}

/** The `redlock` design. */
export const redlock: Design<RedlockKnobs> = {
  name: 'redlock',
  description: 'Redlock: SET NX PX on N independent Redis primaries, held with a quorum and positive validity; no fencing tokens',
  knobs: REDLOCK_KNOBS,
  issuesTokens: false,
  isLock: true,
  historyModel: 'lease-lock',

  parseKnobs(raw: Readonly<Record<string, unknown>>): RedlockKnobs {
    return parseRedlockKnobs(new KnobReader(raw));
  },

  serverCount(knobs: RedlockKnobs): number {
    return knobs.servers;
  },

  /** The service holds a lease while a majority of instances hold its key. */
  leaseQuorum(knobs: RedlockKnobs): number {
    return majority(knobs.servers);
  },

  createServer(api: NodeApi, ctx: DesignContext<RedlockKnobs>, index: number): NodeHandlers {
    const { knobs } = ctx;
    if (ctx.servers[index] !== api.id) throw new Error(`redlock instance ${index} should be ${ctx.servers[index]}, is ${api.id}`);
    return createRedisServer(api, {
      persistence: knobs.persistence,
      expiryClock: knobs.expiryClock,
      group: [api.id],
      initialPrimary: api.id,
      replicationDelayUs: 0, // a lone instance has no replicas
      restarted: isRestart(ctx, index),
      restartDelayUs: knobs.restartDelayUs,
      announceRole: false,
    });
  },

  createClient(api: NodeApi, ctx: DesignContext<RedlockKnobs>, lost: LostListener): LockClient {
    const { knobs } = ctx;
    return createRedlockClient(
      api,
      {
        servers: ctx.servers,
        ttlUs: knobs.ttlUs,
        driftFactor: knobs.driftFactor,
        requestTimeoutUs: knobs.requestTimeoutUs,
        retryDelayUs: knobs.retryDelayUs,
        retryJitterUs: knobs.retryJitterUs,
        checkValidity: knobs.checkValidity,
        clientClock: knobs.clientClock,
        permits: ctx.permits,
      },
      lost,
    );
  },
};
