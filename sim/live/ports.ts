/**
 * Free TCP ports on 127.0.0.1, found by letting the kernel pick one (listen
 * on port 0, read it, close). Another process could take the port between
 * the close and our server's bind; starting a server retries with fresh
 * ports when its bind fails (see the server files). Never binds anything
 * but the loopback address.
 */
import { createServer, type Server } from 'node:net';

/** The only address live mode binds or connects to. */
export const LOOPBACK = '127.0.0.1';

/** One free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the kernel picked'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

const closeAll = (servers: readonly Server[]): Promise<void> =>
  Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())))).then(() => {});

/**
 * `n` distinct free loopback ports, kept bound until `release()`: relays
 * and proxies made meanwhile listen on ports the kernel picks, which could
 * otherwise be one just picked for a server, and the server would fail to
 * bind it.
 */
export async function reservePorts(n: number): Promise<{ readonly ports: number[]; release(): Promise<void> }> {
  const servers = Array.from({ length: n }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') reject(new Error('could not read the port the kernel picked'));
            else resolve(address.port);
          });
        }),
    ),
  ).catch(async (error: unknown) => {
    await closeAll(servers);
    throw error;
  });
  return { ports, release: () => closeAll(servers) };
}

/** `n` distinct free loopback ports (held open together while picked, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const reserved = await reservePorts(n);
  await reserved.release();
  return reserved.ports;
}
