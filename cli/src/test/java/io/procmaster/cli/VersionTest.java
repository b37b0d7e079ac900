package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code procmaster --version} prints the root pom's version, the one place it is written. */
class VersionTest {

    @Test
    void versionIsThePomsVersion() {
        String expected = System.getProperty("procmaster.test.version");
        assertThat(expected).as("surefire passes the pom's version").isNotBlank();
        StringWriter out = new StringWriter();
        int code = ProcmasterCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "--version");
        assertThat(code).isZero();
        assertThat(out.toString().trim()).isEqualTo("procmaster " + expected);
    }
}
