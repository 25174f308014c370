-- After a rebuild that could not see them (Redis had lost its data: GoneWhileAway), what left this node while Redis
-- was away and is not there now in the whole cluster: announced once, whichever node asks first (a marker kept for a
-- minute). ARGV[1] prefix, ARGV[2] app, ARGV[3] origin node, then kind, channel, user, record groups:
--   member: member_removed published if the user is not a member of the channel; returns {'removed', channel, user, data}
--   channel: returns {'vacated', channel, '', ''} if nobody subscribes to the channel
local prefix, app, origin = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV, 4 do
  local kind, channel, user, record = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if kind == 'member' then
    if redis.call('HEXISTS', key(prefix, app, 'users', channel), user) == 0
      and redis.call('SET', key(prefix, app, 'gone', channel, user), '1', 'NX', 'PX', 60000) then
      local data = removed_data(record)
      redis.call('PUBLISH', key(prefix, app, 'ch', channel),
        envelope(origin, '', 'pusher_internal:member_removed', data))
      out[#out + 1] = 'removed'
      out[#out + 1] = channel
      out[#out + 1] = user
      out[#out + 1] = data
    end
  elseif redis.call('HEXISTS', key(prefix, app, 'subs'), channel) == 0
    and redis.call('SET', key(prefix, app, 'gone', channel), '1', 'NX', 'PX', 60000) then
    out[#out + 1] = 'vacated'
    out[#out + 1] = channel
    out[#out + 1] = ''
    out[#out + 1] = ''
  end
end
return out
