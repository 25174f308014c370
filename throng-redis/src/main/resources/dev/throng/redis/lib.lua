-- Shared by every script of Throng's Redis broker (prepended to each; docs/cluster.md lists the keys).
-- Keys of an app: PREFIX:{app}:... (the app id in braces); global ones: PREFIX:nodes, PREFIX:apps.
-- Scripts name an app's keys from the prefix and app id they are given: Throng runs on one Redis, not Redis Cluster.

local function key(prefix, app, ...)
  return prefix .. ':{' .. app .. '}:' .. table.concat({...}, ':')
end

-- A publication as the nodes exchange it (dev.throng.redis.Envelope): origin|excludedLength|userLength|eventLength|
-- then the excluded socket id, the user id, the event name and the data. -1: absent. The header fields this side
-- writes are ASCII, so byte and character lengths agree.
local function envelope(origin, excluded, event, data)
  local ex = '-1'
  if excluded ~= '' then ex = tostring(#excluded) end
  return origin .. '|' .. ex .. '|-1|' .. #event .. '|' .. excluded .. event .. data
end

-- A member's record: its user id as JSON, then a newline and its user_info JSON if it has one.
local function split_record(record)
  local nl = string.find(record, '\n', 1, true)
  if nl then
    return string.sub(record, 1, nl - 1), string.sub(record, nl + 1)
  end
  return record, nil
end

local function added_data(record)
  local id, info = split_record(record)
  if info then
    return '{"user_id":' .. id .. ',"user_info":' .. info .. '}'
  end
  return '{"user_id":' .. id .. '}'
end

local function removed_data(record)
  local id = split_record(record)
  return '{"user_id":' .. id .. '}'
end

-- Sets how many connections `node` has of `user` in presence `channel` (0: none), keeping the cluster's per-user sum
-- and member list. When the user becomes a member of the cluster or stops being one, publishes member_added (to all but
-- `excluded`) or member_removed from `origin` and returns 'added' or 'removed' with the event's data; else nil.
-- `quiet`: a rebuild after Redis lost its data: the member is put back without a word (everyone knew it already).
local function set_presence(prefix, app, node, channel, user, new, record, excluded, origin, quiet)
  local mine = key(prefix, app, 'node', node, 'presence')
  local field = channel .. ' ' .. user
  local old = tonumber(redis.call('HGET', mine, field) or '0')
  if new == old then
    return nil
  end
  if new > 0 then
    redis.call('HSET', mine, field, new)
  else
    redis.call('HDEL', mine, field)
  end
  local users, members = key(prefix, app, 'users', channel), key(prefix, app, 'members', channel)
  local before = tonumber(redis.call('HGET', users, user) or '0')
  local after = before + new - old
  if after > 0 then
    redis.call('HSET', users, user, after)
    if before <= 0 then
      redis.call('HSET', members, user, record)
      if quiet then
        return nil
      end
      local data = added_data(record)
      redis.call('PUBLISH', key(prefix, app, 'ch', channel),
        envelope(origin, excluded, 'pusher_internal:member_added', data))
      return 'added', data
    end
  else
    redis.call('HDEL', users, user)
    if before > 0 then
      local kept = redis.call('HGET', members, user)
      if kept then
        record = kept
      elseif record == '' then
        record = cjson.encode(user) -- the member list lost it (never expected): the id as a JSON string
      end
      redis.call('HDEL', members, user)
      local data = removed_data(record)
      redis.call('PUBLISH', key(prefix, app, 'ch', channel),
        envelope(origin, '', 'pusher_internal:member_removed', data))
      return 'removed', data
    end
  end
  return nil
end

-- Sets how many subscribers `node` has of `channel` (0: none), keeping the cluster's sum. Returns 1 when the channel
-- became occupied over the cluster, 0 when it became vacant, nil otherwise (always nil when `quiet`: a rebuild after
-- Redis lost its data, which puts back what was there).
local function set_count(prefix, app, node, channel, new, quiet)
  local mine = key(prefix, app, 'node', node, 'subs')
  local old = tonumber(redis.call('HGET', mine, channel) or '0')
  if new == old then
    return nil
  end
  if new > 0 then
    redis.call('HSET', mine, channel, new)
  else
    redis.call('HDEL', mine, channel)
  end
  local cluster = key(prefix, app, 'subs')
  local before = tonumber(redis.call('HGET', cluster, channel) or '0')
  local after = before + new - old
  if after > 0 then
    redis.call('HSET', cluster, channel, after)
  else
    redis.call('HDEL', cluster, channel)
  end
  if quiet then
    return nil
  end
  if before <= 0 and after > 0 then
    return 1
  end
  if before > 0 and after <= 0 then
    return 0
  end
  return nil
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
