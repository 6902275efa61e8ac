package dev.outdial.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One claim round: a claim per line, the lines side by side on virtual threads (each claim locks only its own
 * line): one claim's round trips and commit overlap another's, where one after the other they left
 * the pacer idle (1,000,000 due calls on 4 lines; bench/README.md).
 */
final class ClaimRound {
    private ClaimRound() {
    }

    /**
     * The claims' results, in the order of {@code lines}. Returns when every claim has ended, even if
     * interrupted (a stopping node): a claim cut off mid-way would lose its connection, and one that
     * commits must reach the pacer before the pacer's queue is handed back for release. The first
     * failure is rethrown once all have ended.
     */
    static List<LineClaimer.Result> run(List<String> lines, Function<String, LineClaimer.Result> claim) {
        if (lines.size() <= 1) return lines.stream().map(claim).toList();
        LineClaimer.Result[] results = new LineClaimer.Result[lines.size()];
        RuntimeException[] failures = new RuntimeException[lines.size()];
        List<Thread> claims = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            int k = i;
            claims.add(Thread.ofVirtual().name("claim " + lines.get(k)).start(() -> {
                try {
                    results[k] = claim.apply(lines.get(k));
                } catch (RuntimeException e) {
                    failures[k] = e;
                }
            }));
        }
        boolean interrupted = false;
        for (Thread t : claims) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        for (RuntimeException failure : failures) {
            if (failure != null) throw failure;
        }
        return List.of(results);
    }
}
