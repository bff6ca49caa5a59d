-- heartbeat.lua: a node says it is alive, and learns whether Redis still holds what it asserted,
-- unless the mesh declared it dead meanwhile.
--
-- KEYS[1]  signalmesh:node:{<nodeId>}:alive      STRING, expires: the node's liveness
-- KEYS[2]  signalmesh:node:{<nodeId>}:asserted   STRING, no TTL: set once the node's presence is whole
-- KEYS[3]  signalmesh:node:{<nodeId>}:dead       STRING: set by whichever node first saw the liveness expired
-- ARGV[1]  liveness TTL in milliseconds
--
-- Returns  -1 if the node was declared dead: nothing is renewed (other nodes parked its clients'
--             frames and will reap it; it must fence itself and rejoin as a new incarnation)
--           1 if the asserted marker exists, 0 if Redis lost it (restarted empty, flushed):
--             the node must then re-assert its sessions and memberships.
if redis.call('EXISTS', KEYS[3]) == 1 then
  return -1
end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return redis.call('EXISTS', KEYS[2])
