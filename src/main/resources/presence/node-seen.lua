-- node-seen.lua: after a renewed heartbeat (heartbeat.lua), keeps the node in the set of known
-- nodes and moves its heartbeat deadline, by Redis's clock, in the deadline index the dead-node
-- check reads (dead-candidates.lua).
--
-- KEYS[1]  signalmesh:nodes               SET of known node ids
-- KEYS[2]  {signalmesh:nodes}:deadlines   ZSET node id -> epoch millis its liveness expires; the hash
--          tag puts it in the slot of signalmesh:nodes, so this script runs on Redis Cluster too
-- ARGV[1]  the node id
-- ARGV[2]  liveness TTL in milliseconds (the TTL heartbeat.lua set on the node's liveness)
--
-- Returns  the deadline
local time = redis.call('TIME')
local deadline = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], deadline, ARGV[1])
return deadline
