/**
 * Runs the CLI in-process (sim/cli/main.ts) with captured stdout and stderr,
 * as the CLI tests need: no TTY and an empty environment unless asked.
 */
import type { CliIo } from '../../sim/cli/io.ts';
import { main } from '../../sim/cli/main.ts';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], options: { isTTY?: boolean; env?: Record<string, string> } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), isTTY: options.isTTY ?? false, env: options.env ?? {} };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
