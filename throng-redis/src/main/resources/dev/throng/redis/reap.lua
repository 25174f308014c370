-- Removes what dead nodes contributed (NodeLease): their subscription counts, presence connections, connection
-- counts, then their lease. ARGV[1] prefix, ARGV[2] the reaping node (the origin of the member_removed it publishes),
-- ARGV[3] one node to remove now ('' for every node whose lease expired; a closing node names itself),
-- ARGV[4] at most this many nodes.
-- Returns groups of five: {'vacated', app, channel, '', ''} or {'removed', app, channel, user, data}, and
-- {'node', id, '', '', ''} for each node removed.
local prefix, self, target = ARGV[1], ARGV[2], ARGV[3]
local dead
if target ~= '' then
  dead = {target}
else
  dead = redis.call('ZRANGEBYSCORE', prefix .. ':nodes', '-inf', now_ms(), 'LIMIT', 0, tonumber(ARGV[4]))
end
local out = {}
local function emit(a, b, c, d, e)
  out[#out + 1] = a
  out[#out + 1] = b
  out[#out + 1] = c
  out[#out + 1] = d
  out[#out + 1] = e
end
local apps = redis.call('SMEMBERS', prefix .. ':apps')
for _, node in ipairs(dead) do
  if node ~= self or target ~= '' then
    for _, app in ipairs(apps) do
      local subs = key(prefix, app, 'node', node, 'subs')
      local counts = redis.call('HGETALL', subs)
      for i = 1, #counts, 2 do
        if set_count(prefix, app, node, counts[i], 0, false) == 0 then
          emit('vacated', app, counts[i], '', '')
        end
      end
      redis.call('DEL', subs)
      local presence = key(prefix, app, 'node', node, 'presence')
      local fields = redis.call('HKEYS', presence)
      for _, field in ipairs(fields) do
        local sp = string.find(field, ' ', 1, true)
        local channel, user = string.sub(field, 1, sp - 1), string.sub(field, sp + 1)
        local kind, data = set_presence(prefix, app, node, channel, user, 0, '', '', self, false)
        if kind == 'removed' then
          emit('removed', app, channel, user, data)
        end
      end
      redis.call('DEL', presence)
      redis.call('HDEL', key(prefix, app, 'conns'), node)
    end
    redis.call('ZREM', prefix .. ':nodes', node)
    emit('node', node, '', '', '')
  end
end
return out
