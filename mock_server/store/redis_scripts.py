"""The Lua scripts the Redis backend runs: each is one atomic step on the server (Redis runs a
script alone), so a write with its index entries, or a whole cascade, is applied whole or not at
all. Every key a script touches shares one session's hash tag (`entities-mock:{session}:…`), so
a session's keys sit in one cluster slot; the write script takes its keys inside its argument (a
batch's keys are only known from its rows), which a single node and one-slot batches allow.
"""

# ARGV[1]: a JSON list of operations, each
#   {"k": the row's key, "s": seq hash, "q": seq counter, "id": row id, "old": raw JSON expected
#    (false: the row must be absent), "new": raw JSON (false: delete), "rm": [index keys],
#    "add": [index keys], "ch": channel to publish the id on (optional), "v", "vf": the session's
#    meta hash and the counter of the table there the write moves (for a table replicas keep a
#    copy of: redis_row_cache.py)}
# ARGV[2], when given: a guard {"m": the session's meta hash, "f": its fields, "v": the number each
# must hold (absent: 0)}: a write from a replica's copy of the session (store/speculation.py)
# applies nothing and answers {0, -1} unless the session is as the copy has it.
# Every operation's "old" is compared first (compare-and-set: the client computed index changes
# from that row); a mismatch applies nothing and answers {0, position} so the client re-reads and
# retries. An insert takes the next number of its table's sequence: index entries are scored by
# it, so updates never reorder a list.
WRITE = """
if ARGV[2] then
  local guard = cjson.decode(ARGV[2])
  local found = redis.call('HMGET', guard.m, unpack(guard.f))
  for i, want in ipairs(guard.v) do
    if (tonumber(found[i]) or 0) ~= want then return {0, -1} end
  end
end
local ops = cjson.decode(ARGV[1])
for i, op in ipairs(ops) do
  local current = redis.call('GET', op.k)
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
    redis.call('DEL', op.k)
    redis.call('HDEL', op.s, op.id)
  else
    redis.call('SET', op.k, op.new)
    for _, key in ipairs(op.add) do redis.call('ZADD', key, seq, op.id) end
  end
  if op.ch then redis.call('PUBLISH', op.ch, op.id) end
  if op.v then redis.call('HINCRBY', op.v, op.vf, 1) end
end
return {1, 0}
"""

# KEYS[1]: an index's sorted set; ARGV: start rank, stop rank (inclusive), "desc" or "asc", the
# prefix of its table's row keys. The rows of a page in one round trip: O(log n + limit). What a
# SORT ... GET does natively (redis_backend.py), for the namespaces SORT's pattern cannot name.
RANGE = """
local ids
if ARGV[3] == 'desc' then
  ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'REV')
else
  ids = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2])
end
if #ids == 0 then return {} end
for i, id in ipairs(ids) do ids[i] = ARGV[4] .. id end
return redis.call('MGET', unpack(ids))
"""

# KEYS[1]: a session's meta hash. ARGV[1]: the replica's seeded clock reading (0: unseeded), ARGV[2]:
# ids to lease (0: none), ARGV[3..]: the counters of the tables replicas keep a copy of. Answers
# {generation, ready generation, shared version, seeded clock, end of the leased ids, {counters}}:
# what a replica refreshes its copy of a session from, in one round trip. One HMGET reads every
# field (a command a script calls costs Redis about a microsecond; each HGET was one more).
SYNC = """
local m = redis.call('HMGET', KEYS[1], 'gen', 'ready', 'version', 'clock', unpack(ARGV, 3))
local clock = tonumber(ARGV[1])
if clock > 0 then
  local shared = tonumber(m[4] or '0')
  if clock > shared then redis.call('HSET', KEYS[1], 'clock', clock) else clock = shared end
end
local leased = 0
if tonumber(ARGV[2]) > 0 then leased = redis.call('HINCRBY', KEYS[1], 'ids', ARGV[2]) end
local counters = {}
for i = 3, #ARGV do counters[i - 2] = m[i + 2] end
return {m[1], m[2], m[3], clock, leased, counters}
"""
