package io.procmaster.config;

/**
 * The optimal-string-alignment form of the Damerau-Levenshtein distance: the fewest single
 * character insertions, deletions, substitutions and swaps of two adjacent characters that turn
 * one string into the other (no substring edited twice). Used to suggest the known parameter
 * nearest a misspelt one ({@link UnusedParameters}); a swap ({@code servcie}) counts as one
 * edit, as a typist would expect.
 *
 * <p>Interface: {@link #between}. Failure modes: none; O(length product) time and memory.
 */
final class EditDistance {
    private EditDistance() {
    }

    /** The distance between {@code a} and {@code b}. */
    static int between(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[n][m];
    }
}
