package io.levelparty.impl;

import io.levelparty.spi.StoreWrite;
import java.util.Arrays;
import java.util.List;

/**
 * One write of the store's API, as a value: so the failover layer can resend it, the leader can
 * apply it together with a record of its outcome, and that outcome can be stored and replayed.
 *
 * @param <R> what the caller is owed: a previous value, a compare-and-set outcome, or nothing
 */
sealed interface WriteCommand<R> {

    /** Reads what this write needs through {@code db} and stages its changes there; returns the outcome. */
    R stage(Staging db);

    /** Returns the keys this write may change. */
    List<byte[]> keys();

    /** Sends this write to a remote leader under the given numbers and returns the outcome. */
    R sendTo(RemoteStore remote, long seq, long ackedUpTo);

    /** Returns {@code outcome} as bytes, for the leader's record of a numbered write. */
    byte[] encode(R outcome);

    /** Returns the outcome {@link #encode} turned into {@code bytes}. */
    R decode(byte[] bytes);

    /** What a write sees of the leader's database while it is being staged in one atomic batch. */
    interface Staging {
        byte[] current(byte[] key);

        void put(byte[] key, byte[] value);

        void delete(byte[] key);
    }

    /** A write whose outcome is the previous value, or null: recorded as a tag byte, then the value. */
    sealed interface ReturningPrevious extends WriteCommand<byte[]> {
        @Override
        default byte[] encode(byte[] previous) {
            if (previous == null) {
                return new byte[] {0};
            }
            byte[] out = new byte[previous.length + 1];
            out[0] = 1;
            System.arraycopy(previous, 0, out, 1, previous.length);
            return out;
        }

        @Override
        default byte[] decode(byte[] bytes) {
            return bytes[0] == 0 ? null : Arrays.copyOfRange(bytes, 1, bytes.length);
        }
    }

    record Put(byte[] key, byte[] value) implements ReturningPrevious {
        @Override
        public List<byte[]> keys() {
            return List.of(key);
        }

        @Override
        public byte[] stage(Staging db) {
            byte[] previous = db.current(key);
            db.put(key, value);
            return previous;
        }

        @Override
        public byte[] sendTo(RemoteStore remote, long seq, long ackedUpTo) {
            return remote.put(key, value, seq, ackedUpTo);
        }
    }

    record Delete(byte[] key) implements ReturningPrevious {
        @Override
        public List<byte[]> keys() {
            return List.of(key);
        }

        @Override
        public byte[] stage(Staging db) {
            byte[] previous = db.current(key);
            if (previous != null) {
                db.delete(key);
            }
            return previous;
        }

        @Override
        public byte[] sendTo(RemoteStore remote, long seq, long ackedUpTo) {
            return remote.delete(key, seq, ackedUpTo);
        }
    }

    record CompareAndSet(byte[] key, byte[] expected, byte[] update) implements WriteCommand<Boolean> {
        @Override
        public List<byte[]> keys() {
            return List.of(key);
        }

        @Override
        public Boolean stage(Staging db) {
            byte[] current = db.current(key);
            if (!Arrays.equals(current, expected)) {
                return false;
            }
            if (update != null) {
                db.put(key, update);
            } else if (current != null) {
                db.delete(key);
            }
            return true;
        }

        @Override
        public Boolean sendTo(RemoteStore remote, long seq, long ackedUpTo) {
            return remote.compareAndSet(key, expected, update, seq, ackedUpTo);
        }

        @Override
        public byte[] encode(Boolean outcome) {
            return new byte[] {(byte) (outcome ? 1 : 0)};
        }

        @Override
        public Boolean decode(byte[] bytes) {
            return bytes[0] == 1;
        }
    }

    record Batch(List<StoreWrite> writes) implements WriteCommand<Void> {
        @Override
        public List<byte[]> keys() {
            return writes.stream().map(StoreWrite::key).toList();
        }

        @Override
        public Void stage(Staging db) {
            for (StoreWrite w : writes) {
                if (w.isDelete()) {
                    db.delete(w.key());
                } else {
                    db.put(w.key(), w.value());
                }
            }
            return null;
        }

        @Override
        public Void sendTo(RemoteStore remote, long seq, long ackedUpTo) {
            remote.batch(writes, seq, ackedUpTo);
            return null;
        }

        @Override
        public byte[] encode(Void outcome) {
            return new byte[0];
        }

        @Override
        public Void decode(byte[] bytes) {
            return null;
        }
    }
}
