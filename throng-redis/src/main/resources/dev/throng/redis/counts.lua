-- A node's subscription counts of one app's channels (ChannelCounts): absolute values, so a repeat changes nothing.
-- ARGV[1] prefix, ARGV[2] app, ARGV[3] node, ARGV[4] '1' to replace (a channel of the node's not listed is set to 0:
-- a rebuild), 'q' to replace quietly (a rebuild after Redis lost its data: no transitions), then channel, count pairs.
-- Returns the channels that became occupied (1) or vacant (0) over the cluster: {channel, 1|0, ...}.
local prefix, app, node = ARGV[1], ARGV[2], ARGV[3]
local quiet = ARGV[4] == 'q'
local out = {}
local listed = {}
for i = 5, #ARGV, 2 do
  listed[ARGV[i]] = true
  local change = set_count(prefix, app, node, ARGV[i], tonumber(ARGV[i + 1]), quiet)
  if change then
    out[#out + 1] = ARGV[i]
    out[#out + 1] = change
  end
end
if ARGV[4] ~= '0' then
  for _, channel in ipairs(redis.call('HKEYS', key(prefix, app, 'node', node, 'subs'))) do
    if not listed[channel] then
      local change = set_count(prefix, app, node, channel, 0, quiet)
      if change then
        out[#out + 1] = channel
        out[#out + 1] = change
      end
    end
  end
end
redis.call('SADD', prefix .. ':apps', app)
return out
