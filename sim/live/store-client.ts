/**
 * The client side of the live store (store-server.ts): one TCP connection
 * (through the client's proxy to the store), one JSON object per line,
 * requests matched to replies by id. A request not answered within the
 * timeout resolves `timeout` (the workload then gives the section up, as
 * the simulated client does after STORE_TIMEOUT_US); a late reply is
 * ignored. A closed connection is reopened for the next request.
 */
import { connect, type Socket } from 'node:net';
import { LOOPBACK } from './ports.ts';
import { jsonLines } from './json-lines.ts';

export type StoreReply = { readonly type: 'store-read-ok'; readonly value: number } | { readonly type: 'store-write-ok' } | { readonly type: 'store-rejected'; readonly highestToken: number } | { readonly type: 'timeout' };

/** Request ids of one client life start at boot × this (as lock-workload.ts's REQUEST_ID_SPAN). */
const REQUEST_ID_SPAN = 1_000_000_000;

export class StoreClient {
  private socket: Socket | null = null;
  private nextId: number;
  private readonly waiting = new Map<number, (reply: StoreReply) => void>();
  requests = 0;

  constructor(
    private readonly client: string,
    private readonly port: number,
    boot: number,
    private readonly timeoutMs: number,
  ) {
    this.nextId = boot * REQUEST_ID_SPAN;
  }

  /** Opens the connection (again, if it closed) and says who we are. */
  connect(): Promise<void> {
    if (this.socket !== null && !this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = connect({ host: LOOPBACK, port: this.port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.write(`${JSON.stringify({ hello: this.client })}\n`);
        resolve();
      });
      socket.once('error', reject);
      socket.on('error', () => socket.destroy());
      jsonLines(
        socket,
        (value) => {
          const reply = value as { id?: unknown } & StoreReply;
          if (typeof reply.id !== 'number') return;
          const done = this.waiting.get(reply.id);
          if (done === undefined) return; // late or duplicate
          this.waiting.delete(reply.id);
          done(reply);
        },
        () => {},
      );
    });
  }

  read(token: number | undefined): Promise<StoreReply> {
    return this.request({ type: 'store-read', token });
  }

  write(token: number | undefined, value: number, basedOn: number): Promise<StoreReply> {
    return this.request({ type: 'store-write', token, value, basedOn });
  }

  private async request(body: Record<string, unknown>): Promise<StoreReply> {
    const id = ++this.nextId;
    this.requests++;
    try {
      await this.connect();
    } catch {
      return { type: 'timeout' };
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ type: 'timeout' });
      }, this.timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket!.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
