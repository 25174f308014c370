-- What the REST API asks (RedisBroker). ARGV[1] prefix, ARGV[2] app, ARGV[3] mode, ARGV[4] channel or prefix.
--   channel:  {subscription count, users (presence channels; else 0)}
--   channels: {channel, subscription count, users, ...} of the occupied channels whose names start with ARGV[4]
--   cached:   {entry, milliseconds left} or {} when the cache channel has none
local prefix, app, mode, name = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function users(channel)
  if string.sub(channel, 1, 9) == 'presence-' then
    return redis.call('HLEN', key(prefix, app, 'members', channel))
  end
  return 0
end
if mode == 'channel' then
  return {tonumber(redis.call('HGET', key(prefix, app, 'subs'), name) or '0'), users(name)}
end
if mode == 'channels' then
  local out = {}
  local all = redis.call('HGETALL', key(prefix, app, 'subs'))
  for i = 1, #all, 2 do
    local channel, count = all[i], tonumber(all[i + 1])
    if count > 0 and string.sub(channel, 1, #name) == name then
      out[#out + 1] = channel
      out[#out + 1] = count
      out[#out + 1] = users(channel)
    end
  end
  return out
end
if mode == 'cached' then
  local k = key(prefix, app, 'cache', name)
  local entry = redis.call('GET', k)
  if not entry then
    return {}
  end
  return {entry, redis.call('PTTL', k)}
end
return redis.error_reply('unknown query ' .. mode)
