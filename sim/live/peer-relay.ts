/**
 * Peer links of a cluster through the live network's proxies, so a
 * partition cuts server↔server links as it cuts client links. Used for
 * etcd's members (below) and for Redis Sentinel's data servers and
 * Sentinels (redis/sentinel-service.ts), which likewise must each be known
 * to all the others by one address.
 *
 * etcd members must all dial the same peer URL for a member (member ids are
 * hashed from the URLs), so a member's peer port cannot be one link's proxy.
 * Instead each member advertises a relay: the relay in front of member T
 * accepts a connection, finds which member opened it, and pipes it into
 * the proxy of the link `sender → T` (network.ts; `T → sender` bytes flow
 * back through the same proxy's `down` direction, which is what a cut of
 * `T → sender` stalls). The sender is found from the kernel, not from the
 * bytes: the connecting socket's port names a line of /proc/net/tcp whose
 * inode is an open file of exactly one member's process
 * (/proc/<pid>/fd/* → `socket:[inode]`). So every connection etcd makes to
 * a peer — raft streams, pipeline posts, probes, version checks — goes
 * through its link, whatever the protocol says. Linux only. A connection
 * whose sender cannot be found (it closed before the lookup) is dropped and
 * counted: etcd dials again.
 *
 * One exception while the cluster first starts (`bootstrapping`): each new
 * member asks its peers `GET /members` (isMemberBootstrapped, with a 1 s
 * timeout per peer) before it serves its own peer port. Dialled directly, a
 * peer not yet listening refuses at once; through a relay, which always
 * accepts, the request would wait on a listener that does not serve yet,
 * and every member would lose a second per peer. So the relay refuses that
 * request during the bootstrap, as the absent listener would have.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { LiveNetwork } from './network.ts';
import { LOOPBACK } from './ports.ts';

/** /proc/net/tcp's form of 127.0.0.1:`port`. */
function procAddress(port: number): string {
  return `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The inode of the socket connected from 127.0.0.1:`fromPort` to 127.0.0.1:`toPort`, or null. */
export function socketInode(fromPort: number, toPort: number): string | null {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null;
  }
  const local = procAddress(fromPort);
  const remote = procAddress(toPort);
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[2] === remote) return fields[9] ?? null;
  }
  return null;
}

/** Whether process `pid` has the socket `inode` open. */
export function holdsSocket(pid: number, inode: string): boolean {
  const wanted = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === wanted) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

export class PeerRelays {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private pidOf: (name: string) => number | null = () => null;
  /** The cluster is forming: `GET /members` is refused (see the header). */
  bootstrapping = true;
  /** Connections whose sender could not be found (dropped). */
  unidentified = 0;

  constructor(
    private readonly network: LiveNetwork,
    private readonly names: readonly string[],
  ) {}

  /** How to find each member's current process (it changes with every restart). */
  identify(pidOf: (name: string) => number | null): void {
    this.pidOf = pidOf;
  }

  /** Adds the links `other → target` and the relay in front of `target` (listening at `listenPort`); returns the relay's port. */
  async add(target: string, listenPort: number): Promise<number> {
    const proxyPorts = new Map<string, number>();
    for (const sender of this.names) if (sender !== target) proxyPorts.set(sender, (await this.network.link(sender, target, listenPort)).port);
    const server = createServer((socket) => this.accept(socket, target, listenPort, proxyPorts));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK, port: 0 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') reject(new Error('peer relay has no port'));
        else resolve(address.port);
      });
    });
  }

  private sender(socket: Socket): string | null {
    const inode = socket.remotePort === undefined || socket.localPort === undefined ? null : socketInode(socket.remotePort, socket.localPort);
    if (inode === null) return null;
    for (const name of this.names) {
      const pid = this.pidOf(name);
      if (pid !== null && holdsSocket(pid, inode)) return name;
    }
    return null;
  }

  private accept(socket: Socket, target: string, listenPort: number, proxyPorts: ReadonlyMap<string, number>): void {
    socket.pause();
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const sender = this.sender(socket);
    const port = sender === null ? undefined : sender === target ? listenPort : proxyPorts.get(sender);
    if (port === undefined) {
      this.unidentified++;
      socket.destroy();
      return;
    }
    if (!this.bootstrapping) {
      this.forward(socket, port, null);
      return;
    }
    socket.once('data', (head: Buffer) => {
      socket.pause();
      if (head.toString('latin1', 0, 13) === 'GET /members ') socket.destroy();
      else this.forward(socket, port, head);
    });
    socket.resume();
  }

  /** Pipes `socket` to `port`, `head` (bytes already read) first. */
  private forward(socket: Socket, port: number, head: Buffer | null): void {
    const upstream = connect({ host: LOOPBACK, port });
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.once('connect', () => {
      if (head !== null) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
