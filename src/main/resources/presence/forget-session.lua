-- forget-session.lua: forget a reaped node's session record, unless the session moved on.
--
-- KEYS[1]  signalmesh:session:{<sha256 of token>}   STRING, the record JSON {"clientId","node","rooms",..}
-- ARGV[1]  the reaped node's id
--
-- Returns  1 if the record was deleted, 0 if there was none or it names another node (the client
--          resumed there; the reaped node's set of session keys still lists it)
local stored = redis.call('GET', KEYS[1])
if not stored then
  return 0
end
local ok, record = pcall(cjson.decode, stored)
if ok and type(record) == 'table' and record.node ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
