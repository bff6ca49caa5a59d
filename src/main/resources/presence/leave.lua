-- leave.lua: remove a member from a room, optionally only while a given node still holds it.
--
-- KEYS[1]  room members hash   signalmesh:room:{<roomId>}:members   (clientId -> member JSON)
-- ARGV[1]  clientId
-- ARGV[2]  optional: the nodeId the member must still be on; absent = whichever node holds it
--
-- Returns  {removedJson, remaining}  removedJson is the member's stored JSON, or "" if nothing was
--                                    removed (not a member, or held by another node); remaining is
--                                    the room's member count afterwards (Redis deletes an empty hash)
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then
  return {'', redis.call('HLEN', KEYS[1])}
end
if #ARGV >= 2 then
  local ok, member = pcall(cjson.decode, stored)
  if not ok or type(member) ~= 'table' or member.node ~= ARGV[2] then
    return {'', redis.call('HLEN', KEYS[1])}
  end
end
redis.call('HDEL', KEYS[1], ARGV[1])
return {stored, redis.call('HLEN', KEYS[1])}
