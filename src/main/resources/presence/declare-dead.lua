-- declare-dead.lua: whether a node is dead, declaring it so the first time its liveness is seen
-- expired. The declaration is what every node acts on (park the node's frames, reap it) and what
-- the node itself finds when it comes back from a pause, so it can never outlive it unnoticed:
-- its heartbeat (heartbeat.lua) refuses to renew a declared node.
--
-- KEYS[1]  signalmesh:node:{<nodeId>}:alive   STRING, expires: the node's liveness
-- KEYS[2]  signalmesh:node:{<nodeId>}:dead    STRING: the declaration
-- ARGV[1]  how long the declaration is kept, in milliseconds (the node clears it when it rejoins)
--
-- Returns  1 if the node is dead (declared now or before), 0 if it is alive
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return 1
