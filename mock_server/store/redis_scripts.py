"""The Lua scripts the Redis backend runs: each is one atomic step on the server (Redis runs a
script alone), so a write with its index entries, or a whole cascade, is applied whole or not at
all. Every key a script touches shares one session's hash tag (`entities-mock:{session}:…`), so
a session's keys sit in one cluster slot; the write script takes its keys inside its argument (a
batch's keys are only known from its rows), which a single node and one-slot batches allow.
"""

# ARGV[1]: a JSON list of operations, each
#   {"h": rows hash, "s": seq hash, "q": seq counter, "id": row id, "old": raw JSON expected
#    (false: the row must be absent), "new": raw JSON (false: delete), "rm": [index keys],
#    "add": [index keys], "ch": channel to publish the id on (optional), "v", "vf": the session's
#    meta hash and the counter of the table there the write moves (for a table replicas keep a
#    copy of: redis_row_cache.py)}
# Every operation's "old" is compared first (compare-and-set: the client computed index changes
# from that row); a mismatch applies nothing and answers {0, position} so the client re-reads and
# retries. An insert takes the next number of its table's sequence: index entries are scored by
# it, so updates never reorder a list.
WRITE = """
local ops = cjson.decode(ARGV[1])
for i, op in ipairs(ops) do
  local current = redis.call('HGET', op.h, op.id)
  if op.old == false then
    if current then return {0, i} end
  elseif current ~= op.old then
    return {0, i}
  end
end
for _, op in ipairs(ops) do
  local seq
  if op.old == false then
    seq = redis.call('INCR', op.q)
    redis.call('HSET', op.s, op.id, seq)
  else
    seq = redis.call('HGET', op.s, op.id)
  end
  for _, key in ipairs(op.rm) do redis.call('ZREM', key, op.id) end
  if op.new == false then
    redis.call('HDEL', op.h, op.id)
    redis.call('HDEL', op.s, op.id)
  else
    redis.call('HSET', op.h, op.id, op.new)
    for _, key in ipairs(op.add) do redis.call('ZADD', key, seq, op.id) end
  end
  if op.ch then redis.call('PUBLISH', op.ch, op.id) end
  if op.v then redis.call('HINCRBY', op.v, op.vf, 1) end
end
return {1, 0}
"""

# KEYS[1]: an index's sorted set, KEYS[2]: the rows hash; ARGV: start rank, stop rank (inclusive),
# "desc" or "asc". The rows of a page in one round trip: O(log n + limit).
RANGE = """
local ids
if ARGV[3] == 'desc' then
  ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'REV')
else
  ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
end
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(ids))
"""

# KEYS[1]: a session's meta hash. ARGV[1]: the replica's seeded clock reading (0: unseeded), ARGV[2]:
# ids to lease (0: none), ARGV[3..]: the counters of the tables replicas keep a copy of. Answers
# {generation, ready generation, shared version, seeded clock, end of the leased ids, {counters}}:
# what a replica refreshes its copy of a session from, in one round trip.
SYNC = """
local clock = tonumber(ARGV[1])
if clock > 0 then
  local shared = tonumber(redis.call('HGET', KEYS[1], 'clock') or '0')
  if clock > shared then redis.call('HSET', KEYS[1], 'clock', clock) else clock = shared end
end
local leased = 0
if tonumber(ARGV[2]) > 0 then leased = redis.call('HINCRBY', KEYS[1], 'ids', ARGV[2]) end
local m = redis.call('HMGET', KEYS[1], 'gen', 'ready', 'version')
local counters = {}
for i = 3, #ARGV do counters[i - 2] = redis.call('HGET', KEYS[1], ARGV[i]) or false end
return {m[1] or false, m[2] or false, m[3] or false, clock, leased, counters}
"""

# KEYS[1]: the journal list, KEYS[2]: its sequence, KEYS[3]: its dropped counter; ARGV[1]: entries
# kept; ARGV[2..]: entries as JSON, each starting with `{"seq":0`, in the order answered. Each takes
# the next number; the newest entry goes first. Answers the last number given.
JOURNAL_RECORD = """
local keep = tonumber(ARGV[1])
local seq = 0
for i = 2, #ARGV do
  seq = redis.call('INCR', KEYS[2])
  local size = redis.call('LPUSH', KEYS[1], '{"seq":' .. seq .. string.sub(ARGV[i], 9))
  if size > keep then
    redis.call('RPOP', KEYS[1])
    redis.call('INCR', KEYS[3])
  end
end
return seq
"""
