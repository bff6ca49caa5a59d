-- inbox-offer.lua: keep a frame for a client whose node died, until it resumes (bounded).
--
-- KEYS[1]  signalmesh:inbox:{<clientId>}   LIST of frames, oldest first
-- ARGV[1]  the frame
-- ARGV[2]  capacity (frames)
-- ARGV[3]  TTL in milliseconds (the resume grace and some margin)
--
-- Returns  1 if kept, 0 if the inbox is full (the frame is refused, never an older one dropped)
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
