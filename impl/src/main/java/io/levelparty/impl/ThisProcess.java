package io.levelparty.impl;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Who this process is, as the peers on a socket see it. */
final class ThisProcess {
    /** This process's id. */
    static final long PID = ProcessHandle.current().pid();
    /** This process's (effective) user id, which the kernel reports to the peers of its sockets. */
    static final long UID = new com.sun.security.auth.module.UnixSystem().getUid();

    /** When this process first asked for a client id, in milliseconds since the epoch. */
    private static final long STARTED_MILLIS = System.currentTimeMillis();

    private ThisProcess() {}

    /**
     * Returns a new client id, the first part of every number this process's writes carry (see
     * {@link ClientRecords}), unique on the machine over time: no other process can have this
     * pid in the same millisecond, and 64 random bits tell the ids of one process apart. It needs
     * no secrecy (a leader trusts peers by user id, and a peer of the same user may write
     * anyway), so it does not cost a fresh process the start of a {@code SecureRandom}, 15 to
     * 25 ms, as {@link UUID#randomUUID()} would.
     */
    static UUID newClientId() {
        // Linux pids fit in 22 bits (pid_max is at most 2^22).
        return new UUID(STARTED_MILLIS << 22 | (PID & 0x3F_FFFF), ThreadLocalRandom.current().nextLong());
    }
}
