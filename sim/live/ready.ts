/**
 * Waiting until a server is up: poll a probe until it says yes, fail early
 * (with the server's log) if the process died, and give up after a
 * deadline. The probes speak each server's own plain-text health check over
 * a fresh TCP connection to 127.0.0.1 — Redis `PING` (`-LOADING` while it
 * reads its AOF), ZooKeeper's `srvr` four-letter word, etcd's HTTP
 * `/health` — so no client library is needed just to see a server is up.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { LOOPBACK } from './ports.ts';
import type { TrackedProcess } from './processes.ts';

/** Sends `request` to 127.0.0.1:`port` and returns everything it answers until it closes, `done` says enough, or `timeoutMs`. */
export function tcpAsk(port: number, request: string, done: (answer: string) => boolean = () => false, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ host: LOOPBACK, port });
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (done(answer)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** A probe: true once the server serves. */
export type Probe = () => Promise<boolean>;

/** Redis answers PING with PONG (not `-LOADING`). */
export const redisPing = (port: number): Probe => async () => (await tcpAsk(port, 'PING\r\n', (a) => a.includes('\r\n'))).startsWith('+PONG');

/** etcd's `/health` says `"health":"true"`. */
export const etcdHealth = (port: number): Probe => async () =>
  /"health"\s*:\s*"true"/.test(await tcpAsk(port, `GET /health HTTP/1.0\r\nHost: ${LOOPBACK}\r\n\r\n`));

/** ZooKeeper's `srvr` names a mode (standalone, leader or follower); it says "not currently serving requests" until then. */
export const zookeeperServing = (port: number): Probe => async () => /Mode: (standalone|leader|follower)/.test(await tcpAsk(port, 'srvr'));

/** Polls `probe` every `everyMs` until it says yes; throws if `process` exits first or `timeoutMs` passes. */
export async function waitReady(process_: TrackedProcess, probe: Probe, what: string, timeoutMs = 30_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!process_.alive()) throw new Error(`${what} exited before it was ready: ${logTail(process_)}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms: ${logTail(process_)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The end of a process's output (its log file's last lines for a server). */
export function logTail(process_: TrackedProcess, chars = 1500): string {
  const tail = process_.tail();
  const file = /^see (.+)$/.exec(tail)?.[1];
  if (file === undefined) return tail.slice(-chars);
  try {
    return `${file}: …${readFileSync(file, 'utf8').slice(-chars)}`;
  } catch {
    return tail;
  }
}
