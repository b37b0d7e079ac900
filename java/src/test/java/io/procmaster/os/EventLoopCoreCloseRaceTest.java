package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The native loop handle after {@link EventLoopCore#close()}, from other threads: wake-ups are
 * no-ops, registration fails saying the loop is closed, a poll asleep during the close returns,
 * and nothing reaches a loop created afterwards (which may get the old one's descriptor numbers).
 * The C suite's test_loop_race runs the same race under ASan.
 */
class EventLoopCoreCloseRaceTest {
    private static final int ROUNDS = 200;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(4);

    /** Records nothing; counts what it is told. */
    private static final class Counting implements EventSink {
        final AtomicInteger records = new AtomicInteger();

        @Override
        public void onWaitOver(int n) {
            records.addAndGet(n);
        }
    }

    @Test
    void callsFromOtherThreadsRacingCloseGetNormalResultsOrClosed() throws Exception {
        long start = System.nanoTime();
        int rounds = 0;
        long calls = 0;
        for (; rounds < ROUNDS && (rounds < 20 || System.nanoTime() - start < BUDGET_NANOS); rounds++) {
            EventLoopCore core = new EventLoopCore("race-" + rounds, 16);
            AtomicBoolean closeReturned = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong count = new AtomicLong();
            List<FdPair> pipes = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(3);
            for (int i = 0; i < 2; i++) {
                FdPair p = Channels.open(Channels.Kind.PIPE_NONBLOCKING);
                pipes.add(p);
                int fd = p.master().intValue();
                threads.add(new Thread(() -> {
                    ready.countDown();
                    int after = 0;
                    while (after < 20) {
                        boolean closed = closeReturned.get();
                        core.wakeup(); // never throws
                        try {
                            core.register(fd, EventLoopCore.Kind.FD, 1, Native.EPOLLIN);
                            core.deregister(fd);
                            if (closed) {
                                failure.compareAndSet(null, new AssertionError("register after close succeeded"));
                            }
                        } catch (NativeIoException e) {
                            if (!e.getMessage().contains("is closed")) {
                                failure.compareAndSet(null, e);
                            }
                        }
                        count.incrementAndGet();
                        after += closed ? 1 : 0;
                    }
                }));
            }
            AtomicInteger pollResult = new AtomicInteger(Integer.MIN_VALUE);
            threads.add(new Thread(() -> { // sleeps in poll with no timeout: the close must end it
                ready.countDown();
                try {
                    while (!closeReturned.get()) {
                        pollResult.set(core.poll(-1, new Counting()));
                    }
                } catch (NativeIoException e) {
                    if (!e.getMessage().contains("is closed")) {
                        failure.compareAndSet(null, e);
                    }
                }
            }));
            threads.forEach(Thread::start);
            ready.await();
            while (count.get() < (rounds * 13L) % 400) {
                Thread.onSpinWait();
            }
            core.close();
            closeReturned.set(true);
            core.wakeup(); // only for the poll thread's last look at closeReturned; a no-op now
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(t.isAlive()).as("round %d: a thread is stuck (a poll not woken by close?)", rounds).isFalse();
            }
            assertThat(failure.get()).as("round %d", rounds).isNull();
            pipes.forEach(FdPair::close);
            calls += count.get();
        }
        System.out.printf("core close race: %d rounds, %d calls%n", rounds, calls);
    }

    @Test
    void aClosedLoopReachesNothingOfTheNextOne() throws Exception {
        try (FdPair pipe = Channels.open(Channels.Kind.PIPE_NONBLOCKING)) {
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            one.put((byte) 1).flip();
            pipe.child().write(one); // readable: registered anywhere, it would show
            EventLoopCore old = new EventLoopCore("old", 16);
            old.close();
            old.close(); // twice: a no-op
            try (EventLoopCore next = new EventLoopCore("next", 16)) {
                int fd = pipe.master().intValue();
                assertThatThrownBy(() -> old.register(fd, EventLoopCore.Kind.FD, 7, Native.EPOLLIN))
                        .isInstanceOf(NativeIoException.class).hasMessageContaining("loop old is closed");
                old.wakeup();
                assertThat(old.deregister(fd)).isFalse();
                assertThatThrownBy(() -> old.poll(0, new Counting())).hasMessageContaining("loop old is closed");
                Counting seen = new Counting();
                assertThat(next.poll(0, seen)).as("records the old handle sent to the new loop").isZero();
            }
        }
    }
}
