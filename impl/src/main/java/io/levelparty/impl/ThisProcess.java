package io.levelparty.impl;

/** Who this process is, as the peers on a socket see it. */
final class ThisProcess {
    /** This process's id. */
    static final long PID = ProcessHandle.current().pid();
    /** This process's (effective) user id, which the kernel reports to the peers of its sockets. */
    static final long UID = new com.sun.security.auth.module.UnixSystem().getUid();

    private ThisProcess() {}
}
