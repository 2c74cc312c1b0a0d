"""The Lua script behind ``RedisLimiter``: one admission (or one flush) in one round trip.

Redis runs a script atomically, so no two processes can read the window and then both write
to it. The clock is Redis's ``TIME``, the same for every host.

KEYS, all under one hash tag (one Cluster slot) per quota:
  1 log    ZSET  entry id -> the moment it counts from (admission, then "sent")
  2 tok    HASH  entry id -> its input tokens
  3 sum    STR   input tokens of the entries in the window
  4 day    ZSET  minute number -> minute number (the minutes holding requests of the day)
  5 dayn   HASH  minute number -> requests, and "total"
  6 pause  STR   the moment a 429's pause ends
  7 queue  ZSET  process ticket -> when it began waiting (first come, first served)
  8 alive  ZSET  process ticket -> when it is dropped unless it polls again
  9 wants  HASH  process ticket -> the tokens its request needs

ARGV: per, requests, tokens, requests_per_day (0: no limit), ticket, want (tokens to admit;
-1 for a flush only), entry id, ticket lifetime, pause seconds (0: none), drop ticket (1/0),
then the count of entries to re-stamp and their ids, then the count of corrections and
(id, tokens) pairs.

Returns {admitted (1/0), wait in microseconds, requests in the window, tokens in the window}.
"""

from __future__ import annotations

SCRIPT = r"""
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local log, tok, sum, day, dayn, pause, queue, alive, wants =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local per, rpm = tonumber(ARGV[1]), tonumber(ARGV[2])
local tpm, rpd = tonumber(ARGV[3]), tonumber(ARGV[4])
local me, want, id, ttl = ARGV[5], tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local STEP, DAY = 60, 86400
local keep = math.ceil(per) + 60

local function each_page(list, size, fn)
  for first = 1, #list, size do
    local page = {}
    for j = first, math.min(first + size - 1, #list) do page[#page + 1] = list[j] end
    fn(page)
  end
end

-- What the caller's earlier leases asked for: a pause, re-stamps, corrections.
local p = tonumber(ARGV[9])
if p > 0 then
  local ends = now + p
  if ends > tonumber(redis.call('GET', pause) or '0') then
    redis.call('SET', pause, string.format('%.6f', ends), 'PX', math.ceil(p * 1000) + 1000)
  end
end
if ARGV[10] == '1' then
  redis.call('ZREM', queue, me); redis.call('ZREM', alive, me); redis.call('HDEL', wants, me)
end
local i = 11
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('ZADD', log, 'XX', now, ARGV[i]); i = i + 1
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local entry, real = ARGV[i], tonumber(ARGV[i + 1]); i = i + 2
  local old = redis.call('HGET', tok, entry)
  if old then
    redis.call('HSET', tok, entry, real)
    redis.call('INCRBY', sum, real - tonumber(old))
  end
end

-- The window slides: entries older than `per` leave, with their tokens.
local gone = redis.call('ZRANGEBYSCORE', log, '-inf', now - per)
if #gone > 0 then
  local freed = 0
  each_page(gone, 500, function(page)
    for _, amount in ipairs(redis.call('HMGET', tok, unpack(page))) do
      freed = freed + (tonumber(amount) or 0)
    end
    redis.call('HDEL', tok, unpack(page))
  end)
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - per)
  redis.call('DECRBY', sum, freed)
end
if rpd > 0 then
  local last = math.floor((now - DAY) / STEP) - 1
  local old = redis.call('ZRANGEBYSCORE', day, '-inf', last)
  if #old > 0 then
    local freed = 0
    each_page(old, 500, function(page)
      for _, count in ipairs(redis.call('HMGET', dayn, unpack(page))) do
        freed = freed + (tonumber(count) or 0)
      end
      redis.call('HDEL', dayn, unpack(page))
    end)
    redis.call('ZREMRANGEBYSCORE', day, '-inf', last)
    redis.call('HINCRBY', dayn, 'total', -freed)
  end
end
-- A process that stopped polling (it died, or gave up) loses its place in the queue.
local stale = redis.call('ZRANGEBYSCORE', alive, '-inf', now)
if #stale > 0 then
  each_page(stale, 500, function(page)
    redis.call('ZREM', queue, unpack(page)); redis.call('HDEL', wants, unpack(page))
  end)
  redis.call('ZREMRANGEBYSCORE', alive, '-inf', now)
end

local count = redis.call('ZCARD', log)
local total = tonumber(redis.call('GET', sum) or '0')
if want < 0 then return {0, 0, count, total} end

-- Seconds until a request of `tokens` may go (0 or less: now), leaving room for the
-- `ahead` requests of `ahead_tokens` tokens that queued before it.
local function delay(tokens, ahead, ahead_tokens)
  local wait = tonumber(redis.call('GET', pause) or '0') - now
  if rpm > 0 and count + ahead >= rpm then
    local index = count + ahead - rpm  -- the entry whose leaving makes room (0: the oldest)
    if index < count then
      local e = redis.call('ZRANGE', log, index, index, 'WITHSCORES')
      wait = math.max(wait, tonumber(e[2]) + per - now)
    else
      wait = math.max(wait, per)  -- room only once requests not yet admitted have left
    end
  end
  if tpm > 0 and (count > 0 or ahead > 0) and total + ahead_tokens + tokens > tpm then
    -- The oldest entries leave first: when has enough left? A request bigger than the
    -- whole budget goes once the window is empty.
    local excess, at, start = total + ahead_tokens + tokens - tpm, nil, 0
    while excess > 0 do
      local page = redis.call('ZRANGE', log, start, start + 199, 'WITHSCORES')
      if #page == 0 then break end
      local ids = {}
      for j = 1, #page, 2 do ids[#ids + 1] = page[j] end
      local amounts = redis.call('HMGET', tok, unpack(ids))
      for j = 1, #ids do
        excess = excess - (tonumber(amounts[j]) or 0)
        at = tonumber(page[2 * j])
        if excess <= 0 then break end
      end
      start = start + 200
    end
    if at == nil or (excess > 0 and ahead > 0) then at = now end
    wait = math.max(wait, at + per - now)
  end
  if rpd > 0 then
    local used = tonumber(redis.call('HGET', dayn, 'total') or '0')
    if used + ahead >= rpd then
      local need, until_room = used + ahead - rpd + 1, DAY
      for _, minute in ipairs(redis.call('ZRANGE', day, 0, -1)) do
        need = need - tonumber(redis.call('HGET', dayn, minute) or '0')
        if need <= 0 then
          until_room = (tonumber(minute) + 1) * STEP + DAY - now
          break
        end
      end
      wait = math.max(wait, until_room)
    end
  end
  return wait
end

local function queue_up()
  if not redis.call('ZSCORE', queue, me) then redis.call('ZADD', queue, now, me) end
  redis.call('ZADD', alive, now + ttl, me)
  redis.call('HSET', wants, me, want)
  local life = math.ceil(ttl) * 4
  redis.call('EXPIRE', queue, life); redis.call('EXPIRE', alive, life)
  redis.call('EXPIRE', wants, life)
end

-- First come, first served: the processes queued before the caller keep room for their
-- requests; the caller goes if there is room for theirs and its own, else it queues (one
-- ticket per process) and comes back when its turn may have come.
local rank = redis.call('ZRANK', queue, me)
local ahead_ids
if rank then
  ahead_ids = rank > 0 and redis.call('ZRANGE', queue, 0, rank - 1) or {}
else
  ahead_ids = redis.call('ZRANGE', queue, 0, -1)
end
local ahead_tokens = 0
if #ahead_ids > 0 then
  for _, w in ipairs(redis.call('HMGET', wants, unpack(ahead_ids))) do
    ahead_tokens = ahead_tokens + (tonumber(w) or 0)
  end
end
local wait = delay(want, #ahead_ids, ahead_tokens)
if wait > 0 then
  queue_up()
  return {0, math.ceil(wait * 1000000), count, total}
end
redis.call('ZADD', log, now, id)
redis.call('HSET', tok, id, want)
redis.call('INCRBY', sum, want)
redis.call('EXPIRE', log, keep); redis.call('EXPIRE', tok, keep); redis.call('EXPIRE', sum, keep)
if rpd > 0 then
  local minute = tostring(math.floor(now / STEP))
  redis.call('ZADD', day, tonumber(minute), minute)
  redis.call('HINCRBY', dayn, minute, 1)
  redis.call('HINCRBY', dayn, 'total', 1)
  redis.call('EXPIRE', day, DAY + 2 * STEP); redis.call('EXPIRE', dayn, DAY + 2 * STEP)
end
if rank then
  redis.call('ZREM', queue, me); redis.call('ZREM', alive, me); redis.call('HDEL', wants, me)
end
return {1, 0, count + 1, total + want}
"""

KEY_NAMES = ("log", "tok", "sum", "day", "dayn", "pause", "queue", "alive", "wants")
