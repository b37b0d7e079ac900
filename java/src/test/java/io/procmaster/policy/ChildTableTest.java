package io.procmaster.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ChildTable against the HashMap it replaced: same answers for every sequence of operations. */
class ChildTableTest {

    private static ChildRecord record(int pid) {
        return new ChildRecord(pid, pid, "svc", 0, 0);
    }

    @Test
    void randomOperationsAgreeWithAHashMap() {
        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            ChildTable table = new ChildTable();
            Map<Integer, ChildRecord> model = new HashMap<>();
            // Few distinct pids in a narrow range: long clusters, collisions, removals in their middle.
            int range = 50 + random.nextInt(400);
            int base = 1 + random.nextInt(4_000_000);
            for (int op = 0; op < 20_000; op++) {
                int pid = base + random.nextInt(range);
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        ChildRecord r = record(pid);
                        assertThat(table.put(pid, r)).isSameAs(model.put(pid, r));
                    }
                    case 2 -> assertThat(table.remove(pid)).isSameAs(model.remove(pid));
                    default -> assertThat(table.get(pid)).isSameAs(model.get(pid));
                }
                assertThat(table.size()).isEqualTo(model.size());
            }
            for (int pid = base; pid < base + range; pid++) {
                assertThat(table.get(pid)).isSameAs(model.get(pid));
                assertThat(table.containsKey(pid)).isEqualTo(model.containsKey(pid));
            }
            assertThat(table.values()).containsExactlyInAnyOrderElementsOf(model.values());
            assertThat(table.isEmpty()).isEqualTo(model.isEmpty());
        }
    }

    @Test
    void growsPastItsFirstCapacityAndEmptiesAgain() {
        ChildTable table = new ChildTable();
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            pids.add(100_000 + 7 * i);
        }
        for (int pid : pids) {
            assertThat(table.put(pid, record(pid))).isNull();
        }
        assertThat(table.size()).isEqualTo(5000);
        for (int pid : pids) {
            assertThat(table.get(pid).pid()).isEqualTo(pid);
        }
        for (int pid : pids) {
            assertThat(table.remove(pid).pid()).isEqualTo(pid);
            assertThat(table.get(pid)).isNull();
        }
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.values()).isEmpty();
    }

    @Test
    void pidsThatAreNotPositiveAreNeverChildren() {
        ChildTable table = new ChildTable();
        assertThat(table.get(0)).isNull();
        assertThat(table.get(-5)).isNull();
        assertThat(table.remove(0)).isNull();
        assertThat(table.containsKey(-1)).isFalse();
        assertThatThrownBy(() -> table.put(0, record(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isZero();
    }

    @Test
    void valuesIsACopyTheCallerMayWalkWhileRemoving() {
        ChildTable table = new ChildTable();
        for (int pid = 1; pid <= 10; pid++) {
            table.put(pid, record(pid));
        }
        for (ChildRecord r : table.values()) {
            table.remove(r.pid());
        }
        assertThat(table.isEmpty()).isTrue();
    }
}
