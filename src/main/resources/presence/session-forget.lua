-- session-forget.lua: forgets a resumable session of a reaped node, unless it moved.
--
-- KEYS[1]  signalmesh:session:{<sha256 of token>}   STRING, the session record (JSON)
-- ARGV[1]  the reaped node's id
--
-- Returns  1 if the record named that node and was deleted, 0 if it is gone or names another
--          node (the client resumed there: its record must survive the old node's reaping).
local record = redis.call('GET', KEYS[1])
if record and cjson.decode(record).node == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
