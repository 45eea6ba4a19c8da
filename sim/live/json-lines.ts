/**
 * Newline-delimited JSON over a TCP socket (the live store's protocol):
 * splits the byte stream into lines and parses each; a line that is not
 * JSON is reported, never thrown.
 */
import type { Socket } from 'node:net';

/** Splits a byte stream into lines and hands each parsed JSON object to `onObject`. */
export function jsonLines(socket: Socket, onObject: (value: unknown) => void, onBad: (line: string) => void): void {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        onBad(line);
        continue;
      }
      onObject(value);
    }
  });
}
