/**
 * The master's process-creation policy: pure, deterministic Java on an injected monotonic clock.
 *
 * <p>What: availability and the listen rule (docs/postfix-master.md §2), spawn bookkeeping and reaping (docs/postfix-master.md §3.3-3.7),
 * status records (docs/postfix-master.md §4.2), wakeup timers (docs/postfix-master.md §5), throttle with back-off and spawn-rate limit (docs/postfix-master.md §10 W11),
 * stress, prefork (docs/postfix-master.md §10 W12), reload decisions and asynchronous removal (docs/postfix-master.md §7.2, W3), shutdown.
 *
 * <p>Files follow Postfix's master modules: {@link io.procmaster.policy.MasterPolicy} coordinates and
 * owns the state; ListenRule (master_avail), SpawnAndThrottle (master_spawn), StatusRecords
 * (master_status), WakeupSchedule (master_wakeup) and Reconfiguration (master_ent, master_config)
 * hold the rules.
 *
 * <p>How it is driven: the loop thread owns one {@link io.procmaster.policy.MasterPolicy}, feeds it
 * events ({@code onListenReady}, {@code onStatus}, {@code onChildExit}, ...), answers its
 * synchronous {@link io.procmaster.policy.MasterActions#spawn} with a pid or a
 * {@link io.procmaster.policy.SpawnFailure}, sizes its epoll wait with {@link io.procmaster.time.TimerQueue#nextDeadlineNanos()}
 * and calls {@link io.procmaster.time.TimerQueue#runDue()} after each wake-up. The policy answers only
 * through {@link io.procmaster.policy.MasterActions}. No processes, descriptors, native code or
 * threads here: tests run every rule on a {@link io.procmaster.time.FakeClock} in milliseconds.
 *
 * <p>Time comes from {@code io.procmaster.time} (the clock, the timer queue, the back-off and the
 * sliding window the throttle and the spawn-rate limit use); signals are named ({@link io.procmaster.policy.Signal}),
 * their numbers are the loop's to know. The policy imports nothing of os, loop or helper.
 *
 * <p>Failure modes: bad input is logged and counted, never thrown into the loop.
 */
package io.procmaster.policy;
