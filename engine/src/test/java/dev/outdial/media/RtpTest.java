package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtpTest {

    private static RtpPacket packet(int seq) {
        return new RtpPacket(0, false, seq & 0xFFFF, 160L * seq, 0xCAFEBABEL, new byte[] {(byte) seq});
    }

    @Test
    void a_packet_round_trips_through_its_wire_form() {
        RtpPacket p = new RtpPacket(8, true, 65535, 4_294_967_295L, 0xDEADBEEFL, new byte[] {1, 2, 3});
        byte[] buf = new byte[1500];
        int n = p.writeTo(buf);
        assertThat(n).isEqualTo(15);
        assertThat(buf[0] & 0xff).isEqualTo(0x80);
        RtpPacket back = RtpPacket.parse(buf, n);
        assertThat(back.payloadType()).isEqualTo(8);
        assertThat(back.marker()).isTrue();
        assertThat(back.sequence()).isEqualTo(65535);
        assertThat(back.timestamp()).isEqualTo(4_294_967_295L);
        assertThat(back.ssrc()).isEqualTo(0xDEADBEEFL);
        assertThat(back.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void csrcs_extensions_and_padding_are_skipped_and_garbage_is_refused() {
        // V=2, P=1, X=1, CC=1; PT 0; seq 7; ts 8; ssrc 9; one CSRC; extension of one word; payload AA BB; padding of 2
        byte[] b = {(byte) 0xB1, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 1, 2, 3, 4, (byte) 0xBE, (byte) 0xDE, 0, 1, 5, 6, 7, 8,
                (byte) 0xAA, (byte) 0xBB, 0, 2};
        RtpPacket p = RtpPacket.parse(b, b.length);
        assertThat(p.sequence()).isEqualTo(7);
        assertThat(p.payload()).containsExactly((byte) 0xAA, (byte) 0xBB);
        assertThat(RtpPacket.parse(new byte[] {0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 12)).as("version 1").isNull();
        assertThat(RtpPacket.parse(new byte[] {(byte) 0x80, 0, 0}, 3)).as("too short").isNull();
        assertThat(RtpPacket.parse(new byte[] {(byte) 0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 12)).as("CSRCs past the end").isNull();
    }

    @Test
    void the_jitter_buffer_reorders_fills_gaps_with_null_and_drops_late_and_duplicate_packets() {
        JitterBuffer jb = new JitterBuffer(2);
        jb.offer(packet(11));
        assertThat(jb.poll()).as("filling").isNull();
        assertThat(jb.filling()).isTrue();
        jb.offer(packet(10)); // reordered
        List<Integer> played = new ArrayList<>();
        played.add(jb.poll().sequence());
        played.add(jb.poll().sequence());
        jb.offer(packet(13)); // 12 is lost
        jb.offer(packet(13)); // duplicate
        assertThat(jb.poll()).as("12 never came").isNull();
        played.add(jb.poll().sequence());
        jb.offer(packet(12)); // too late now
        assertThat(played).containsExactly(10, 11, 13);
        assertThat(jb.lost()).isEqualTo(1);
        assertThat(jb.dropped()).isEqualTo(2);
        assertThat(jb.poll()).as("underrun: nothing to play").isNull();
        assertThat(jb.lost()).as("an underrun is not a loss").isEqualTo(1);
    }

    @Test
    void sequence_numbers_wrap_from_65535_to_0_in_order() {
        JitterBuffer jb = new JitterBuffer(3);
        jb.offer(packet(65534));
        jb.offer(packet(0));
        jb.offer(packet(65535));
        jb.offer(packet(1));
        List<Integer> played = new ArrayList<>();
        for (int i = 0; i < 4; i++) played.add(jb.poll().sequence());
        assertThat(played).containsExactly(65534, 65535, 0, 1);
    }
}
