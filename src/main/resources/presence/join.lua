-- join.lua: add a member to a room unless the room is full; joining again is idempotent.
--
-- KEYS[1]  room members hash   signalmesh:room:{<roomId>}:members   (clientId -> member JSON)
-- ARGV[1]  clientId
-- ARGV[2]  member JSON without joinedAt, a non-empty object: {"node":"...","name":...,"metadata":...}
-- ARGV[3]  joinedAt (epoch millis) used when the client is not yet a member
-- ARGV[4]  capacity: most members the room may hold
-- ARGV[5]  "1" if this script updates the indexes itself (standalone and Sentinel: one round trip
--          per join), "0" on Redis Cluster, where they are in other slots and the caller updates them
-- ARGV[6]  the room id (an entry of the room index), ARGV[7] the membership entry <roomId>|<clientId>
-- KEYS[2], KEYS[3]  with ARGV[5] "1": the room index (signalmesh:rooms, ZSET) and the joining node's
--          memberships (signalmesh:node:{<nodeId>}:memberships, SET)
-- KEYS[after those..], ARGV[8..10] optional, webhooks on: the receivers' outbox streams
--          (signalmesh:webhooks:{<receiver>}), the most entries one may hold, the participant-joined
--          event and the room-started event ("" = none). The events are appended to every stream
--          (unless full: then dropped) only for a first join, room-started first and only if the
--          join created the room; a rejoin or a full room records nothing.
--
-- Returns  {"full"}                                       the room holds capacity others; nothing changed
--          {"joined", previousJson, c1, j1, c2, j2, ...}  previousJson is "" for a first join; ci/ji are
--                                                         the other members' ids and stored JSON
--
-- The stored JSON always starts with {"joinedAt":<digits>, so a rejoin keeps the first join time
-- without decoding (and re-encoding) the app's metadata.
local indexed = ARGV[5] == '1'
local firstStream = indexed and 4 or 2

local function record(event)
  if event == '' then
    return
  end
  for i = firstStream, #KEYS do
    if redis.call('XLEN', KEYS[i]) < tonumber(ARGV[8]) then
      redis.call('XADD', KEYS[i], '*', 'event', event)
    end
  end
end

local previous = redis.call('HGET', KEYS[1], ARGV[1])
local created = false
if not previous then
  local count = redis.call('HLEN', KEYS[1])
  if count >= tonumber(ARGV[4]) then
    return {'full'}
  end
  created = count == 0
  previous = ''
end

local joinedAt = string.match(previous, '^{"joinedAt":(%-?%d+),') or ARGV[3]
local stored = '{"joinedAt":' .. joinedAt .. ',' .. string.sub(ARGV[2], 2)
redis.call('HSET', KEYS[1], ARGV[1], stored)
if indexed then
  redis.call('ZADD', KEYS[2], 0, ARGV[6])
  redis.call('SADD', KEYS[3], ARGV[7])
end
if previous == '' and #KEYS >= firstStream then
  if created then
    record(ARGV[10])
  end
  record(ARGV[9])
end

local reply = {'joined', previous}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    reply[#reply + 1] = all[i]
    reply[#reply + 1] = all[i + 1]
  end
end
return reply
