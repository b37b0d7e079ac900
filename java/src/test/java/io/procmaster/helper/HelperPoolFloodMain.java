package io.procmaster.helper;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A child JVM for {@link HelperPoolFloodHeapTest}: {@code count} quick submits against a pool of real
 * helpers with {@code queueLimit(10)}, then a bounded wait for every future.
 *
 * <p>Usage: {@code HelperPoolFloodMain <helper program> <count> <wait seconds>}. Prints one line
 * {@code flood: submitted=N completed=N ok=N overloaded=N other=N peakHeapUsed=BYTES peakHeapPools=BYTES}
 * and exits 0 when every future completed, 1 when some did not within the wait. peakHeapUsed is the
 * heap in use sampled every millisecond (garbage not yet collected included); peakHeapPools is the sum
 * of the heap pools' own peak usage (an upper bound: the pools may peak at different times).
 * The futures are not kept: only their callbacks count them, so what the heap holds is the pool's.
 */
public final class HelperPoolFloodMain {
    private HelperPoolFloodMain() {
    }

    public static void main(String[] args) throws Exception {
        String helper = args[0];
        int count = Integer.parseInt(args[1]);
        long waitSeconds = Long.parseLong(args[2]);
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        AtomicLong peakUsed = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long used = 0;
                for (MemoryPoolMXBean p : heapPools) used += p.getUsage().getUsed();
                peakUsed.accumulateAndGet(used, Math::max);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        HelperPoolConfig config = HelperPoolConfig.builder("flood").children(4).startup(4).queueLimit(10)
                .requestTimeout(Duration.ofSeconds(60)).build();
        LongAdder ok = new LongAdder(), overloaded = new LongAdder(), other = new LongAdder();
        LongAdder completed = new LongAdder();
        long submitted = 0;
        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config, HelperSpec.builder("flood", helper).build())) {
            HelperPool pool = running.pool();
            pool.submit("warm").get(20, TimeUnit.SECONDS);
            for (int i = 0; i < count; i++) {
                pool.submit("r").whenComplete((reply, error) -> {
                    if (error == null) ok.increment();
                    else if (error instanceof HelperException.Overload) overloaded.increment();
                    else other.increment();
                    completed.increment();
                });
                submitted++;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (completed.sum() < submitted && System.nanoTime() < deadline) Thread.sleep(10);
        }
        sampler.interrupt();
        sampler.join();
        long poolPeaks = 0;
        for (MemoryPoolMXBean p : heapPools) poolPeaks += p.getPeakUsage().getUsed();
        System.out.printf("flood: submitted=%d completed=%d ok=%d overloaded=%d other=%d peakHeapUsed=%d peakHeapPools=%d%n",
                submitted, completed.sum(), ok.sum(), overloaded.sum(), other.sum(), peakUsed.get(), poolPeaks);
        System.out.flush();
        System.exit(completed.sum() == submitted ? 0 : 1);
    }
}
