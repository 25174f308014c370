package dev.throng.bench.protocol;

import dev.throng.bench.plan.PayloadType;
import dev.throng.bench.plan.Scenario;
import dev.throng.bench.plan.TargetUrl;
import java.util.List;

/**
 * Everything one worker process needs, sent by the coordinator as the first JSON line on the worker's stdin.
 *
 * @param worker this worker's number, from 0
 * @param connections how many connections this worker opens
 * @param firstIndex the run-wide index of this worker's first connection; connection {@code i} goes to
 *     {@code targets[i % targets.size()]}, so URLs are used evenly across workers
 * @param targets the URLs, in {@code --url} order
 * @param sources this worker's (address, port range) slices
 * @param connectRate connections per second this worker opens
 * @param warmupMillis how long this worker's rate takes to climb linearly from 0 to {@code connectRate}
 * @param closeRate connections per second this worker closes
 * @param scenario what each connection does
 * @param intervalMillis echo scenario: time between two messages of one connection
 * @param messageSize echo scenario: payload bytes of each message
 * @param payload echo scenario: text or binary frames
 * @param clientPingMillis idle scenario: time between two client pings of one connection; 0 is off
 * @param connectTimeoutMillis budget for TCP connect plus opening handshake
 * @param closeTimeoutMillis how long to wait for the server's close after sending ours
 * @param ioThreads event loop threads
 * @param transport {@code auto}, {@code epoll} or {@code nio}
 * @param subscribe subscribe scenario: channels and events; null otherwise
 */
public record WorkerSpec(
        int worker,
        int connections,
        long firstIndex,
        List<TargetUrl> targets,
        List<SourceSlice> sources,
        double connectRate,
        long warmupMillis,
        double closeRate,
        Scenario scenario,
        long intervalMillis,
        int messageSize,
        PayloadType payload,
        long clientPingMillis,
        long connectTimeoutMillis,
        long closeTimeoutMillis,
        int ioThreads,
        String transport,
        SubscribeSpec subscribe) {}
