-- A node's presence connections (PresenceBook). ARGV[1] prefix, ARGV[2] app, ARGV[3] node (also the origin of the
-- announcements), ARGV[4] mode, ARGV[5] the socket id member_added excludes ('' for none), ARGV[6] most members
-- (join), then channel, user, count, record groups.
--   join:    one group; refused (nothing changed) when the user is not a member yet and the channel is full.
--            Returns {'FULL'} or {'FIRST'|'AGAIN', user, record, user, record, ...} (the members after the join).
--   set:     the groups as given. Returns {kind, channel, user, data, ...} for each member added or removed.
--   replace: as set, and the node's entries not listed are set to 0 (a rebuild).
--   quiet:   replace without announcing members put back (a rebuild after Redis lost its data).
local prefix, app, node, mode, excluded = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local quiet = mode == 'quiet'
if mode == 'join' then
  local channel, user, count, record = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10]
  local members = key(prefix, app, 'members', channel)
  local present = tonumber(redis.call('HGET', key(prefix, app, 'users', channel), user) or '0') > 0
  if not present and redis.call('HLEN', members) >= tonumber(ARGV[6]) then
    return {'FULL'}
  end
  local kind = set_presence(prefix, app, node, channel, user, count, record, excluded, node, false)
  local out = {'AGAIN'}
  if kind == 'added' then
    out[1] = 'FIRST'
  end
  local all = redis.call('HGETALL', members)
  for i = 1, #all do
    out[#out + 1] = all[i]
  end
  redis.call('SADD', prefix .. ':apps', app)
  return out
end
local out = {}
local listed = {}
for i = 7, #ARGV, 4 do
  local channel, user = ARGV[i], ARGV[i + 1]
  listed[channel .. ' ' .. user] = true
  local kind, data = set_presence(prefix, app, node, channel, user, tonumber(ARGV[i + 2]), ARGV[i + 3], excluded, node,
    quiet)
  if kind then
    out[#out + 1] = kind
    out[#out + 1] = channel
    out[#out + 1] = user
    out[#out + 1] = data
  end
end
if mode == 'replace' or quiet then
  for _, field in ipairs(redis.call('HKEYS', key(prefix, app, 'node', node, 'presence'))) do
    if not listed[field] then
      local sp = string.find(field, ' ', 1, true)
      local channel, user = string.sub(field, 1, sp - 1), string.sub(field, sp + 1)
      local kind, data = set_presence(prefix, app, node, channel, user, 0, '', '', node, false)
      if kind then
        out[#out + 1] = kind
        out[#out + 1] = channel
        out[#out + 1] = user
        out[#out + 1] = data
      end
    end
  end
end
redis.call('SADD', prefix .. ':apps', app)
return out
