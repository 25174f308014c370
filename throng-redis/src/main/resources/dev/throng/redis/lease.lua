-- Refreshes a node's lease (NodeLease). ARGV[1] prefix, ARGV[2] node, ARGV[3] lease in ms.
-- Returns 1 when the node had no lease (first start, or it was reaped while away: its state must be rebuilt), else 0.
return redis.call('ZADD', ARGV[1] .. ':nodes', now_ms() + tonumber(ARGV[3]), ARGV[2])
