package dev.outdial;

import dev.outdial.telephony.CallLeg;
import dev.outdial.telephony.CallListener;
import dev.outdial.telephony.CallRequest;
import dev.outdial.telephony.EndCause;
import dev.outdial.telephony.Telephony;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a carrier and watches it from outside the engine: legs up at once (and the most ever seen),
 * and how often each (call, attempt) was dialed. Shared by several nodes, it sees them all.
 */
public final class CountingTelephony implements Telephony {
    private final Telephony inner;
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger maxLive = new AtomicInteger();
    public final Map<String, AtomicInteger> dialsPerAttempt = new ConcurrentHashMap<>();
    public final AtomicInteger originated = new AtomicInteger();
    /** The last request per call id, as the dispatcher handed it over. */
    public final Map<String, CallRequest> requests = new ConcurrentHashMap<>();
    /** When each attempt ({@code callId#attempt}) was handed over, on the system clock. */
    public final Map<String, java.time.Instant> originatedAt = new ConcurrentHashMap<>();

    public CountingTelephony(Telephony inner) {
        this.inner = inner;
    }

    public int maxLive() {
        return maxLive.get();
    }

    @Override
    public String provider() {
        return inner.provider();
    }

    @Override
    public CallLeg originate(CallRequest request, CallListener listener) {
        dialsPerAttempt.computeIfAbsent(request.callId() + "#" + request.attempt(), k -> new AtomicInteger()).incrementAndGet();
        originated.incrementAndGet();
        originatedAt.putIfAbsent(request.callId() + "#" + request.attempt(), java.time.Instant.now());
        requests.put(request.callId(), request);
        maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
        return inner.originate(request, new CallListener() {
            @Override
            public void ringing() {
                listener.ringing();
            }

            @Override
            public void answered(boolean machine) {
                listener.answered(machine);
            }

            @Override
            public void ended(EndCause cause) {
                live.decrementAndGet();
                listener.ended(cause);
            }
        });
    }

    @Override
    public void close() {
        inner.close();
    }
}
