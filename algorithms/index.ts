/**
 * The registry of designs under test. Adding a design: write it against
 * `sim/api.ts` in its own folder and add it here.
 */
import type { Design } from './api/index.ts';
import { InputError } from '../sim/scenario/errors.ts';
import { redis } from './redis/index.ts';
import { redlock } from './redlock/index.ts';
import { raftLock } from './raft-lock/index.ts';
import { cas } from './cas/index.ts';
import { zookeeper } from './zookeeper/index.ts';

export const DESIGNS: Readonly<Record<string, Design<any>>> = {
  redis,
  redlock,
  'raft-lock': raftLock,
  cas,
  zookeeper,
};

/** The design named `name`, or an InputError naming the place it was asked for. */
export function getDesign(name: string, file?: string, where?: string): Design<any> {
  const design = DESIGNS[name];
  if (design === undefined) {
    throw new InputError(file, where, `unknown design ${JSON.stringify(name)}; expected one of ${Object.keys(DESIGNS).join(', ')}`);
  }
  return design;
}
