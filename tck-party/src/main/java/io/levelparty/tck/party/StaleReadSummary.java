package io.levelparty.tck.party;

import io.levelparty.Consistency;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a stale-read run ({@link StaleReadContract}).
 *
 * @param scenario the name of the run's scenario, and its seed if it has one
 * @param consistency the consistency the workers opened the map with
 * @param operations calls logged: writes, and reads whether they returned or threw
 * @param writes of those, the writes
 * @param unacknowledgedWrites writes whose caller never learnt their outcome: they threw, or were
 *     in flight in a killed process; they may or may not have taken effect
 * @param readsChecked reads that returned, each checked ({@link StaleReadChecker})
 * @param failedReads reads that threw
 * @param cacheHits point reads answered from a follower cache, summed over the workers that stopped normally
 * @param cacheMisses point reads that missed a follower cache in use, summed likewise
 * @param staleReads reads that returned a value certainly overwritten before they began
 * @param neverWritten reads that returned a value no write had put by the time they ended
 * @param linearizabilityViolations values whose write and reads fit in no legal order of their
 *     key's operations, and reads of values never written or not written yet
 *     ({@link LinearizabilityChecker})
 * @param kills leaders killed with SIGKILL
 * @param stops followers stopped with SIGSTOP and continued with SIGCONT
 * @param errors other failures: unexpected exceptions, processes that ended unexpectedly
 * @param problems descriptions of the first few stale and never-written reads, then of the first
 *     few linearizability violations, then of each error
 */
record StaleReadSummary(String scenario, Consistency consistency, long operations, long writes, long unacknowledgedWrites,
        long readsChecked, long failedReads, long cacheHits, long cacheMisses, long staleReads, long neverWritten,
        long linearizabilityViolations, int kills, int stops, long errors, List<String> problems) {

    /** Returns the share of point reads answered from a cache, from 0 to 1 (0 with no cache in use). */
    double cacheHitRatio() {
        long reads = cacheHits + cacheMisses;
        return reads == 0 ? 0 : (double) cacheHits / reads;
    }

    /**
     * Returns whether no read was stale or returned a value never written, the history is
     * linearizable, and nothing else went wrong.
     */
    boolean passed() {
        return staleReads == 0 && neverWritten == 0 && linearizabilityViolations == 0 && errors == 0;
    }

    /** Returns the one-line summary. */
    String line() {
        return String.format(Locale.ROOT, "stale-read: scenario=%s operations=%d reads-checked=%d"
                        + " cache-hit-ratio=%.2f stale-reads=%d never-written=%d linearizability-violations=%d"
                        + " kills=%d stops=%d consistency=%s writes=%d unacknowledged-writes=%d failed-reads=%d cache-hits=%d cache-misses=%d errors=%d",
                scenario, operations, readsChecked, cacheHitRatio(), staleReads, neverWritten,
                linearizabilityViolations, kills, stops, consistency, writes,
                unacknowledgedWrites, failedReads, cacheHits, cacheMisses, errors);
    }
}
