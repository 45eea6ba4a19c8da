/**
 * The registry of designs under test. Adding a design: write it against
 * `algorithms/api/` in its own folder and add it here. Only the CLI (and
 * tests) import this file; everything else receives the registry.
 */
import type { Design, DesignRegistry } from './api/index.ts';
import { cas } from './cas/index.ts';
import { raftLock } from './raft-lock/index.ts';
import { redis } from './redis/index.ts';
import { redlock } from './redlock/index.ts';
import { zookeeper } from './zookeeper/index.ts';

/** Builds a registry over `designs`, looked up by their own names (a Map, so no prototype name is a design). */
export function designRegistry(designs: readonly Design[]): DesignRegistry {
  const byName = new Map(designs.map((design) => [design.name, design]));
  if (byName.size !== designs.length) throw new Error('two designs share a name');
  return { get: (name) => byName.get(name), names: designs.map((design) => design.name) };
}

/** Every built-in design. */
export const DESIGNS: DesignRegistry = designRegistry([redis, redlock, raftLock, zookeeper, cas]);
