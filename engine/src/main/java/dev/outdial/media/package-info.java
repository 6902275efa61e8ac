/**
 * Media for real calls (issue 7): the pieces the SIP provider's RTP sessions are built from.
 * {@link dev.outdial.media.G711} (PCMU/PCMA, table-based), {@link dev.outdial.media.RtpPacket}
 * (RFC 3550), {@link dev.outdial.media.JitterBuffer} (reordering, loss, wrap-around),
 * {@link dev.outdial.media.Resampler} (8 ↔ 16 kHz for speech engines) and
 * {@link dev.outdial.media.Goertzel} (tone power, for beeps and DTMF). The rest of Outdial will see
 * only 20 ms frames of 16-bit PCM at 8 kHz; the RTP session that joins these is the next step.
 */
package dev.outdial.media;
