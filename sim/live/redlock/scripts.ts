/**
 * node-redlock's own lock script, with one addition for the harness: after
 * it sets the keys, it PUBLISHes each grant on `locksim:granted` (as the
 * `redis` design's acquire script does, ../redis/scripts.ts), so the
 * instance's observer (../redis/observer.ts) sees grants, deletions and
 * expiries in the instance's own order. Observation only: the algorithm —
 * return 0 if any key exists, else SET each key PX ttl, return #KEYS — is
 * node-redlock's text, taken from the library through its documented
 * `lockScript` option (a function of the original script).
 *
 * The client's name is the lock value's first field (client.ts makes the
 * value `<client>:<boot>:<n>:<random>`), so the script can name the owner.
 */
import { GRANTS_CHANNEL } from '../redis/scripts.ts';

const RETURN = 'return #KEYS';

const PUBLISH = `-- locksim: announce each grant to the harness's observer (observation only)
	for i, key in ipairs(KEYS) do
		redis.call("publish", "${GRANTS_CHANNEL}", cjson.encode({key = key, lease = ARGV[1], client = string.match(ARGV[1], "^[^:]+"), token = false}))
	end

	`;

/** node-redlock's lock script with the grant announcement before its final `return #KEYS`; throws if the library's script has changed shape. */
export function observedLockScript(original: string): string {
  const at = original.lastIndexOf(RETURN);
  if (at < 0 || !/redis\.call\("set", key, ARGV\[1\], "PX", ARGV\[2\]\)/.test(original)) {
    throw new Error(`node-redlock's lock script is not the one live mode knows (SET … PX then ${RETURN}); pin redlock@4.2.0`);
  }
  return original.slice(0, at) + PUBLISH + original.slice(at);
}
