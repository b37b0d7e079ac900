package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ServiceCgroupNameTest - a service's cgroup name (docs/cgroups.md "Names"): {@code svc-} and the
 * identity, every byte outside {@code [A-Za-z0-9.-]} as {@code _XX}, so distinct identities never
 * share a name, no name is a path, {@code master} or a core file, and none is longer than NAME_MAX.
 */
class ServiceCgroupNameTest {
    @Test
    void namesAreEscapedUniqueAndBounded() {
        assertThat(ServiceCgroups.name("private/a/unix")).isEqualTo("svc-private_2fa_2funix");
        assertThat(ServiceCgroups.name("[127.0.0.1]:25/inet")).isEqualTo("svc-_5b127.0.0.1_5d_3a25_2finet");
        assertThat(ServiceCgroups.name("a_2fb")).isEqualTo("svc-a_5f2fb"); // "_" is escaped itself: no collision
        List<String> ids = List.of("private/a/unix", "private/a_2funix", "public/a/unix", "é/unix", "../x/unix",
                "x".repeat(400) + "/unix", "x".repeat(400) + "/fifo");
        Set<String> names = new HashSet<>();
        for (String id : ids) {
            String n = ServiceCgroups.name(id);
            assertThat(n).startsWith(ServiceCgroups.PREFIX).doesNotContain("/").hasSizeLessThanOrEqualTo(255);
            assertThat(n).matches("[A-Za-z0-9._-]+");
            names.add(n);
        }
        assertThat(names).hasSameSizeAs(ids);
    }
}
