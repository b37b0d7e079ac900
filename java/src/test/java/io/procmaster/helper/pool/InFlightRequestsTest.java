package io.procmaster.helper.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * InFlightRequests against the LinkedHashMap it replaced: the same answers to every operation
 * (lookup by wire id, oldest first, dispatch order on drain), across growth and the backward shift
 * of deletions, for slot ids (0..n-1, reused) and monotonic ids (ever larger).
 */
class InFlightRequestsTest {

    private static PendingRequest request(long seq) {
        return new PendingRequest(seq, "r" + seq, new CompletableFuture<>(), null);
    }

    @Test
    void matchesAnInsertionOrderedMap_underRandomSlotAndMonotonicTraffic() {
        for (boolean monotonic : new boolean[] {false, true}) {
            Random random = new Random(monotonic ? 11 : 7);
            InFlightRequests table = new InFlightRequests();
            Map<Long, PendingRequest> model = new LinkedHashMap<>();
            long nextId = 0;
            int limit = 100; // enough to grow the table several times
            for (int step = 0; step < 200_000; step++) {
                int op = random.nextInt(10);
                if (op < 5 && model.size() < limit) {
                    long id;
                    if (monotonic) {
                        id = nextId++;
                    } else {
                        do id = random.nextInt(limit); while (model.containsKey(id));
                    }
                    PendingRequest r = request(step);
                    table.put(id, r);
                    model.put(id, r);
                } else if (op < 8) {
                    long id = monotonic ? nextId - 1 - random.nextInt(limit * 2) : random.nextInt(limit + 5);
                    assertThat(table.containsKey(id)).isEqualTo(model.containsKey(id));
                    assertThat(table.remove(id)).isSameAs(model.remove(id));
                } else if (op < 9) {
                    PendingRequest oldest = model.isEmpty() ? null : model.values().iterator().next();
                    if (oldest != null) model.values().remove(oldest);
                    assertThat(table.removeOldest()).isSameAs(oldest);
                } else if (random.nextInt(100) == 0) {
                    assertThat(table.drainInOrder()).containsExactlyElementsOf(new ArrayList<>(model.values()));
                    model.clear();
                }
                assertThat(table.size()).isEqualTo(model.size());
                assertThat(table.isEmpty()).isEqualTo(model.isEmpty());
            }
            assertThat(table.drainInOrder()).containsExactlyElementsOf(new ArrayList<>(model.values()));
            assertThat(table.isEmpty()).isTrue();
            assertThat(table.removeOldest()).isNull();
        }
    }

    @Test
    void drainInOrder_isDispatchOrder_notIdOrder() {
        InFlightRequests table = new InFlightRequests();
        List<PendingRequest> dispatched = new ArrayList<>();
        for (long id : new long[] {5, 0, 3, 7, 1, 6, 2, 4, 12, 9}) {
            PendingRequest r = request(id);
            table.put(id, r);
            dispatched.add(r);
        }
        assertThat(table.remove(3)).isSameAs(dispatched.remove(2));
        assertThat(table.drainInOrder()).containsExactlyElementsOf(dispatched);
    }

    @Test
    void putOfAnIdInFlight_isRefusedAndKeepsTheFirst() {
        InFlightRequests table = new InFlightRequests();
        PendingRequest first = request(1);
        table.put(4, first);
        assertThatThrownBy(() -> table.put(4, request(2))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wire id 4");
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.remove(4)).isSameAs(first);
        assertThat(table.remove(4)).isNull();
    }
}
