/**
 * The Lua scripts of the live Redis lock (redis.io's single-instance
 * pattern), as the simulated server runs them (algorithms/shared/redis/):
 *
 * - acquire: `SET key value NX PX ttl` on the first free key (`lock`, or
 *   `lock:0..N-1` for a semaphore), then — when tokens are on — `INCR
 *   lock:token` in the same script, so the token and the grant are one
 *   atomic step. It also PUBLISHes the grant on `locksim:granted`
 *   (`{key, lease, client, token}`): observation only, the harness's
 *   `granted` event, as the simulated server emits it; a lock client in
 *   production would not. Pub/sub messages and keyspace notifications
 *   reach a subscriber in the order the server produced them, so the
 *   harness sees grants, deletions and expiries in the server's own order.
 * - release: compare-and-delete (`GET` = our value → `DEL`), or a plain
 *   `DEL` with `release: "del"` (sent as a command, not a script).
 */

/** The pub/sub channel grants are announced on. */
export const GRANTS_CHANNEL = 'locksim:granted';

/** The INCR counter that issues fencing tokens (as algorithms/redis's TOKEN_KEY). */
export const TOKEN_KEY = 'lock:token';

/** KEYS: the lock keys, then the token counter. ARGV: value, ttl (ms), "1" to INCR a token, the client's name. Returns {key, token|nil} or nil. */
export const ACQUIRE_LUA = `
local n = #KEYS - 1
for i = 1, n do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then
    local token = false
    if ARGV[3] == '1' then token = redis.call('INCR', KEYS[#KEYS]) end
    redis.call('PUBLISH', '${GRANTS_CHANNEL}', cjson.encode({key = KEYS[i], lease = ARGV[1], client = ARGV[4], token = token}))
    return {KEYS[i], token}
  end
end
return false
`;

/** KEYS[1]: the lock key; ARGV[1]: our value. Deletes it only if it is still ours; returns 1 or 0. */
export const COMPARE_AND_DELETE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
