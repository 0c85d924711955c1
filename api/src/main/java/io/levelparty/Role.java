package io.levelparty;

/** The part a process plays for one data directory. It can change while a {@link PartyMap} is open. */
public enum Role {
    /** This process holds the LevelDB lock, owns the database and serves the other processes. */
    LEADER,
    /** Another process is the leader; this process reaches the database through it. */
    FOLLOWER
}
