-- inbox-drain.lua: take every frame kept for a client, in order, and empty its inbox.
--
-- KEYS[1]  signalmesh:inbox:{<clientId>}   LIST of frames
--
-- Returns  the frames, oldest first (empty if none)
local frames = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return frames
