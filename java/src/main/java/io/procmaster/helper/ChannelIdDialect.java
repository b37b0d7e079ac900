package io.procmaster.helper;

/**
 * How requests are tagged on the wire when concurrency &gt; 0.
 *
 * <p>{@link #SLOT}: the Lusca / Squid &le; 3.5 form, IDs 0…concurrency−1, reused as soon as a slot is
 * free (an ID names a channel, not a request). {@link #MONOTONIC}: the Squid 4+ form, a per-helper
 * 64-bit counter starting at 1, never reused, so late replies can be told apart from new ones.
 */
public enum ChannelIdDialect { SLOT, MONOTONIC }
