package dev.throng.core.codec;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * Heap buffers that count themselves: how many were allocated, how many are not yet released, the largest capacity
 * any of them was given (initially or by growing), and how often one was resized (a copy of what it held). Single-threaded, like an event loop's allocations.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    public int largestCapacity;
    public int allocated;
    public int live;
    public int resized;

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        note(initialCapacity);
        allocated++;
        live++;
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
            @Override
            public ByteBuf capacity(int newCapacity) {
                note(newCapacity);
                resized++;
                return super.capacity(newCapacity);
            }

            @Override
            protected void deallocate() {
                live--;
                super.deallocate();
            }
        };
    }

    private void note(int capacity) {
        largestCapacity = Math.max(largestCapacity, capacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
