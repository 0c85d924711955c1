package io.levelparty.tck.party;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of a chaos run ({@link FailoverChaosContract}).
 *
 * @param kills leaders killed with SIGKILL
 * @param workers worker processes started, the replacements included
 * @param ackedPuts puts acknowledged to their caller
 * @param ackedIncrements counter increments ({@code replace} returned true) acknowledged to their caller
 * @param lost acknowledged puts missing from the final state, and acknowledged increments the
 *     counters never took
 * @param doubled writes detectably applied twice or with a lost outcome: a put that returned a
 *     previous value (each key is put once), a counter step acknowledged to two callers, or a step
 *     a counter took that no caller was told of and no call of unknown fate explains. So each
 *     counter lies between its acknowledged increments and those plus the unknown ones.
 * @param phantoms keys in the final state that no process tried to put, or with a value nobody put
 * @param unknown writes whose outcome the caller never learnt: they threw
 *     {@code PartyUnavailableException}, or were in progress in a killed process
 * @param scans traversals of the stable range finished
 * @param scansAcrossKills of those, the ones in progress, in another process, when a leader was killed
 * @param scanAnomalies traversals that did not return exactly the stable range, in order
 * @param unavailableReads reads and traversals that threw {@code PartyUnavailableException}
 * @param hung calls that ran longer than twice the request timeout
 * @param errors other failures: unexpected exceptions, processes that ended unexpectedly
 * @param failoverMillis for each kill, the time from just before the SIGKILL to the first
 *     acknowledgement of a write issued after it, by any process
 * @param problems a description of each problem counted above
 */
record ChaosSummary(int kills, int workers, long ackedPuts, long ackedIncrements, long lost, long doubled,
        long phantoms, long unknown, long scans, long scansAcrossKills, long scanAnomalies, long unavailableReads,
        long hung, long errors, double[] failoverMillis, List<String> problems) {

    /** Returns whether nothing was lost, doubled or invented, every scan was exact, and no call hung or failed. */
    boolean passed() {
        return lost == 0 && doubled == 0 && phantoms == 0 && scanAnomalies == 0 && hung == 0 && errors == 0;
    }

    /** Returns the one-line summary. */
    String line() {
        double[] sorted = failoverMillis.clone();
        Arrays.sort(sorted); // NaN, a kill with no write after it, sorts last
        double median = sorted.length == 0 ? Double.NaN
                : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        double max = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
        return String.format(Locale.ROOT, "chaos: kills=%d workers=%d acknowledged-writes=%d puts=%d increments=%d"
                        + " lost=%d doubled=%d phantoms=%d unknown=%d scans=%d scans-across-kills=%d scan-anomalies=%d"
                        + " unavailable-reads=%d hung=%d errors=%d failover-ms median=%.1f max=%.1f",
                kills, workers, ackedPuts + ackedIncrements, ackedPuts, ackedIncrements, lost, doubled, phantoms,
                unknown, scans, scansAcrossKills, scanAnomalies, unavailableReads, hung, errors, median, max);
    }
}
