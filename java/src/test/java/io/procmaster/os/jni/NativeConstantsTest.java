package io.procmaster.os.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The native constants are found by name, whatever their order; a missing one is named. */
class NativeConstantsTest {

    @Test
    void valuesAreFoundByNameInAnyOrder() {
        NativeConstants k = NativeConstants.parse(new String[] {"B=2", "A=-1", "C=30"});
        assertThat(k.get("C")).isEqualTo(30);
        assertThat(k.get("A")).isEqualTo(-1);
        assertThat(k.get("B")).isEqualTo(2);
        assertThat(k.missing()).isNull();
    }

    @Test
    void everyMissingNameIsNamed() {
        NativeConstants k = NativeConstants.parse(new String[] {"A=1"});
        assertThat(k.get("A")).isEqualTo(1);
        assertThat(k.get("EPOLLIN")).isEqualTo(-1);
        assertThat(k.get("SIGTERM")).isEqualTo(-1);
        assertThat(k.missing()).hasMessage("libprocmaster does not define the constants EPOLLIN, SIGTERM: "
                + "the library and the classes are from different versions");
    }

    @Test
    void malformedOrDuplicateEntriesAreRefused() {
        assertThatThrownBy(() -> NativeConstants.parse(new String[] {"A"})).hasMessageContaining("malformed constant: \"A\"");
        assertThatThrownBy(() -> NativeConstants.parse(new String[] {"A=x"})).hasMessageContaining("\"A=x\"");
        assertThatThrownBy(() -> NativeConstants.parse(new String[] {"=1"})).hasMessageContaining("\"=1\"");
        assertThatThrownBy(() -> NativeConstants.parse(new String[] {"A=1", "A=2"})).hasMessageContaining("A twice");
    }

    @Test
    void aLibraryThatDidNotLoadReportsNothingMissing() {
        NativeConstants k = NativeConstants.none();
        assertThat(k.get("EPOLLIN")).isEqualTo(-1);
        assertThat(k.missing()).isNull();
    }

    @Test
    void theLoadedLibraryDefinesEveryConstantNativeAsksFor() {
        assertThat(Native.unavailabilityCause()).isNull();
        assertThat(Native.constants0()).contains("SIGKILL=9", "SIGTERM=15", "EBADF=9");
    }
}
