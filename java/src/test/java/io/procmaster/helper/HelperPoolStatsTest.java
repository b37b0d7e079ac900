package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review 12 item 15: {@link HelperPoolStats} is a public record, so its canonical constructor and
 * record patterns break at source and binary level when a component moves. Components of a release
 * keep their places; new ones are appended.
 *
 * <p>Before: {@code overloadWarnings} sat between {@code breakerRejected} and {@code started}
 * (expected "started" at index 16 but was "overloadWarnings").
 */
class HelperPoolStatsTest {
    /** The components as released before issue 12 (8318949), in order. */
    private static final List<String> RELEASED = List.of(
            "name", "generation", "submitted", "sent", "replies", "completedOk", "failed",
            "timeouts", "lateReplies", "unknownChannelReplies", "unsolicitedReplies", "tooLongReplies",
            "retries", "overloadRejected", "bypassed", "breakerRejected",
            "started", "restarts", "startFailures", "deaths",
            "queueLength", "maxQueueLength", "running", "active", "breakerOpen",
            "serviceTimeMeanMicros", "serviceTimeP50Micros", "serviceTimeP90Micros", "serviceTimeP99Micros",
            "duplicateCompletions", "helpers", "recentExits");

    @Test
    void releasedComponentsKeepTheirPlacesNewOnesAreAppended() {
        List<String> now = Arrays.stream(HelperPoolStats.class.getRecordComponents()).map(RecordComponent::getName).toList();
        assertThat(now.subList(0, RELEASED.size())).isEqualTo(RELEASED);
        assertThat(now.subList(RELEASED.size(), now.size())).containsExactly("overloadWarnings");
    }
}
