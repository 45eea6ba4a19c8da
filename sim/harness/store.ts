/**
 * The protected resource: one integer register that clients read and then
 * overwrite with value + 1, checking fencing tokens per the workload's
 * `fencing` mode.
 *
 * `none`: every access is accepted. `writes`: a write whose token is lower
 * than the highest token the store has accepted is rejected. `reads-and-writes`:
 * reads are checked too and raise the highest token seen (Kleppmann's cure for
 * a new holder that read before an old holder's late write). An access
 * without a token (a design with no tokens) is accepted. A duplicated
 * request (same client and id) is answered again from the last reply, not
 * applied twice. Every access is recorded in true time. Not modelled: store
 * crashes, replication.
 */
import type { Message, NodeHandlers, NodeApi } from '../../algorithms/api/index.ts';
import type { Recorder } from './recorder.ts';
import type { FencingMode } from '../scenario/types.ts';

export interface StoreStats {
  staleRejected: number;
}

export function createStore(api: NodeApi, fencing: FencingMode, recorder: Recorder, trueNow: () => number, stats: StoreStats): NodeHandlers {
  let value = 0;
  let highestToken = -Infinity;
  /** The last request id and reply per client, to answer duplicates without applying them twice. */
  const lastReply = new Map<string, { id: unknown; reply: Message }>();
  const reply = (to: string, id: unknown, msg: Message): void => {
    lastReply.set(to, { id, reply: msg });
    api.send(to, msg);
  };

  const tokenOk = (token: number | undefined, checked: boolean): boolean =>
    !checked || token === undefined || token >= highestToken;

  return {
    onMessage(from: string, msg: Message): void {
      const previous = lastReply.get(from);
      if (previous !== undefined && previous.id === msg.id) {
        api.send(from, previous.reply);
        return;
      }
      const token = typeof msg.token === 'number' ? msg.token : undefined;
      if (msg.type === 'store-read') {
        const checked = fencing === 'reads-and-writes';
        const accepted = tokenOk(token, checked);
        if (accepted && checked && token !== undefined) highestToken = Math.max(highestToken, token);
        if (!accepted) stats.staleRejected++;
        recorder.storeAccesses.push({
          atUs: trueNow(), client: from, kind: 'read', token, accepted, value, basedOn: undefined, before: value,
          reason: accepted ? undefined : `token ${token} < highest ${highestToken}`,
        });
        reply(from, msg.id, accepted ? { type: 'store-read-ok', id: msg.id, value } : { type: 'store-rejected', id: msg.id, highestToken });
        return;
      }
      if (msg.type === 'store-write') {
        const checked = fencing !== 'none';
        const accepted = tokenOk(token, checked);
        const before = value;
        const written = msg.value as number;
        if (accepted) {
          value = written;
          if (token !== undefined) highestToken = Math.max(highestToken, token);
        } else {
          stats.staleRejected++;
        }
        recorder.storeAccesses.push({
          atUs: trueNow(), client: from, kind: 'write', token, accepted, value: written, basedOn: msg.basedOn as number, before,
          reason: accepted ? undefined : `token ${token} < highest ${highestToken}`,
        });
        reply(from, msg.id, accepted ? { type: 'store-write-ok', id: msg.id } : { type: 'store-rejected', id: msg.id, highestToken });
        return;
      }
      throw new Error(`store got an unknown message ${msg.type} from ${from}`);
    },
  };
}
