package io.levelparty.impl;

/**
 * The store's own keys in a LevelParty database: every key that begins with {@code 0xFF}, a byte
 * that never begins a UTF-8 string, so none is a map key. They sort after every user key, which
 * navigation and scans stop before. The whole reserved keyspace:
 *
 * <pre>
 *   FF 00                                  USER_KEYS_END: empty value, in every database; the first
 *                                          key after the user keys, so that finding the last user
 *                                          key never steps over deleted records
 *   FF 'c' client:16 seq:8                 an exactly-once record of a follower's numbered write
 *                                          and its outcome (see {@link ClientRecords})
 *   FF 'l' token:8 client:16               a cache lease a leader granted, with the holder's pid and
 *                                          start time (see {@link LeaseRecords})
 *   FF 'v'                                 FORMAT_VERSION: the storage format, a 4-byte big-endian
 *                                          int, written when a database is first opened
 *   FF FF ...                              never written: EMPTY_LOW to EMPTY_HIGH is a range that
 *                                          no table overlaps, so compacting it only flushes the
 *                                          memtable (see {@link LocalStore#flushForSuccessor})
 * </pre>
 *
 * A database whose format is newer than {@link #FORMAT} is refused at open, naming both: its
 * records may mean something this version does not know.
 */
final class ReservedKeys {
    /** Every reserved key starts with this byte. */
    static final byte PREFIX = (byte) 0xFF;
    /** Tags after the prefix. */
    static final byte USER_KEYS_END_TAG = 0;
    static final byte CLIENT_RECORD_TAG = 'c';
    static final byte LEASE_RECORD_TAG = 'l';
    static final byte FORMAT_VERSION_TAG = 'v';
    static final byte[] USER_KEYS_END = {PREFIX, USER_KEYS_END_TAG};
    static final byte[] FORMAT_VERSION = {PREFIX, FORMAT_VERSION_TAG};
    static final byte[] EMPTY_LOW = {PREFIX, PREFIX};
    static final byte[] EMPTY_HIGH = {PREFIX, PREFIX, PREFIX};
    /** The storage format this version writes and reads. */
    static final int FORMAT = 1;

    private ReservedKeys() {}

    static boolean isReserved(byte[] key) {
        return key.length > 0 && key[0] == PREFIX;
    }
}
