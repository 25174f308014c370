package dev.throng.bench.client;

import java.util.Arrays;

/**
 * The connections of one event loop, for its sweep: an array with O(1) add and swap-remove, each connection knowing
 * its own slot. Costs one array reference per connection. Event-loop thread only.
 *
 * <p>Removing the element at index {@code i} moves the last element into {@code i}, so a loop that may remove the
 * current element iterates from the end (see {@link LoopDriver#sweep}).
 */
final class ConnectionSet {

    private BenchConnection[] items = new BenchConnection[256];
    private int size;

    void add(BenchConnection c) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        c.slot = size;
        items[size++] = c;
    }

    void remove(BenchConnection c) {
        int i = c.slot;
        if (i < 0) {
            return;
        }
        BenchConnection last = items[--size];
        items[i] = last;
        last.slot = i;
        items[size] = null;
        c.slot = -1;
    }

    BenchConnection get(int i) {
        return items[i];
    }

    int size() {
        return size;
    }
}
