/**
 * Where the real servers' programs are, and what to install when one is
 * missing. Looks in the Debian 12 places (`/usr/bin/redis-server`,
 * `/usr/bin/etcd`, `/usr/share/java/zookeeper.jar` run by `java`), then on
 * PATH; `LOCKSIM_REDIS_SERVER`, `LOCKSIM_ETCD`, `LOCKSIM_ZOOKEEPER_JAR` and
 * `LOCKSIM_JAVA` override. A missing program is a `MissingBinaryError`
 * carrying the `apt-get install -y <package>` command (SPEC §9: the CLI
 * exits 2 with it). Does not check versions beyond what the packages ship
 * (redis 7.0, etcd 3.4, ZooKeeper 3.8) nor install anything.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A server program live mode needs is not installed. */
export class MissingBinaryError extends Error {
  /** The Debian package that provides it. */
  readonly package: string;
  /** What to run to get it. */
  readonly install: string;
  constructor(readonly program: string, pkg: string, looked: readonly string[]) {
    super(`${program} not found (looked in ${looked.join(', ')}): install it with \`apt-get install -y ${pkg}\``);
    this.name = 'MissingBinaryError';
    this.package = pkg;
    this.install = `apt-get install -y ${pkg}`;
  }
}

/** The programs live mode runs. */
export type Program = 'redis-server' | 'etcd' | 'zookeeper' | 'java';

interface ProgramInfo {
  readonly env: string;
  readonly paths: readonly string[];
  /** Name to look for on PATH (none for a jar). */
  readonly onPath?: string;
  readonly pkg: string;
  readonly executable: boolean;
}

const PROGRAMS: Readonly<Record<Program, ProgramInfo>> = {
  'redis-server': { env: 'LOCKSIM_REDIS_SERVER', paths: ['/usr/bin/redis-server'], onPath: 'redis-server', pkg: 'redis-server', executable: true },
  etcd: { env: 'LOCKSIM_ETCD', paths: ['/usr/bin/etcd'], onPath: 'etcd', pkg: 'etcd-server', executable: true },
  zookeeper: { env: 'LOCKSIM_ZOOKEEPER_JAR', paths: ['/usr/share/java/zookeeper.jar'], pkg: 'zookeeper', executable: false },
  java: { env: 'LOCKSIM_JAVA', paths: ['/usr/bin/java'], onPath: 'java', pkg: 'default-jre-headless', executable: true },
};

function usable(path: string, executable: boolean): boolean {
  try {
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of `program`, or a `MissingBinaryError`. */
export function locate(program: Program): string {
  const info = PROGRAMS[program];
  const fromEnv = process.env[info.env];
  const candidates = [
    ...(fromEnv === undefined || fromEnv === '' ? [] : [fromEnv]),
    ...info.paths,
    ...(info.onPath === undefined ? [] : (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, info.onPath!))),
  ];
  const found = candidates.find((path) => existsSync(path) && usable(path, info.executable));
  if (found === undefined) throw new MissingBinaryError(program, info.pkg, [...new Set(candidates)]);
  return found;
}

/** Whether `program` is installed (for tests that skip without it). */
export function isInstalled(program: Program): boolean {
  try {
    locate(program);
    return true;
  } catch (error) {
    if (error instanceof MissingBinaryError) return false;
    throw error;
  }
}

/** libfaketime's preload library (Debian: the `faketime` package), or a `MissingBinaryError`. */
export function locateFaketime(): string {
  const paths = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];
  const fromEnv = process.env.LOCKSIM_LIBFAKETIME;
  const candidates = [...(fromEnv === undefined || fromEnv === '' ? [] : [fromEnv]), ...paths];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new MissingBinaryError('libfaketime', 'faketime', candidates);
  return found;
}
