/**
 * Free TCP ports on 127.0.0.1, found by letting the kernel pick one (listen
 * on port 0, read it, close). Another process could take the port between
 * the close and our server's bind; starting a server retries with fresh
 * ports when its bind fails (see the server files). Never binds anything
 * but the loopback address.
 */
import { createServer } from 'node:net';

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

/** `n` distinct free loopback ports (held open together while picked, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
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
    );
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}
