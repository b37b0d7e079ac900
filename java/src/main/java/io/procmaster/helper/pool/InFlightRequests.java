package io.procmaster.helper.pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One helper's requests in flight, by wire id, in dispatch order: an open-addressing table keyed by
 * the primitive id (linear probing, backward-shift deletion, so no tombstones) whose entries are
 * also linked in insertion order. A dispatch and its reply's lookup box nothing and allocate nothing;
 * the {@code LinkedHashMap<Long, PendingRequest>} this replaces cost an entry and two {@code Long}s
 * per request on the loop path (BENCHMARKS.md §6, issue 11).
 *
 * <p>Interface: {@link #put}, {@link #remove(long)}, {@link #removeOldest()} (a classic helper's
 * reply answers its oldest request), {@link #containsKey}, {@link #size}, {@link #isEmpty},
 * {@link #drainInOrder()} (a lost helper fails what it held, in dispatch order). The table grows by
 * doubling at half load and never shrinks: its size is bounded by the helper's concurrency.
 *
 * <p>Failure modes: {@link #put} of an id already in flight throws {@link IllegalStateException}
 * (a dispatch bug: the old request would be lost) and changes nothing. Loop-thread state only, as
 * all of {@link PooledHelper}.
 */
final class InFlightRequests {
    private static final int NONE = -1;

    private long[] keys;
    private PendingRequest[] values; // null: a free slot
    private int[] prev;              // insertion order, by slot index
    private int[] next;
    private int head = NONE;
    private int tail = NONE;
    private int size;
    private int mask;

    InFlightRequests() {
        allocate(8);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean containsKey(long id) {
        return indexOf(id) != NONE;
    }

    /** Adds {@code r} under {@code id}, as the newest; {@code id} must not be in flight. */
    void put(long id, PendingRequest r) {
        Objects.requireNonNull(r, "request");
        if (indexOf(id) != NONE) throw new IllegalStateException("wire id " + id + " is already in flight");
        if ((size + 1) * 2 > values.length) grow();
        insert(id, r);
    }

    /** The request under {@code id}, taken out; null if none. */
    PendingRequest remove(long id) {
        int i = indexOf(id);
        if (i == NONE) return null;
        PendingRequest r = values[i];
        removeAt(i);
        return r;
    }

    /** The oldest request, taken out; null if none. */
    PendingRequest removeOldest() {
        if (head == NONE) return null;
        PendingRequest r = values[head];
        removeAt(head);
        return r;
    }

    /** Every request, oldest first, taken out (the table is empty afterwards). */
    List<PendingRequest> drainInOrder() {
        List<PendingRequest> all = new ArrayList<>(size);
        for (int i = head; i != NONE; i = next[i]) all.add(values[i]);
        Arrays.fill(values, null);
        head = tail = NONE;
        size = 0;
        return all;
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new PendingRequest[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        mask = capacity - 1;
    }

    private void grow() {
        long[] oldKeys = keys;
        PendingRequest[] oldValues = values;
        int[] oldNext = next;
        int from = head;
        allocate(values.length * 2);
        head = tail = NONE;
        size = 0;
        for (int i = from; i != NONE; i = oldNext[i]) insert(oldKeys[i], oldValues[i]); // keeps the order
    }

    private static int home(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L; // Fibonacci hashing: slots and monotonic ids are consecutive
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private int indexOf(long id) {
        for (int i = home(id, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == id) return i;
        }
        return NONE;
    }

    private void insert(long id, PendingRequest r) {
        int i = home(id, mask);
        while (values[i] != null) i = (i + 1) & mask;
        keys[i] = id;
        values[i] = r;
        prev[i] = tail;
        next[i] = NONE;
        if (tail != NONE) next[tail] = i;
        else head = i;
        tail = i;
        size++;
    }

    /** Frees slot {@code i}, then shifts later entries of its probe run back so every lookup still finds them. */
    private void removeAt(int i) {
        unlink(i);
        values[i] = null;
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            // j may fill the hole unless its home lies cyclically in (hole, j].
            if (((j - home(keys[j], mask)) & mask) >= ((j - hole) & mask)) {
                move(j, hole);
                hole = j;
            }
        }
    }

    private void unlink(int i) {
        int p = prev[i];
        int n = next[i];
        if (p != NONE) next[p] = n;
        else head = n;
        if (n != NONE) prev[n] = p;
        else tail = p;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        values[to] = values[from];
        values[from] = null;
        int p = prev[from];
        int n = next[from];
        prev[to] = p;
        next[to] = n;
        if (p != NONE) next[p] = to;
        else head = to;
        if (n != NONE) prev[n] = to;
        else tail = to;
    }
}
