package io.procmaster.helper.process;

import io.procmaster.helper.HelperExit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that splits a helper's output into lines, for tests. */
final class LineCollector implements HelperProcessListener {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final CountDownLatch eof = new CountDownLatch(1);
    final CountDownLatch exited = new CountDownLatch(1);
    volatile int eofs;
    volatile int exits;
    volatile boolean eventAfterExit;
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onData(HelperProcess helper, ByteBuffer data) {
        if (exits > 0) eventAfterExit = true;
        byte[] b = new byte[data.remaining()];
        data.get(b);
        partial.append(new String(b, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            lines.add(partial.substring(0, nl));
            partial.delete(0, nl + 1);
        }
    }

    @Override
    public void onEof(HelperProcess helper) {
        if (exits > 0) eventAfterExit = true;
        eofs++;
        eof.countDown();
    }

    @Override
    public void onExit(HelperProcess helper, HelperExit exit) {
        exits++;
        exited.countDown();
    }

    String next() throws InterruptedException {
        String l = lines.poll(10, TimeUnit.SECONDS);
        if (l == null) throw new AssertionError("no line from the helper within 10 s");
        return l;
    }
}
