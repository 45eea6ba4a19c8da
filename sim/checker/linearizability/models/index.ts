/**
 * The model registry: `getModel(name)` and `MODEL_NAMES`.
 *
 * Models: name → model, parsing the permit count of `semaphore:N` and
 * `lease-lock:N`. Does not model anything itself.
 */

import { HistoryError } from '../../errors.ts';
import type { Model } from '../model.ts';
import { casRegisterModel, registerModel } from './register.ts';
import { kvModel } from './kv.ts';
import { makeLockModel } from './lock.ts';

/** Names accepted by `getModel` (`N` stands for a positive integer). */
export const MODEL_NAMES: readonly string[] = Object.freeze([
  'register',
  'cas-register',
  'kv',
  'mutex',
  'fenced-mutex',
  'semaphore:N',
  'lease-lock',
  'lease-lock:N',
]);

function permitsOf(name: string, prefix: string): number {
  const text = name.slice(prefix.length + 1);
  if (!/^[1-9][0-9]{0,5}$/.test(text)) {
    throw new HistoryError(undefined, '--model', `${prefix}:N needs a positive integer permit count N (e.g. ${prefix}:2), got ${JSON.stringify(name)}`);
  }
  return Number(text);
}

/**
 * The model called `name`. Throws HistoryError(undefined, '--model', …) for an
 * unknown name or a bad permit count.
 */
export function getModel(name: string): Model {
  switch (name) {
    case 'register':
      return registerModel;
    case 'cas-register':
      return casRegisterModel;
    case 'kv':
      return kvModel as Model;
    case 'mutex':
      return makeLockModel({ name, permits: 1, requireTokens: false, allowExpire: false }) as Model;
    case 'fenced-mutex':
      return makeLockModel({ name, permits: 1, requireTokens: true, allowExpire: false }) as Model;
    case 'lease-lock':
      return makeLockModel({ name, permits: 1, requireTokens: false, allowExpire: true }) as Model;
    default:
      break;
  }
  if (name.startsWith('semaphore:')) {
    return makeLockModel({ name, permits: permitsOf(name, 'semaphore'), requireTokens: false, allowExpire: false }) as Model;
  }
  if (name.startsWith('lease-lock:')) {
    return makeLockModel({ name, permits: permitsOf(name, 'lease-lock'), requireTokens: false, allowExpire: true }) as Model;
  }
  throw new HistoryError(undefined, '--model', `unknown model ${JSON.stringify(name)}; expected one of ${MODEL_NAMES.join(', ')}`);
}
