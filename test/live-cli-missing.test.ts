/**
 * `locksim live` when a server program is missing (SPEC §9): exit 2 with
 * the `apt-get install` command, before anything starts. The locator is
 * replaced so the test does not depend on what this machine has.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../sim/live/binaries.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../sim/live/binaries.ts')>();
  return {
    ...original,
    locate: (program: string) => {
      throw new original.MissingBinaryError(program, program === 'redis-server' ? 'redis-server' : 'etcd-server', ['/usr/bin/' + program]);
    },
  };
});

const { cli } = await import('./support/cli.ts');

describe('live without the server program', () => {
  it('exits 2 naming the program and the install command, and prints nothing on stdout', async () => {
    const { code, stdout, stderr } = await cli(['live', 'gc-pause', '--design', 'redis', '--time-scale', '0.1']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/redis-server not found .*apt-get install -y redis-server/);
    expect(stderr).not.toMatch(/about \d+ s of real time/);
  });
});
