package io.procmaster.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GenerationCounterTest {

    @Test
    void firstNumberIsOne_andEnvironmentFormIsOctal() {
        GenerationCounter g = new GenerationCounter();
        assertThat(g.last()).isZero();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            seen.append(GenerationCounter.toOctal(g.next())).append(' ');
        }
        assertThat(seen.toString().trim()).isEqualTo("1 2 3 4 5 6 7 10 11");
    }

    @Test
    void wrapsAsUnsigned32Bit() {
        GenerationCounter g = new GenerationCounter(0xFFFF_FFFEL);
        assertThat(g.next()).isEqualTo(0xFFFF_FFFFL);
        assertThat(GenerationCounter.toOctal(0xFFFF_FFFFL)).isEqualTo("37777777777");
        assertThat(g.next()).isZero();
        assertThat(g.next()).isEqualTo(1);
    }

    @Test
    void normalizeTurnsASignExtendedIntIntoTheSameGeneration() {
        assertThat(GenerationCounter.normalize(-1)).isEqualTo(0xFFFF_FFFFL);
    }
}
