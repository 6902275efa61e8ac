package dev.outdial.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two RTP sessions talking over real UDP on loopback, on one media clock. */
class RtpSessionTest {
    MediaClock clock;
    RtpSession a;
    RtpSession b;
    final List<Character> digits = new CopyOnWriteArrayList<>();
    final List<short[]> heardByB = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        clock = new MediaClock(2);
        RtpPorts ports = new RtpPorts(InetAddress.getLoopbackAddress(), 32000, 32998);
        a = RtpSession.open(ports, clock, "a", 101);
        b = RtpSession.open(ports, clock, "b", 101);
        b.listen(new MediaListener() {
            @Override
            public void audio(short[] frame) {
                heardByB.add(frame);
            }

            @Override
            public void dtmf(char digit) {
                digits.add(digit);
            }
        });
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        clock.close();
    }

    private void connect(int dtmfPayloadType) {
        a.start(new InetSocketAddress("127.0.0.1", b.localPort()), Codec.PCMA, dtmfPayloadType);
        b.start(new InetSocketAddress("127.0.0.1", a.localPort()), Codec.PCMA, dtmfPayloadType);
    }

    @Test
    void dtmfDigitsArriveOnceEachAsRfc4733Events() throws Exception {
        connect(101);
        a.sendDtmf("12#*");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (digits.size() < 4 && System.nanoTime() < until) Thread.sleep(20);
        Thread.sleep(200); // end packets are sent three times: none may count as another press
        assertThat(digits).containsExactly('1', '2', '#', '*');
    }

    @Test
    void withoutTelephoneEventTheDigitsAreSentAsTonesInBand() throws Exception {
        connect(-1);
        a.sendDtmf("5");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        boolean heard = false;
        Goertzel low = new Goertzel(770, 8000);
        Goertzel high = new Goertzel(1336, 8000);
        while (!heard && System.nanoTime() < until) {
            for (short[] f : heardByB) {
                double e = Goertzel.energy(f, 0, f.length);
                if (e > 1e-3 && low.power(f, 0, f.length) / e > 0.15 && high.power(f, 0, f.length) / e > 0.15) heard = true;
            }
            Thread.sleep(20);
        }
        assertThat(heard).as("the 770 + 1336 Hz pair of key 5 was heard").isTrue();
        assertThat(digits).isEmpty();
    }

    @Test
    void playedAudioArrivesAndPlaybackCanBeCutShort() throws Exception {
        connect(101);
        short[] tone = new short[8 * 400];
        for (int i = 0; i < tone.length; i++) tone[i] = (short) (9000 * Math.sin(2 * Math.PI * 1000 * i / 8000));
        CompletableFuture<Boolean> first = a.play(tone);
        assertThat(first.get(3, TimeUnit.SECONDS)).isTrue();
        Goertzel g = new Goertzel(1000, 8000);
        long toneFrames = heardByB.stream().filter(f -> {
            double e = Goertzel.energy(f, 0, f.length);
            return e > 1e-3 && g.power(f, 0, f.length) / e > 0.4;
        }).count();
        assertThat(toneFrames).as("most of the 20 frames of tone arrived (the last may still be in the jitter buffer)").isGreaterThanOrEqualTo(17);

        CompletableFuture<Boolean> longOne = a.play(new short[8 * 10_000]);
        assertThat(a.playing()).isTrue();
        a.stopPlayback();
        assertThat(longOne.get(1, TimeUnit.SECONDS)).isFalse();
        assertThat(a.playing()).isFalse();
        assertThat(a.packetsSent()).isPositive();
        assertThat(b.packetsReceived()).isPositive();
    }
}
