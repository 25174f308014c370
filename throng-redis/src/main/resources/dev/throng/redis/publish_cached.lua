-- A cache channel's event (RedisBroker.publishCached): kept as the channel's last for its TTL, then published, at
-- once, so that a subscriber's lookup sees it either in the cache or on the channel, never both and never neither.
-- ARGV[1] prefix, ARGV[2] app, ARGV[3] channel, ARGV[4] the envelope, ARGV[5] the cache entry, ARGV[6] TTL in ms.
redis.call('SET', key(ARGV[1], ARGV[2], 'cache', ARGV[3]), ARGV[5], 'PX', ARGV[6])
return redis.call('PUBLISH', key(ARGV[1], ARGV[2], 'ch', ARGV[3]), ARGV[4])
