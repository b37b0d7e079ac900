package io.procmaster.bench;

import io.procmaster.os.Channels;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.EventSink;
import io.procmaster.os.FdPair;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 1, the JNI crossing: an empty round trip ({@link Native#nop}) and the event-batch pull
 * ({@link EventLoopCore#poll} with timeout 0) with 0, 1 and 64 events waiting.
 *
 * <p>{@code pollReady}: N stream socketpairs, each with one unread byte, registered as plain
 * descriptors; level-triggered epoll reports all N on every call and nothing is consumed, so
 * each call pulls exactly N READY records through the boundary and decodes them into the sink.
 * {@code statusWriteAndPull}: N 12-byte status records written into a STATUS channel from Java
 * (one write call each) and pulled in one poll: the cost of the status path per batch,
 * including the writes (which the real master does not pay).
 *
 * <p>Nanosecond operations, so AverageTime (the median of a 30 ns call is below the timer's
 * resolution; JMH's average over millions of calls is the meaningful number).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"-Xms64m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JniCrossing {

    /** Counts records so that the decoding is not dead code. */
    static final class CountingSink implements EventSink {
        long records;

        @Override
        public void onReady(int fd, int tag, int events) {
            records += events;
        }

        @Override
        public void onStatus(int fd, int tag, int pid, int generation, int status, int senderPid, int flags,
                             int length) {
            records += status + length;
        }
    }

    @State(Scope.Thread)
    public static class ReadyState {
        @Param({"0", "1", "64"})
        public int ready;

        EventLoopCore loop;
        final List<FdPair> pairs = new ArrayList<>();
        final CountingSink sink = new CountingSink();

        @Setup(Level.Trial)
        public void setup() throws NativeIoException {
            loop = new EventLoopCore(256);
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            for (int i = 0; i < ready; i++) {
                FdPair p = Channels.open(Channels.Kind.STREAM);
                pairs.add(p);
                one.clear();
                one.put((byte) 'x').flip();
                if (p.child().write(one) != 1) {
                    throw new IllegalStateException("could not write the readiness byte");
                }
                loop.register(p.master().intValue(), EventLoopCore.Kind.FD, i, Native.EPOLLIN);
            }
            int n = loop.poll(0, sink);
            if (n != ready) {
                throw new IllegalStateException("poll saw " + n + " records, expected " + ready);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (FdPair p : pairs) {
                p.master().close(loop);
                p.child().close();
            }
            loop.close();
        }
    }

    @State(Scope.Thread)
    public static class StatusState {
        @Param({"1", "64"})
        public int records;

        StatusChannelLoop status;
        ByteBuffer record;
        final CountingSink sink = new CountingSink();

        @Setup(Level.Trial)
        public void setup() throws NativeIoException {
            status = new StatusChannelLoop(256);
            record = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            record.putInt(0, (int) ProcessHandle.current().pid()).putInt(4, 1).putInt(8, 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            status.close();
        }
    }

    @Benchmark
    public int nop() {
        return Native.nop(42);
    }

    @Benchmark
    public long pollReady(ReadyState s) throws NativeIoException {
        s.loop.poll(0, s.sink);
        return s.sink.records;
    }

    @Benchmark
    public long statusWriteAndPull(StatusState s) throws NativeIoException {
        for (int i = 0; i < s.records; i++) {
            s.record.clear();
            if (s.status.channel.child().write(s.record) != 12) {
                throw new IllegalStateException("status channel full");
            }
        }
        int got = s.status.loop.poll(0, s.sink);
        if (got != s.records) {
            throw new IllegalStateException("pulled " + got + " records, wrote " + s.records);
        }
        return s.sink.records;
    }
}
