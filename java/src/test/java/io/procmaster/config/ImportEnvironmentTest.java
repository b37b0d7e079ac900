package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** import_environment: which variables reach the children, in Postfix's NAME / NAME=value syntax. */
class ImportEnvironmentTest {

    private static final Map<String, String> PARENT = Map.of("TZ", "UTC", "HOME", "/root", "MAIL_CONFIG", "/etc/x");

    @Test
    void aNameCarriesTheMastersValueOnlyWhenItHasOne() {
        assertThat(ImportEnvironment.parse("TZ NO_SUCH_VARIABLE").resolve(PARENT)).containsExactly(Map.entry("TZ", "UTC"));
    }

    @Test
    void nameEqualsValueSetsTheVariableWhateverTheMasterHas() {
        assertThat(ImportEnvironment.parse("MAIL_CONFIG=/srv/conf LANG=C").resolve(PARENT))
                .containsExactly(Map.entry("MAIL_CONFIG", "/srv/conf"), Map.entry("LANG", "C"));
    }

    @Test
    void itemsAreSeparatedByWhitespaceOrCommasAndNothingElseIsInherited() {
        assertThat(ImportEnvironment.parse(" TZ,\tMAIL_CONFIG ,, A=1 ").resolve(PARENT))
                .containsExactly(Map.entry("TZ", "UTC"), Map.entry("MAIL_CONFIG", "/etc/x"), Map.entry("A", "1"));
        assertThat(ImportEnvironment.parse("").resolve(PARENT)).isEmpty();
    }

    @Test
    void aValueMayBeEmptyOrHoldAnEqualsSign() {
        assertThat(ImportEnvironment.parse("A= B=x=y").resolve(PARENT))
                .containsExactly(Map.entry("A", ""), Map.entry("B", "x=y"));
    }

    @Test
    void aLaterItemWithAValueWins() {
        assertThat(ImportEnvironment.parse("TZ=GMT TZ").resolve(PARENT)).containsExactly(Map.entry("TZ", "UTC"));
        assertThat(ImportEnvironment.parse("TZ TZ=GMT").resolve(PARENT)).containsExactly(Map.entry("TZ", "GMT"));
        assertThat(ImportEnvironment.parse("X=1 X").resolve(PARENT)).containsExactly(Map.entry("X", "1"));
    }

    @Test
    void badNamesAreRejected() {
        assertThatThrownBy(() -> ImportEnvironment.parse("TZ =x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad environment variable name in \"=x\"");
        assertThatThrownBy(() -> ImportEnvironment.parse("1ABC")).hasMessage("bad environment variable name in \"1ABC\"");
        assertThatThrownBy(() -> ImportEnvironment.parse("A-B=1")).hasMessage("bad environment variable name in \"A-B=1\"");
    }
}
