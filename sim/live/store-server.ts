/**
 * The protected store as a real server: a TCP server on 127.0.0.1 speaking
 * one JSON object per line, in front of the simulator's own store
 * (`sim/harness/store.ts`), so live and simulated runs fence by exactly the
 * same rules — nothing is copied. Each access is stamped with the harness's
 * true clock when the store handles it, and recorded as in simulation.
 *
 * Protocol: a client's first line is `{"hello": "c1"}`; then requests
 * `{"type": "store-read", "id": 1, "token": 7}` and `{"type":
 * "store-write", "id": 2, "token": 7, "value": 5, "basedOn": 4}`; each is
 * answered with the simulated store's reply message on one line. A client
 * that reconnects (a restarted process) gets its replies on its newest
 * connection.
 *
 * The harness's `createStore` is written against the designs' node API but
 * only ever sends replies; it gets a node API whose `send` writes to the
 * client's connection and whose every other member throws, so a change to
 * the store that needs more fails loudly here instead of misbehaving.
 * Not modelled: store crashes, replication (as in simulation).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Message, NodeApi } from '../../algorithms/api/index.ts';
import type { FencingMode } from '../checker/types.ts';
import { Recorder } from '../harness/recorder.ts';
import { createStore, type StoreStats } from '../harness/store.ts';
import type { StoreAccess } from '../checker/types.ts';
import { jsonLines } from './json-lines.ts';
import { LOOPBACK } from './ports.ts';

/** A node API that can only `send`; anything else the store asks for is an error. */
function sendOnlyApi(send: (to: string, msg: Message) => void): NodeApi {
  return new Proxy({ id: 'store', send } as Record<string | symbol, unknown>, {
    get(target, property) {
      if (property in target) return target[property];
      throw new Error(`the live store gives sim/harness/store.ts only \`send\`; it asked for \`${String(property)}\``);
    },
  }) as unknown as NodeApi;
}

export class StoreServer {
  /** Stale tokens the store rejected. */
  readonly stats: StoreStats = { staleRejected: 0 };
  private readonly recorder = new Recorder();
  private readonly latest = new Map<string, Socket>();
  private readonly sockets = new Set<Socket>();
  /** Lines that were not JSON or came before a hello. */
  badLines = 0;

  private constructor(
    private readonly server: Server,
    /** Where clients connect (directly or through their link's proxy). */
    readonly port: number,
  ) {}

  /** Starts the store on a free 127.0.0.1 port. */
  static start(fencing: FencingMode, trueNow: () => number): Promise<StoreServer> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK, port: 0 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('store has no port'));
        const store = new StoreServer(server, address.port);
        store.serve(fencing, trueNow);
        resolve(store);
      });
    });
  }

  private serve(fencing: FencingMode, trueNow: () => number): void {
    const api = sendOnlyApi((to, msg) => {
      const socket = this.latest.get(to);
      if (socket !== undefined && !socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
    });
    const handlers = createStore(api, fencing, this.recorder, trueNow, this.stats);
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      let client: string | null = null;
      jsonLines(
        socket,
        (value) => {
          const record = value as Record<string, unknown>;
          if (client === null) {
            if (typeof record?.hello !== 'string') {
              this.badLines++;
              return;
            }
            client = record.hello;
            this.latest.set(client, socket);
            return;
          }
          this.latest.set(client, socket);
          try {
            handlers.onMessage?.(client, record as Message);
          } catch {
            this.badLines++; // a message the store does not know: counted, never fatal to the run
          }
        },
        () => this.badLines++,
      );
    });
  }

  /** Every access so far, in the order the store handled them (true time). */
  get accesses(): readonly StoreAccess[] {
    return this.recorder.storeAccesses;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
