/**
 * Reads a running ZooKeeper server's wall clock back (the proof a clock
 * fault took, FakeClock.probe in faketime.ts): no four-letter word prints
 * the time, and a node's mtime is stamped by the leader's clock, not by
 * the server asked. So it asks `ruok` from a socket of its own and finds
 * the line the server logs for it ("Processing ruok command from
 * /127.0.0.1:<our port>"), whose timestamp is the server's
 * System.currentTimeMillis() (slf4j-simple, full ISO date with its zone:
 * zookeeper-server.ts sets the format). The offset is that timestamp minus
 * our wall clock halfway through the round trip (ms precision). Null when
 * the server does not answer within PROBE_TIMEOUT_MS (paused, down) or its
 * log has no such line.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { LOOPBACK } from '../ports.ts';

/** How long the server may take to answer `ruok`. */
const PROBE_TIMEOUT_MS = 200;
/** How long the log line may take to reach the file after the answer, and how often to look. */
const LOG_WAIT_MS = 200;
const LOG_POLL_MS = 10;
/** How much of the log's end is searched. */
const TAIL_BYTES = 64 * 1024;

/** The JVM flag that makes slf4j-simple stamp lines so that they parse back to epoch milliseconds. */
export const LOG_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

/** Asks `ruok`; the local port used and our wall clock around it, or null without `imok` in time. */
function askRuok(port: number): Promise<{ readonly localPort: number; readonly sentMs: number; readonly doneMs: number } | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let answer = '';
    let sentMs = 0;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const localPort = socket.localPort;
      socket.destroy();
      resolve(ok && localPort !== undefined ? { localPort, sentMs, doneMs: Date.now() } : null);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    socket.on('connect', () => {
      sentMs = Date.now();
      socket.write('ruok');
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('imok')) finish(true);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(answer.includes('imok')));
  });
}

/** The last TAIL_BYTES of `file` ('' if unreadable). */
function tail(file: string): string {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  } catch {
    return '';
  }
}

/** The server's wall clock minus ours (ms), or null (see the file's comment). */
export async function zookeeperWallClockOffsetMs(port: number, logFile: string): Promise<number | null> {
  const asked = await askRuok(port);
  if (asked === null) return null;
  const line = new RegExp(`^(\\S+) \\[[^\\]]*\\] INFO \\S+ - Processing ruok command from /127\\.0\\.0\\.1:${asked.localPort}$`, 'm');
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const match = line.exec(tail(logFile));
    if (match !== null) {
      const serverMs = Date.parse(match[1]);
      return Number.isNaN(serverMs) ? null : serverMs - (asked.sentMs + asked.doneMs) / 2;
    }
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, LOG_POLL_MS));
  }
}
