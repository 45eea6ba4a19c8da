/**
 * The entry of a live client process (forked by client-process.ts, run
 * with tsx): gets its configuration, builds the design's real client
 * library and the store client, connects, says `ready`, then runs the
 * workload from `start` until it is done, sending each event to the parent
 * as it happens. It exits when its work is done or its parent goes away
 * (the IPC channel closes), so an orphan never lingers. A pause is a
 * SIGSTOP of this process, a crash a SIGKILL: nothing here knows of them.
 */
import { Rng } from '../core/rng.ts';
import type { ChildConfig, ClientEvent, FromChild, ToChild } from './child-protocol.ts';
import { runWorkload } from './child-workload.ts';
import { sharedClock } from './clock.ts';
import { designClient, designSectionClient } from './clients.ts';
import type { LiveLockClient } from './live-client.ts';
import { runSectionWorkload, type LiveSectionClient } from './section-workload-live.ts';
import { StoreClient } from './store-client.ts';

function send(message: FromChild): void {
  if (process.connected) process.send!(message);
}

let config: ChildConfig | null = null;
let client: LiveLockClient | null = null;
/** A lock-free design's client instead (section-workload-live.ts). */
let sectionClient: LiveSectionClient | null = null;
let store: StoreClient | null = null;

function fail(error: unknown): never {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}

process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

process.on('message', (message: ToChild) => {
  if (message.type === 'wall-clock?') {
    send({ type: 'wall-clock', id: message.id, wallMs: Date.now() });
    return;
  }
  if (message.type === 'config') {
    config = message.config;
    const rng = new Rng(config.seed, `live/${config.client}/${config.boot}/client`);
    sectionClient = designSectionClient(config, rng);
    if (sectionClient === null) client = designClient(config, rng);
    store = new StoreClient(config.client, config.storePort, config.boot, config.workload.storeTimeoutUs / 1000);
    Promise.all([(sectionClient ?? client!).connect(), store.connect()]).then(() => send({ type: 'ready' }), fail);
    return;
  }
  if (message.type === 'start') {
    if (config === null || (client === null && sectionClient === null) || store === null) fail(new Error('start before config'));
    const lib = (sectionClient ?? client)!;
    const storeClient = store;
    const clock = sharedClock(message.originNs);
    const emit = (event: ClientEvent): void => send({ type: 'event', event, requests: lib.requests + storeClient.requests });
    (sectionClient !== null ? runSectionWorkload(config, { clock, client: sectionClient, emit }) : runWorkload(config, { clock, client: client!, store: storeClient, emit }))
      .then(async () => {
        await lib.close();
        storeClient.close();
        process.disconnect();
      })
      .catch(fail);
  }
});
