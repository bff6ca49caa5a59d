-- heartbeat.lua: a node says it is alive, and learns whether Redis still holds what it asserted.
--
-- KEYS[1]  signalmesh:node:{<nodeId>}:alive      STRING, expires: the node's liveness
-- KEYS[2]  signalmesh:node:{<nodeId>}:asserted   STRING, no TTL: set once the node's presence is whole
-- ARGV[1]  liveness TTL in milliseconds
--
-- Returns  1 if the asserted marker exists, 0 if Redis lost it (restarted empty, flushed):
--          the node must then re-assert its sessions and memberships.
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return redis.call('EXISTS', KEYS[2])
