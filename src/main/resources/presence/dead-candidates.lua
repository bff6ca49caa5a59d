-- dead-candidates.lua: the nodes whose heartbeat deadline has passed, by Redis's clock: the only
-- ones the dead-node check then asks declare-dead.lua about (one command per check, not one per
-- node). A candidate is not yet dead: declare-dead.lua decides on its liveness key, as before.
--
-- KEYS[1]  signalmesh:nodes               SET of known node ids
-- KEYS[2]  {signalmesh:nodes}:deadlines   ZSET node id -> epoch millis its liveness expires
--
-- A known node without a deadline (it last heartbeat with a version that kept none, during a
-- rolling upgrade) gets deadline 0: a candidate at every check until it heartbeats with
-- node-seen.lua or is forgotten. Only looked for when the two sizes differ (O(1) otherwise).
--
-- Returns  the candidates' ids
if redis.call('SCARD', KEYS[1]) ~= redis.call('ZCARD', KEYS[2]) then
  for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if not redis.call('ZSCORE', KEYS[2], node) then
      redis.call('ZADD', KEYS[2], 0, node)
    end
  end
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
