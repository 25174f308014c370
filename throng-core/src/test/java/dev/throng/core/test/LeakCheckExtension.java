package dev.throng.core.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while (or before) it ran. Registered for every test
 * class by JUnit's extension auto-detection ({@code junit-platform.properties}).
 *
 * <p>Netty reports a leak only after the leaked buffer is garbage collected and a later allocation polls the
 * reference queue, so after each class this collects garbage and allocates a few buffers before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("tests must run with -Dio.netty.leakDetection.level=paranoid, not "
                    + ResourceLeakDetector.getLevel());
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 8; i++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.buffer(16);
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.buffer(16);
                a.release();
                b.release();
            }
        }
        if (!FailingLeakDetector.LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(FailingLeakDetector.LEAKS);
            FailingLeakDetector.LEAKS.clear();
            throw new AssertionError(leaks.size() + " leaked buffer(s) reported during " + context.getDisplayName()
                    + ":\n" + String.join("\n---\n", leaks));
        }
    }
}
