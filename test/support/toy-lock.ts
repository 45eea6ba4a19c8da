/**
 * A test double: the smallest honest lock service, one server granting a
 * lease-based lock with increasing tokens, its expiry measured on the
 * server's wall clock (so clock faults bite), persisting its token counter
 * to disk only when fsynced. Used to test the simulator itself, independent
 * of the real designs.
 */
import type { Design, LockClient, Message, NodeApi } from '../../algorithms/api/index.ts';
import { KnobReader } from '../../algorithms/api/knobs.ts';

export interface ToyKnobs {
  readonly ttlUs: number;
  readonly fsync: boolean;
}

export const toyLock: Design<ToyKnobs> = {
  name: 'toy',
  description: 'test double: one server, wall-clock lease, INCR-style tokens',
  knobs: [],
  parseKnobs(raw) {
    const r = new KnobReader(raw);
    const knobs = { ttlUs: r.duration('ttl', '10s'), fsync: r.boolean('fsync', true) };
    r.finish(['permits']);
    return knobs;
  },
  serverCount: () => 1,
  issuesTokens: true,
  isLock: true,
  historyModel: 'lease-lock',
  createServer(api: NodeApi, ctx) {
    let holder: { client: string; expiresAtWallUs: number } | null = null;
    let token = api.disk.get<number>('token') ?? 0;
    api.emit({ kind: 'elected' });
    const expireIfDue = (): void => {
      if (holder !== null && api.now() >= holder.expiresAtWallUs) {
        api.emit({ kind: 'expired', owner: holder.client });
        holder = null;
      }
    };
    return {
      onMessage(from: string, msg: Message) {
        expireIfDue();
        if (msg.type === 'acquire') {
          if (holder === null) {
            token++;
            api.disk.set('token', token);
            if (ctx.knobs.fsync) api.disk.fsync();
            holder = { client: from, expiresAtWallUs: api.now() + ctx.knobs.ttlUs };
            api.emit({ kind: 'granted', client: from, token });
            api.send(from, { type: 'acquire-ok', id: msg.id, token });
          } else {
            api.send(from, { type: 'acquire-busy', id: msg.id });
          }
        } else if (msg.type === 'release') {
          const ok = holder !== null && holder.client === from;
          if (ok) holder = null;
          api.send(from, { type: 'release-ok', id: msg.id, ok });
        }
      },
    };
  },
  createClient(api: NodeApi, ctx, lost): LockClient {
    let request = 0;
    let onAcquire: ((grant: { token: number } | null) => void) | null = null;
    let onRelease: ((ok: boolean | null) => void) | null = null;
    let validUntilMonoUs = 0;
    let leaseTimer: ReturnType<NodeApi['setTimer']> | null = null;
    const tryAcquire = (): void => {
      api.send('s1', { type: 'acquire', id: ++request });
    };
    return {
      acquire(done) {
        onAcquire = done;
        validUntilMonoUs = api.monotonic() + ctx.knobs.ttlUs;
        tryAcquire();
      },
      abandon() {
        onAcquire = null;
        request++;
      },
      release(done) {
        if (leaseTimer !== null) api.cancelTimer(leaseTimer);
        onRelease = done;
        api.send('s1', { type: 'release', id: ++request });
        api.setTimer(1_000_000, () => {
          if (onRelease === done) {
            onRelease = null;
            done(null);
          }
        });
      },
      stillValid: () => api.monotonic() < validUntilMonoUs,
      onMessage(_from, msg) {
        if (msg.id !== request) return;
        if (msg.type === 'acquire-ok' && onAcquire !== null) {
          const done = onAcquire;
          onAcquire = null;
          leaseTimer = api.setTimer(validUntilMonoUs - api.monotonic(), () => lost('lease ran out by client clock'));
          done({ token: msg.token as number });
        } else if (msg.type === 'acquire-busy' && onAcquire !== null) {
          api.setTimer(100_000, () => {
            if (onAcquire !== null) {
              validUntilMonoUs = api.monotonic() + ctx.knobs.ttlUs;
              tryAcquire();
            }
          });
        } else if (msg.type === 'release-ok' && onRelease !== null) {
          const done = onRelease;
          onRelease = null;
          done(msg.ok as boolean);
        }
      },
    };
  },
};
