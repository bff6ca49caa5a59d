-- outbox-append.lua: record webhook events in one receiver's outbox stream, unless it is full.
-- Used on Redis Cluster only, right after join.lua or leave.lua: there the streams cannot share
-- the room's slot. Elsewhere those scripts append the same way themselves, atomically.
--
-- KEYS[1]  signalmesh:webhooks:{<receiver>}   STREAM of undelivered events, field "event"
-- ARGV[1]  most entries the stream may hold; an event for a full stream is dropped
-- ARGV[2..] event JSON bodies, in order
--
-- Returns  the number of events dropped because the stream was full
local dropped = 0
for i = 2, #ARGV do
  if redis.call('XLEN', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'event', ARGV[i])
  else
    dropped = dropped + 1
  end
end
return dropped
