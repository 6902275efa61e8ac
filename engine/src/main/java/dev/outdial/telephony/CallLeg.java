package dev.outdial.telephony;

import dev.outdial.media.MediaChannel;

/** A leg in progress; hanging up ends it with {@link EndCause.Kind#HANGUP} (or CANCEL before answer). */
public interface CallLeg {
    void hangup();

    /** The call's audio once it is answered (before: early media at most); carriers without media have {@link MediaChannel#NONE}. */
    default MediaChannel media() {
        return MediaChannel.NONE;
    }
}
