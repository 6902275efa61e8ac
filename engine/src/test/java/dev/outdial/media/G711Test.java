package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class G711Test {

    private static int ulaw(int s) {
        byte[] out = new byte[1];
        G711.encodeUlaw(new short[] {(short) s}, 0, out, 0, 1);
        return out[0] & 0xff;
    }

    private static int alaw(int s) {
        byte[] out = new byte[1];
        G711.encodeAlaw(new short[] {(short) s}, 0, out, 0, 1);
        return out[0] & 0xff;
    }

    private static int fromUlaw(int code) {
        short[] out = new short[1];
        G711.decodeUlaw(new byte[] {(byte) code}, 0, out, 0, 1);
        return out[0];
    }

    private static int fromAlaw(int code) {
        short[] out = new short[1];
        G711.decodeAlaw(new byte[] {(byte) code}, 0, out, 0, 1);
        return out[0];
    }

    @Test
    void reference_values_of_g711() {
        assertThat(ulaw(0)).isEqualTo(0xFF);
        assertThat(fromUlaw(0xFF)).isZero();
        assertThat(fromUlaw(0x80)).isEqualTo(32124);
        assertThat(fromUlaw(0x00)).isEqualTo(-32124);
        assertThat(ulaw(32767)).isEqualTo(0x80);
        assertThat(ulaw(-32768)).isEqualTo(0x00);
        assertThat(alaw(0)).isEqualTo(0xD5);
        assertThat(fromAlaw(0xD5)).isEqualTo(8);
        assertThat(fromAlaw(0x55)).isEqualTo(-8);
        assertThat(fromAlaw(0xAA)).isEqualTo(32256);
        assertThat(alaw(32767)).isEqualTo(0xAA);
        assertThat(alaw(-32768)).isEqualTo(0x2A);
        assertThat(G711.ULAW_SILENCE & 0xff).isEqualTo(ulaw(0));
        assertThat(G711.ALAW_SILENCE & 0xff).isEqualTo(alaw(0));
    }

    @Test
    void every_code_decodes_and_encodes_back_to_itself() {
        for (int c = 0; c < 256; c++) {
            if (c != 0x7F) assertThat(ulaw(fromUlaw(c))).as("µ-law %02x", c).isEqualTo(c); // 0x7F is µ-law's negative zero
            assertThat(alaw(fromAlaw(c))).as("A-law %02x", c).isEqualTo(c);
        }
    }

    @Test
    void quantization_error_stays_within_the_segment_step_and_the_laws_are_monotonic() {
        int prevU = fromUlaw(ulaw(Short.MIN_VALUE));
        int prevA = fromAlaw(alaw(Short.MIN_VALUE));
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            int u = fromUlaw(ulaw(s));
            int a = fromAlaw(alaw(s));
            int bound = Math.max(16, Math.abs(s) / 15);
            assertThat(Math.abs(u - s)).as("µ-law error at %d", s).isLessThanOrEqualTo(Math.max(bound, s > 32000 || s < -32000 ? 1100 : 0));
            assertThat(Math.abs(a - s)).as("A-law error at %d", s).isLessThanOrEqualTo(Math.max(bound, s > 32000 || s < -32000 ? 1100 : 0));
            assertThat(u).isGreaterThanOrEqualTo(prevU);
            assertThat(a).isGreaterThanOrEqualTo(prevA);
            prevU = u;
            prevA = a;
        }
    }
}
