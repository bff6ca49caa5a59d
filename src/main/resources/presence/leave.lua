-- leave.lua: remove a member from a room, optionally only while a given node still holds it.
--
-- KEYS[1]  room members hash   signalmesh:room:{<roomId>}:members   (clientId -> member JSON)
-- ARGV[1]  clientId
-- ARGV[2]  optional: the nodeId the member must still be on; absent = whichever node holds it
-- KEYS[2..], last three ARGV  optional, webhooks on: the receivers' outbox streams
--          (signalmesh:webhooks:{<receiver>}), then the most entries one may hold, the
--          participant-left event and the room-finished event ("" = none). Appended to every stream
--          (unless full: then dropped) only if the member was removed, room-finished only if the
--          room is empty afterwards.
--
-- Returns  {removedJson, remaining}  removedJson is the member's stored JSON, or "" if nothing was
--                                    removed (not a member, or held by another node); remaining is
--                                    the room's member count afterwards (Redis deletes an empty hash)
local outbox = #KEYS > 1
local conditional = (outbox and #ARGV - 3 or #ARGV) >= 2

local function record(event)
  if event == '' then
    return
  end
  for i = 2, #KEYS do
    if redis.call('XLEN', KEYS[i]) < tonumber(ARGV[#ARGV - 2]) then
      redis.call('XADD', KEYS[i], '*', 'event', event)
    end
  end
end

local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then
  return {'', redis.call('HLEN', KEYS[1])}
end
if conditional then
  local ok, member = pcall(cjson.decode, stored)
  if not ok or type(member) ~= 'table' or member.node ~= ARGV[2] then
    return {'', redis.call('HLEN', KEYS[1])}
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
local remaining = redis.call('HLEN', KEYS[1])
if outbox then
  record(ARGV[#ARGV - 1])
  if remaining == 0 then
    record(ARGV[#ARGV])
  end
end
return {stored, remaining}
