package io.levelparty.spi;

import java.util.Arrays;

/**
 * A range of keys in unsigned bytewise order. A {@code null} bound is unbounded on that side.
 *
 * @param low the lower bound, or {@code null}
 * @param lowInclusive whether {@code low} itself is in the range
 * @param high the upper bound, or {@code null}
 * @param highInclusive whether {@code high} itself is in the range
 */
public record KeyRange(byte[] low, boolean lowInclusive, byte[] high, boolean highInclusive) {
    /** The range of all keys. */
    public static final KeyRange ALL = new KeyRange(null, false, null, false);

    /** Returns whether {@code key} lies below the range. */
    public boolean tooLow(byte[] key) {
        if (low == null) {
            return false;
        }
        int c = Arrays.compareUnsigned(key, low);
        return c < 0 || (c == 0 && !lowInclusive);
    }

    /** Returns whether {@code key} lies above the range. */
    public boolean tooHigh(byte[] key) {
        if (high == null) {
            return false;
        }
        int c = Arrays.compareUnsigned(key, high);
        return c > 0 || (c == 0 && !highInclusive);
    }

    /** Returns whether {@code key} lies in the range. */
    public boolean contains(byte[] key) {
        return !tooLow(key) && !tooHigh(key);
    }

    /** Returns the part of this range strictly above {@code key}. */
    public KeyRange above(byte[] key) {
        return new KeyRange(key, false, high, highInclusive);
    }

    /** Returns the part of this range strictly below {@code key}. */
    public KeyRange below(byte[] key) {
        return new KeyRange(low, lowInclusive, key, false);
    }

    /** Returns whether no key can lie in the range. */
    public boolean isEmpty() {
        if (low == null || high == null) {
            return false;
        }
        int c = Arrays.compareUnsigned(low, high);
        return c > 0 || (c == 0 && !(lowInclusive && highInclusive));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && lowInclusive == r.lowInclusive && highInclusive == r.highInclusive
                && Arrays.equals(low, r.low) && Arrays.equals(high, r.high);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(low) + Arrays.hashCode(high)) + (lowInclusive ? 2 : 0) + (highInclusive ? 1 : 0);
    }

    @Override
    public String toString() {
        return (lowInclusive ? "[" : "(") + (low == null ? "-inf" : Arrays.toString(low)) + ", "
                + (high == null ? "+inf" : Arrays.toString(high)) + (highInclusive ? "]" : ")");
    }
}
