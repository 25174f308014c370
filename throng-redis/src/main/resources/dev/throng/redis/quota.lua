-- A node's connection counts (ConnectionQuota). ARGV[1] prefix, ARGV[2] node, then app, count pairs.
-- Returns for each app, in order, the other nodes' connections (as they last reported them).
local prefix, node = ARGV[1], ARGV[2]
local out = {}
for i = 3, #ARGV, 2 do
  local conns = key(prefix, ARGV[i], 'conns')
  if tonumber(ARGV[i + 1]) > 0 then
    redis.call('HSET', conns, node, ARGV[i + 1])
  else
    redis.call('HDEL', conns, node)
  end
  local others = 0
  local all = redis.call('HGETALL', conns)
  for j = 1, #all, 2 do
    if all[j] ~= node then
      others = others + tonumber(all[j + 1])
    end
  end
  out[#out + 1] = others
  redis.call('SADD', prefix .. ':apps', ARGV[i])
end
return out
