package io.procmaster.helper;


/**
 * Snapshot of one helper: identity, state, 64-bit counters and, once it ended, its exit
 * ({@code lastExit} is null while it runs).
 */
public record HelperStats(long id, long pid, int generation, HelperState state, long requests, long replies,
                          long timeouts, int pending, boolean reserved, HelperExit lastExit) {}
