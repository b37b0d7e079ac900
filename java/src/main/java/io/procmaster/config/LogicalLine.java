package io.procmaster.config;

/**
 * One logical line of a configuration file: its text with continuation lines joined, and the
 * number of its first physical line, which is the line that error messages name.
 *
 * @param line 1-based number of the first physical line
 * @param text the joined text; each continuation's leading whitespace becomes one space
 */
record LogicalLine(int line, String text) {
}
