package io.procmaster.config;

/**
 * One {@code name=value} setting and where it was written: a main.cf line or a master.cf
 * {@code -o} argument. {@code line} is the first physical line of its logical line.
 * Checked by {@code UnusedParameters}; immutable, no failure modes.
 */
public record ParameterSetting(String file, int line, String name, String value) {
}
