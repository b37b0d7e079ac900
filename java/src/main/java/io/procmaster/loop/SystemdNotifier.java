package io.procmaster.loop;

import io.procmaster.log.Logs;
import io.procmaster.os.Errno;
import io.procmaster.os.NativeIoException;
import io.procmaster.status.ReloadResult;
import io.procmaster.status.ReloadSummary;
import io.procmaster.time.Durations;
import io.procmaster.time.TimerQueue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import org.slf4j.Logger;

/**
 * SystemdNotifier - the master's side of systemd's notify protocol (sd_notify): {@code READY=1}
 * with {@code MAINPID} once every listener is bound, {@code RELOADING=1} with
 * {@code MONOTONIC_USEC} then {@code READY=1} around a reload (applied or refused),
 * {@code STOPPING=1} (no READY or RELOADING before the first READY or after STOPPING), a one-line {@code STATUS=},
 * and {@code WATCHDOG=1} every half
 * {@code WATCHDOG_USEC} from a timer of the loop's own queue, so a stuck loop stops the pings and
 * systemd restarts the master (docs/systemd.md, "Readiness and the notify protocol").
 *
 * <p>Interface: {@link #open} reads the environment ({@link NotifyEnvironment}) and, when
 * NOTIFY_SOCKET is usable, opens the loop's datagram socket; then {@link #ready()},
 * {@link #reloading()}, {@link #aroundReload} (or {@link #reloaded}, {@link #reloadRefused}),
 * {@link #stopping()};
 * {@link #close()}. Each message is one datagram of {@code NAME=value} lines. When notify is off
 * every call does nothing. {@link #failedSends()} counts datagrams the socket did not take.
 *
 * <p>Failure modes: bad variables are logged once at open, naming variable and value, and that
 * part is off (the master runs). A send never blocks (MSG_DONTWAIT, pm_dgram_send); a failed one
 * is counted and logged, the first at once and then at most one line a minute with the number
 * since; never fatal. If no socket can be made, that is logged and notify is off. Not
 * thread-safe: the loop thread owns it (the watchdog must come from there).
 */
final class SystemdNotifier implements AutoCloseable {
    private static final Logger log = Logs.logger(SystemdNotifier.class);
    static final String WATCHDOG_TIMER = "systemd watchdog";
    /** STATUS= is for a person reading {@code systemctl status}: one short line. */
    static final int MAX_STATUS_CHARS = 400;
    private static final long FAILURE_LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    /** Where datagrams go: the real socket, or a test's recorder. Returns 0 or the errno. */
    interface Sender extends AutoCloseable {
        int send(byte[] datagram);

        @Override
        void close();
    }

    private final Sender sender; // null: notify is off
    private final String socket;
    private final long pid;
    private final long watchdogIntervalNanos;
    private final TimerQueue timers;
    private final IntSupplier services;
    private final IntSupplier processes;
    private TimerQueue.Timer watchdog;
    private boolean reloadOpen;
    private boolean stopped; // STOPPING=1 sent: no READY or RELOADING after it
    private boolean announced; // the first READY=1 sent: until then a reload tells systemd nothing
    private long failedSends;
    private long failuresNotLogged;
    private long failureLines;
    private long lastFailureLogNanos;

    /**
     * @param services  how many services the master has now, for STATUS= (read on the loop thread)
     * @param processes how many children it has now
     */
    SystemdNotifier(NotifyEnvironment env, Sender sender, long pid, TimerQueue timers, IntSupplier services,
                    IntSupplier processes) {
        this.sender = env.notifying() ? sender : null;
        this.socket = env.socket();
        this.pid = pid;
        this.watchdogIntervalNanos = env.watchdogIntervalNanos();
        this.timers = timers;
        this.services = services;
        this.processes = processes;
    }

    /** The notifier the master's environment asks for (off when NOTIFY_SOCKET is absent or bad). */
    static SystemdNotifier open(Map<String, String> environment, long pid, TimerQueue timers, IntSupplier services,
                                IntSupplier processes) {
        NotifyEnvironment env = NotifyEnvironment.of(environment, pid);
        env.errors().forEach(log::error);
        env.notes().forEach(log::info);
        Sender sender = null;
        if (env.notifying()) {
            try {
                sender = datagramSender(env.socket());
            } catch (NativeIoException e) {
                log.error("NOTIFY_SOCKET={}: cannot make a datagram socket ({}); running without systemd notify",
                        env.socket(), e.getMessage());
                env = new NotifyEnvironment(null, 0, env.errors(), env.notes());
            }
        }
        return new SystemdNotifier(env, sender, pid, timers, services, processes);
    }

    private static Sender datagramSender(String address) throws NativeIoException {
        UnixDatagramSender s = UnixDatagramSender.open();
        byte[] to = address.getBytes(StandardCharsets.UTF_8);
        return new Sender() {
            @Override
            public int send(byte[] datagram) {
                return s.send(to, datagram, datagram.length);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** Every listener bound, the first children may start: READY, once at start (then again after each reload). */
    void ready() {
        announced = true;
        announce("READY=1\nMAINPID=" + pid + "\nSTATUS=" + status("running"));
        if (watchdog == null && !stopped && sender != null && watchdogIntervalNanos > 0) {
            log.info("systemd watchdog: a ping every {} from the loop thread", Durations.format(Duration.ofNanos(watchdogIntervalNanos)));
            armWatchdog();
        }
    }

    /**
     * A reload begins (before master.cf is read): RELOADING with the time systemd compares with its
     * reload request. Once per reload: a second call before {@link #reloaded} or
     * {@link #reloadRefused} sends nothing.
     */
    void reloading() {
        if (!reloadOpen && announced) {
            reloadOpen = true;
            announce("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros() + "\nSTATUS=reloading");
        }
    }

    /**
     * Runs {@code apply} (the loop's reload of a new table) between RELOADING and READY: READY with
     * what changed when it returns, READY with why when it throws (then rethrown).
     */
    ReloadResult aroundReload(Callable<ReloadResult> apply) throws Exception {
        reloading();
        ReloadResult r;
        try {
            r = apply.call();
        } catch (Exception e) {
            reloadRefused(String.valueOf(e.getMessage()));
            throw e;
        }
        reloaded(r.summary());
        return r;
    }

    /** A reload applied: READY again, STATUS says what changed. */
    void reloaded(ReloadSummary summary) {
        reloadOpen = false;
        announce("READY=1\nSTATUS=" + status("reloaded (" + summary + ")"));
    }

    /**
     * A reload refused (master.cf unreadable or bad, a listener that cannot bind): READY again, the
     * old services still run, STATUS says why (its first line).
     */
    void reloadRefused(String why) {
        reloadOpen = false;
        int eol = why.indexOf('\n');
        announce("READY=1\nSTATUS=" + status("reload refused, old configuration kept: " + (eol < 0 ? why : why.substring(0, eol))));
    }

    /** Stopping starts: children are being told to leave. */
    void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
        stopped = true;
    }

    /** Datagrams the socket did not take since start. */
    long failedSends() {
        return failedSends;
    }

    /** How many warning lines those failures made (the rate limit at work). */
    long failureLinesLogged() {
        return failureLines;
    }

    /**
     * CLOCK_MONOTONIC in microseconds, the clock systemd's MONOTONIC_USEC is read on. On Linux,
     * HotSpot's System.nanoTime is clock_gettime(CLOCK_MONOTONIC), so its origin is systemd's. Not
     * the loop's injected clock: a test's fake clock has no meaning to systemd.
     */
    static long monotonicMicros() {
        return System.nanoTime() / 1000;
    }

    private void armWatchdog() {
        watchdog = timers.schedule(Duration.ofNanos(watchdogIntervalNanos), WATCHDOG_TIMER, () -> {
            send("WATCHDOG=1");
            armWatchdog();
        });
    }

    private String status(String what) {
        int s = services.getAsInt();
        int p = processes.getAsInt();
        String line = what + ": " + s + (s == 1 ? " service, " : " services, ") + p + (p == 1 ? " process" : " processes");
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length() && sb.length() < MAX_STATUS_CHARS; i++) {
            char c = line.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c); // one line: a newline would end the assignment
        }
        return sb.length() < line.length() ? sb.append("...").toString() : sb.toString();
    }

    /**
     * READY or RELOADING, unless STOPPING=1 went out: systemd is then taking the unit down, and a
     * READY (a reload that reached the loop after stop, refused there) would tell it the master is up.
     * Nor before the first {@link #ready()}: a reload during the start (procmaster run carries out a
     * SIGHUP that came then) must not say READY=1 before the caller does (docs/systemd.md).
     */
    private void announce(String message) {
        if (!stopped && announced) {
            send(message);
        }
    }

    private void send(String message) {
        if (sender == null) {
            return;
        }
        int errno = sender.send(message.getBytes(StandardCharsets.UTF_8));
        if (errno == 0) {
            return;
        }
        failedSends++;
        long now = timers.clock().nanoTime();
        String first = message.substring(0, Math.max(0, message.indexOf('='))); // READY, WATCHDOG, ...
        if (failureLines == 0 || now - lastFailureLogNanos >= FAILURE_LOG_INTERVAL_NANOS) {
            log.warn("systemd notify: {} to NOTIFY_SOCKET={} not sent ({}){}; {} failed so far", first, socket,
                    Errno.text(errno), failuresNotLogged > 0 ? ", " + failuresNotLogged + " more since the last such line" : "",
                    failedSends);
            failureLines++;
            lastFailureLogNanos = now;
            failuresNotLogged = 0;
        } else {
            failuresNotLogged++;
        }
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.cancel();
        }
        if (sender != null) {
            sender.close();
        }
    }
}
