/** What a process listens on, for the live tests' "127.0.0.1 only" checks. */
import { execFileSync } from 'node:child_process';

/** Local addresses `pid` listens on (TCP), from `ss -ltnpH`; null when ss is not available. */
export function listening(pid: number): string[] | null {
  let out: string;
  try {
    out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  } catch {
    return null;
  }
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3]);
}
