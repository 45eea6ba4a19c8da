/**
 * Live mode's TCP proxy (sim/live/proxy.ts) and the network of proxies
 * (sim/live/network.ts), against a local echo server — no real database
 * needed: bytes go through; a `drop` cut loses them; a `stall` cut holds
 * them and delivers them in order once healed (a partition under TCP); a
 * one-way cut lets requests through and holds the replies; latency delays;
 * overlapping partitions heal only when the last one does.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveNetwork } from '../sim/live/network.ts';
import { TcpProxy } from '../sim/live/proxy.ts';

let echo: Server;
let echoPort: number;
/** Bytes the echo server received, by connection order. */
const received: string[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    const i = received.push('') - 1;
    socket.on('data', (chunk) => {
      received[i] += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => echo.listen({ host: '127.0.0.1', port: 0 }, resolve));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => echo.close(resolve));
});

/** A client connection through `port` that collects what comes back. */
async function client(port: number): Promise<{ socket: Socket; got: () => string; index: number }> {
  const socket = connect({ host: '127.0.0.1', port });
  let got = '';
  socket.on('data', (chunk) => (got += chunk.toString()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // The proxy connects upstream on accept; wait until the echo server has seen it.
  const before = received.length;
  for (let i = 0; i < 100 && received.length === before; i++) await sleep(5);
  return { socket, got: () => got, index: received.length - 1 };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `cond` or `ms` pass. */
async function until(cond: () => boolean, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await sleep(5);
  return cond();
}

describe('TcpProxy', () => {
  it('forwards both ways and listens on 127.0.0.1 only', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort);
    expect(proxy.host).toBe('127.0.0.1');
    const c = await client(proxy.port);
    c.socket.write('hello');
    expect(await until(() => c.got() === 'hello')).toBe(true);
    expect(proxy.stats('up').forwarded).toBe(5);
    expect(proxy.stats('down').forwarded).toBe(5);
    c.socket.destroy();
    await proxy.close();
  });

  it('a drop cut loses the bytes sent during it, and only those', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort);
    const c = await client(proxy.port);
    proxy.cut('up', 'drop');
    c.socket.write('lost');
    await sleep(100);
    expect(received[c.index]).toBe('');
    expect(c.got()).toBe('');
    expect(proxy.stats('up').dropped).toBe(4);
    proxy.heal();
    c.socket.write('kept');
    expect(await until(() => c.got() === 'kept')).toBe(true);
    expect(received[c.index]).toBe('kept');
    c.socket.destroy();
    await proxy.close();
  });

  it('a stall cut holds the bytes and delivers them, in order, once healed (a partition under TCP)', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort);
    const c = await client(proxy.port);
    proxy.cut('both', 'stall');
    c.socket.write('one,');
    c.socket.write('two');
    await sleep(100);
    expect(received[c.index]).toBe('');
    expect(c.got()).toBe('');
    proxy.heal();
    expect(await until(() => c.got() === 'one,two')).toBe(true);
    expect(proxy.stats('up').held).toBe(7);
    c.socket.destroy();
    await proxy.close();
  });

  it('a one-way cut of the replies lets requests reach the server and holds the answers', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort);
    const c = await client(proxy.port);
    proxy.cut('down', 'stall');
    c.socket.write('ping');
    expect(await until(() => received[c.index] === 'ping')).toBe(true);
    await sleep(50);
    expect(c.got()).toBe('');
    proxy.heal('down');
    expect(await until(() => c.got() === 'ping')).toBe(true);
    c.socket.destroy();
    await proxy.close();
  });

  it('latency delays each chunk by at least its amount', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort, { latency: { minUs: 60_000, maxUs: 60_000 } });
    const c = await client(proxy.port);
    const start = performance.now();
    c.socket.write('slow');
    expect(await until(() => c.got() === 'slow', 2000)).toBe(true);
    // One delay each way.
    expect(performance.now() - start).toBeGreaterThanOrEqual(115);
    proxy.setLatency('both', { minUs: 0, maxUs: 0 });
    const again = performance.now();
    c.socket.write('fast');
    expect(await until(() => c.got() === 'slowfast', 2000)).toBe(true);
    expect(performance.now() - again).toBeLessThan(60);
    c.socket.destroy();
    await proxy.close();
  });

  it('reset closes every connection; the proxy keeps listening', async () => {
    const proxy = await TcpProxy.start('c1->s1', echoPort);
    const c = await client(proxy.port);
    const closed = new Promise<void>((resolve) => c.socket.once('close', () => resolve()));
    proxy.reset();
    await closed;
    const d = await client(proxy.port);
    d.socket.write('again');
    expect(await until(() => d.got() === 'again')).toBe(true);
    d.socket.destroy();
    await proxy.close();
  });
});

describe('LiveNetwork', () => {
  it('cuts a directed link at the proxy that carries it, and heals it when the last partition does', async () => {
    const network = new LiveNetwork({ minUs: 0, maxUs: 0 });
    const proxy = await network.link('c1', 's1', echoPort);
    const c = await client(proxy.port);
    // s1 → c1 is the proxy's down direction (c1 opened the connection).
    expect(network.cut('s1', 'c1', 0)).toBe(true);
    expect(network.cut('s1', 'c1', 1)).toBe(true);
    expect(network.cut('c1', 'c2', 1)).toBe(false); // no connection: nothing to cut
    c.socket.write('x');
    expect(await until(() => received[c.index] === 'x')).toBe(true);
    network.heal('s1', 'c1', 0);
    await sleep(50);
    expect(c.got()).toBe(''); // partition 1 still cuts it
    network.heal('s1', 'c1', 1);
    expect(await until(() => c.got() === 'x')).toBe(true);
    expect(network.bytesHeld()).toBe(1);
    c.socket.destroy();
    await network.close();
  });

  it('a link made while a partition cuts it starts cut, and heals with it', async () => {
    const network = new LiveNetwork({ minUs: 0, maxUs: 0 });
    expect(network.cut('c1', 's1', 0)).toBe(false); // no proxy carries it yet
    const proxy = await network.link('c1', 's1', echoPort);
    const c = await client(proxy.port);
    c.socket.write('y');
    await sleep(50);
    expect(received[c.index]).toBe(''); // the request waits at the cut
    network.heal('c1', 's1', 0);
    expect(await until(() => c.got() === 'y')).toBe(true);
    c.socket.destroy();
    await network.close();
  });
});
