/**
 * Real Apache ZooKeeper 3.8 (Debian's `zookeeper` package, run by `java`):
 * standalone or an ensemble of N, each server a JVM with its own temporary
 * folder holding `zoo.cfg`, `data/myid` and its log.
 *
 * zoo.cfg: `tickTime` (and so the session-timeout bounds 2–20 ticks),
 * `initLimit`, `syncLimit` from the design's knobs; `clientPortAddress`
 * 127.0.0.1; quorum and election ports on 127.0.0.1 (`server.N=…`);
 * `admin.enableServer=false` (the AdminServer would bind 0.0.0.0:8080);
 * four-letter words limited to `srvr` and `ruok` (the readiness probe); no
 * JMX (the JVM is started without its remote agent); `maxClientCnxns=0`
 * (every client reaches it from 127.0.0.1 through a proxy, and the default
 * 60 per address is soon used up by reconnects through a cut link); the
 * session-timeout bounds written out (ZooKeeper's defaults, 2 and 20
 * ticks). Logs go to stderr through slf4j-simple, with times, into the
 * folder's `zookeeper.log`. The JVM runs with the client compiler only
 * (`-XX:TieredStopAtLevel=1`): a server starts in about half the time, which
 * matters with five JVMs starting at once on a small machine. Ports are
 * picked after the relays and proxies exist, and a port taken before the
 * JVM bound it starts the servers again on fresh ones.
 *
 * Peer links (`peerLink`): each server reaches each other server through a
 * port the caller gives (live mode: a proxy per ordered pair, so a
 * partition can cut servers apart). A server's own zoo.cfg line names its
 * real quorum and election ports; every other `server.N` line names the
 * ports that server uses to reach N — zoo.cfg is per server, and with
 * dynamic reconfiguration off (the 3.8 default) a server never takes
 * another's view of the addresses. Both lead through the one link to a
 * demultiplexer in front of N (PeerRelay), which sends each connection to
 * N's election port or its quorum port by its first byte (an election
 * connection opens with the protocol version, a negative long, 0xFF…; a
 * learner's with a QuorumPacket's type, a small int, 0x00…), and rewrites
 * the return address an election connection carries so that N's
 * connection back goes through N's own link too. Without `peerLink` the
 * servers reach each other directly.
 *
 * Clock faults: with a `fakeClock` for a server (faketime.ts) its JVM runs
 * under libfaketime with that clock's offset file (every life of it),
 * libfaketime's shared-memory names are unlinked once it is up, and the
 * clock's `probe` reads the server's wall clock back from the timestamp of
 * its log line for a `ruok` (zookeeper/wall-clock.ts; the log's dates are
 * full ISO dates for that). Verified with OpenJDK 17 and libfaketime
 * 0.9.10: System.currentTimeMillis() (what stamps the log, a znode's
 * mtime) moves with the file; System.nanoTime(), on which ZooKeeper's
 * session expiry and every timed wait run, does not
 * (FAKETIME_DONT_FAKE_MONOTONIC=1). One more setting is needed for a JVM:
 * FAKETIME_FORCE_MONOTONIC_FIX=0. With libfaketime's default "monotonic
 * fix" of pthread_cond_timedwait, the JVM's timed waits (on
 * CLOCK_MONOTONIC condition variables) return at once: an idle server
 * burnt 1.7 cores, started in 5–9 s instead of 1 s, took 13× longer per
 * write, and lost its clients' sessions. With 0 it idles at ~0 % and
 * writes as fast as without libfaketime. The JVM needs no libc preload
 * (no jemalloc); the one faketime.ts adds for redis-server is harmless.
 * Not modelled: a TCP connect that gets no answer. Through a proxy every
 * connect succeeds at once, and a refusal behind it arrives as a close
 * (the demultiplexer holds a learner's connection while the quorum port
 * refuses it, see PeerRelay).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { locate } from './binaries.ts';
import { freePorts, LOOPBACK } from './ports.ts';
import type { LiveProcesses, TrackedProcess } from './processes.ts';
import { forgetShm, type FakeClock } from './faketime.ts';
import { tcpAsk, waitReady, zookeeperServing, type Probe } from './ready.ts';
import { ManagedServer } from './server.ts';
import { LOG_DATE_FORMAT, zookeeperWallClockOffsetMs } from './zookeeper/wall-clock.ts';

export interface ZooKeeperOptions {
  /** Server names `s1…` (one: standalone). */
  readonly names: readonly string[];
  readonly tickTimeMs: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly env?: (name: string) => NodeJS.ProcessEnv | undefined;
  /** Run server `name` under libfaketime with this clock (clock faults); undefined: the real clock. */
  readonly fakeClock?: (name: string) => FakeClock | undefined;
  readonly readyTimeoutMs?: number;
  /**
   * How server `from` is to reach server `to`, whose peer port (quorum and
   * election both, see PeerRelay) is `peerPort`: resolves to the port
   * `from` connects to (a proxy). Without it, servers connect directly.
   */
  readonly peerLink?: (from: string, to: string, peerPort: number) => Promise<number>;
}

interface ServerPlan {
  readonly id: number;
  readonly name: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly dir: string;
  /** By server id: the ports this server uses to reach that server, when peers go through links. */
  readonly peers?: ReadonlyMap<number, { readonly quorum: number; readonly election: number }>;
}

/** zoo.cfg for one server. */
export function zooCfg(plan: ServerPlan, all: readonly ServerPlan[], options: ZooKeeperOptions): string {
  return [
    '# written by locksim live mode (sim/live/zookeeper-server.ts)',
    `tickTime=${options.tickTimeMs}`,
    `initLimit=${options.initLimit ?? 10}`,
    `syncLimit=${options.syncLimit ?? 5}`,
    `minSessionTimeout=${2 * options.tickTimeMs}`,
    `maxSessionTimeout=${20 * options.tickTimeMs}`,
    'maxClientCnxns=0',
    `dataDir=${join(plan.dir, 'data')}`,
    `clientPort=${plan.clientPort}`,
    `clientPortAddress=${LOOPBACK}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,ruok',
    'quorumListenOnAllIPs=false',
    'standaloneEnabled=true',
    ...(all.length === 1
      ? []
      : all.map((s) => {
          const via = s.id === plan.id ? undefined : plan.peers?.get(s.id);
          return via === undefined ? `server.${s.id}=${LOOPBACK}:${s.quorumPort}:${s.electionPort}` : `server.${s.id}=${LOOPBACK}:${via.quorum}:${via.election}`;
        })),
    '',
  ].join('\n');
}

const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';

/** How long a relay holds a learner's connection while the quorum port refuses it (about a JVM's leader start-up). */
const LEARNER_HOLD_MS = 1000;

/** The JVM answers `srvr` on its client port at all (serving or not yet). */
const zookeeperAnswers = (port: number): Probe => async () => /Mode: |not currently serving/.test(await tcpAsk(port, 'srvr'));

/** How a relay treats a connection, from its first bytes (null: wait for more); `holdMs`: how long to keep retrying a refused connect. */
type Route = (head: Buffer) => { readonly port: number; readonly head: Buffer; readonly holdMs?: number } | null;

/** How often a relay retries a refused connect it holds. */
const RETRY_MS = 10;

/**
 * A relay on 127.0.0.1 that passes every connection it accepts on to a
 * port chosen (and, for an election connection, a head rewritten) from the
 * connection's first bytes. Two kinds:
 *
 * - a server's peer port (`demux`): a connection whose first byte is 0xFF
 *   is an election connection (QuorumCnxManager writes its protocol
 *   version, a negative long, first) and goes to the election port; any
 *   other is a learner's (a QuorumPacket, whose type is a small positive
 *   int) and goes to the quorum port. An election connection opens with
 *   the sender's id and its own election address, and the receiver, when
 *   the sender's id is the lower, closes it and connects back to that
 *   address — straight to the sender's real port, around the links. So the
 *   demultiplexer rewrites that address to the receiver's own way to the
 *   sender (`back`, by sender id): the way back goes through a link too.
 * - an election entry in a server's zoo.cfg (`to`): one route, to the
 *   link towards that server (zoo.cfg refuses one port for both quorum and
 *   election, and a link is one port).
 * A learner's connection to a quorum port that refuses it (a leader just
 * elected opens that port a few milliseconds after it says LEADING) is
 * held and retried for a while: through a link, the learner's own connect
 * has already succeeded, so it cannot see a refusal and retry as it would
 * (ZooKeeper's Learner retries a refused connect after a second).
 * Bytes then flow both ways untouched. A side that closes or fails is
 * passed on as an orderly close (FIN), which a cut link holds back like
 * any other byte; a relay outlives the server's crashes (a connection to a
 * server that is down is accepted, then closed), and its listener does not
 * keep the harness alive.
 */
export class PeerRelay {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** Where to connect. */
    readonly port: number,
  ) {}

  private static start(route: Route): Promise<PeerRelay> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK, port: 0 }, () => {
        const address = server.address();
        if (address === null || typeof address === 'string') return reject(new Error('peer relay has no address'));
        server.unref();
        const relay = new PeerRelay(server, address.port);
        server.on('connection', (socket) => relay.accept(socket, route));
        resolve(relay);
      });
    });
  }

  /** A relay to one port. */
  static to(port: number): Promise<PeerRelay> {
    return PeerRelay.start((head) => ({ port, head }));
  }

  /**
   * The demultiplexer in front of one server's quorum and election ports
   * (`ports`, read per connection: they are picked after the relays);
   * `back` (filled in later) says how it reaches each sender id;
   * `holdMs`: how long a learner's connection waits for a quorum port that
   * refuses it (see the class header).
   */
  static demux(ports: () => { readonly quorum: number; readonly election: number }, back: ReadonlyMap<number, number>, holdMs: number): Promise<PeerRelay> {
    return PeerRelay.start((head) => {
      const { quorum: quorumPort, election: electionPort } = ports();
      if (head[0] !== 0xff) return { port: quorumPort, head, holdMs };
      // protocol version (8 bytes), sender id (8), address length (4), address
      if (head.length < 20) return null;
      const length = head.readInt32BE(16);
      if (length < 0 || length > 4096) return { port: electionPort, head }; // not what we know: pass it on as it is
      if (head.length < 20 + length) return null;
      const port = back.get(Number(head.readBigInt64BE(8)));
      if (port === undefined) return { port: electionPort, head };
      const address = Buffer.from(`${LOOPBACK}:${port}`);
      const size = Buffer.alloc(4);
      size.writeInt32BE(address.length);
      return { port: electionPort, head: Buffer.concat([head.subarray(0, 16), size, address, head.subarray(20 + length)]) };
    });
  }

  private accept(socket: Socket, route: Route): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const decided = route(head);
      if (decided === null) return;
      socket.off('data', onData);
      socket.pause();
      this.open(socket, decided.port, decided.head, performance.now() + (decided.holdMs ?? 0));
    };
    socket.on('data', onData);
  }

  /** Connects on to `port` (retrying a refusal until `untilMs`), then pipes both ways. */
  private open(socket: Socket, port: number, head: Buffer, untilMs: number): void {
    if (socket.destroyed) return;
    const upstream = connect({ host: LOOPBACK, port });
    this.sockets.add(upstream);
    upstream.setNoDelay(true);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        socket.end();
      });
      socket.on('close', () => upstream.end());
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      upstream.destroy();
      this.sockets.delete(upstream);
      if (connected) return;
      if (error.code === 'ECONNREFUSED' && performance.now() < untilMs) setTimeout(() => this.open(socket, port, head, untilMs), RETRY_MS);
      else socket.end();
    });
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One ZooKeeper server. */
export class ZooKeeperServer extends ManagedServer {
  constructor(
    registry: LiveProcesses,
    private readonly plan: ServerPlan,
    private readonly env: NodeJS.ProcessEnv | undefined,
    current: TrackedProcess,
    private readonly readyTimeoutMs: number | undefined,
    /** Its peer port and its election entries for the others, when peers go through links. */
    private readonly relays: readonly PeerRelay[] = [],
    private readonly fakeClock: FakeClock | undefined = undefined,
  ) {
    super(registry, current);
  }

  /** Once its JVM is up (startZooKeeper and restart call it): libfaketime's shared-memory names go, and its clock reads this server's wall clock. */
  clockUp(): void {
    if (this.fakeClock === undefined) return;
    forgetShm(this.current.pid);
    this.fakeClock.probe = () => zookeeperWallClockOffsetMs(this.port, join(this.dir, 'zookeeper.log'));
  }

  /** Closes its relays (peer links only); the process is the registry's. */
  async closeRelays(): Promise<void> {
    await Promise.all(this.relays.map((r) => r.close()));
  }

  get name(): string {
    return this.plan.name;
  }
  get port(): number {
    return this.plan.clientPort;
  }
  get dir(): string {
    return this.plan.dir;
  }
  wipeData(): void {
    if (this.alive()) throw new Error(`zookeeper ${this.name} is running: crash it before wiping its data`);
    const data = join(this.dir, 'data');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data);
    writeFileSync(join(data, 'myid'), `${this.plan.id}\n`);
  }
  /**
   * Starts it again on the same ports and folder. By default it waits until
   * the server serves; with `serving: false` only until the JVM answers on
   * its client port (a restarted ensemble member serves once a quorum is
   * back, which may need servers restarted after it).
   */
  async restart(options: { readonly serving?: boolean } = {}): Promise<void> {
    if (this.alive()) throw new Error(`zookeeper ${this.name} is still running`);
    this.current = launch(this.registry, this.plan, this.env);
    const probe = options.serving === false ? zookeeperAnswers(this.port) : zookeeperServing(this.port);
    await waitReady(this.current, probe, `zookeeper ${this.name} (restart)`, this.readyTimeoutMs);
    this.clockUp();
  }
}

function launch(registry: LiveProcesses, plan: ServerPlan, env: NodeJS.ProcessEnv | undefined): TrackedProcess {
  const classpath = [locate('zookeeper'), ...(existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : [])].join(':');
  return registry.spawn(
    `zookeeper ${plan.name}`,
    locate('java'),
    [
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      `-Dorg.slf4j.simpleLogger.dateTimeFormat=${LOG_DATE_FORMAT}`,
      '-cp', classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      join(plan.dir, 'zoo.cfg'),
    ],
    { cwd: plan.dir, env: { ...process.env, ...env }, logFile: join(plan.dir, 'zookeeper.log') },
  );
}

/** What a JVM needs under libfaketime besides the clock's own settings (see the file's comment). */
const JVM_FAKETIME_ENV: NodeJS.ProcessEnv = { FAKETIME_FORCE_MONOTONIC_FIX: '0' };

/** Attempts at starting the servers when a port was taken between its pick and the JVM's bind. */
const START_TRIES = 3;

/** Whether a server's log says a port it wanted was taken. */
function bindFailed(dir: string): boolean {
  try {
    return /Address already in use/i.test(readFileSync(join(dir, 'zookeeper.log'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Starts every server at once and waits until each serves (an ensemble:
 * once it has a leader). The relays and links come first, so the ports
 * picked for the JVMs are the last the kernel handed out; a port taken
 * anyway before a JVM bound it (another process, an outgoing connection)
 * starts every server again on fresh ports, up to START_TRIES times.
 */
export async function startZooKeeper(registry: LiveProcesses, options: ZooKeeperOptions): Promise<ZooKeeperServer[]> {
  locate('java');
  locate('zookeeper');
  const ids = options.names.map((name, i) => ({ id: i + 1, name, dir: registry.tempDir(`zookeeper-${name}`) }));
  /** Each server's own quorum and election ports in the current attempt (the demultiplexers read them per connection). */
  const own = new Map<number, { quorum: number; election: number }>();
  const peers = new Map<number, Map<number, { quorum: number; election: number }>>();
  const relays = new Map<number, PeerRelay[]>(ids.map((p) => [p.id, []]));
  const all = (): PeerRelay[] => [...relays.values()].flat();
  try {
    if (options.peerLink !== undefined && ids.length > 1) {
      const demuxes = new Map<number, PeerRelay>();
      const back = new Map<number, Map<number, number>>(ids.map((p) => [p.id, new Map()]));
      for (const { id } of ids) {
        const demux = await PeerRelay.demux(() => own.get(id)!, back.get(id)!, LEARNER_HOLD_MS);
        demuxes.set(id, demux);
        relays.get(id)!.push(demux);
      }
      for (const server of ids) {
        const mine = new Map<number, { quorum: number; election: number }>();
        for (const other of ids) {
          if (other === server) continue;
          const link = await options.peerLink(server.name, other.name, demuxes.get(other.id)!.port);
          const election = await PeerRelay.to(link);
          relays.get(server.id)!.push(election);
          mine.set(other.id, { quorum: link, election: election.port });
          back.get(server.id)!.set(other.id, election.port);
        }
        peers.set(server.id, mine);
      }
    }
    for (let tries = 1; ; tries++) {
      const ports = await freePorts(ids.length * 3);
      const plans: ServerPlan[] = ids.map(({ id, name, dir }, i) => ({
        id,
        name,
        dir,
        clientPort: ports[3 * i],
        quorumPort: ports[3 * i + 1],
        electionPort: ports[3 * i + 2],
        ...(peers.has(id) ? { peers: peers.get(id)! } : {}),
      }));
      for (const plan of plans) own.set(plan.id, { quorum: plan.quorumPort, election: plan.electionPort });
      const servers = plans.map((plan) => {
        const data = join(plan.dir, 'data');
        rmSync(data, { recursive: true, force: true });
        mkdirSync(data, { recursive: true });
        writeFileSync(join(data, 'myid'), `${plan.id}\n`);
        writeFileSync(join(plan.dir, 'zoo.cfg'), zooCfg(plan, plans, options));
        rmSync(join(plan.dir, 'zookeeper.log'), { force: true });
        const fakeClock = options.fakeClock?.(plan.name);
        const env = { ...options.env?.(plan.name), ...(fakeClock === undefined ? {} : { ...fakeClock.env(), ...JVM_FAKETIME_ENV }) };
        return new ZooKeeperServer(registry, plan, env, launch(registry, plan, env), options.readyTimeoutMs, relays.get(plan.id), fakeClock);
      });
      try {
        await Promise.all(servers.map((s) => waitReady(s.process, zookeeperServing(s.port), `zookeeper ${s.name} (port ${s.port})`, options.readyTimeoutMs ?? 60_000)));
        for (const server of servers) server.clockUp();
        return servers;
      } catch (error) {
        await Promise.all(servers.map((s) => registry.kill(s.process)));
        if (tries >= START_TRIES || !servers.some((s) => bindFailed(s.dir))) throw error;
      }
    }
  } catch (error) {
    await Promise.all(all().map((r) => r.close()));
    throw error;
  }
}
