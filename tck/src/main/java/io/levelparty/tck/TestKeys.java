package io.levelparty.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Keys and values the contract tests store. Keys are {@code "k"} followed by a four-digit number;
 * a test stores the even-numbered keys of a range and uses the odd-numbered ones as absent keys that
 * fall between them. Every value is derived from its key, so a value found anywhere identifies the
 * key it was stored under.
 */
final class TestKeys {

    /** Number of keys in {@link #universe()}: the stored keys and the absent keys between them. */
    static final int UNIVERSE_SIZE = 61;

    /**
     * Keys beyond ASCII: one- to four-byte UTF-8 forms, the edges of each, characters whose UTF-16
     * order differs from their code point order, the empty key and keys that are prefixes of others.
     */
    static final List<String> UNICODE_KEYS = List.of(
            "", "\u0000", "a", "a\u0000", "ab", "z", "~", "\u007F", "\u0080", "\u00E9", "e\u0301",
            "\u07FF", "\u0800", "\u4E2D", "\u4E2D\u6587", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF",
            "\uD800\uDC00", "\uD83D\uDE00", "\uD83D\uDE00a", "\uDBFF\uDFFF");

    private TestKeys() {
    }

    /** Returns the key numbered {@code i}. */
    static String key(int i) {
        return String.format("k%04d", i);
    }

    /** Returns the value stored under {@code key}. */
    static String valueOf(String key) {
        return "v:" + key;
    }

    /** Returns the key that {@code value}, made by {@link #valueOf}, was stored under. */
    static String keyOfValue(String value) {
        if (!value.startsWith("v:")) {
            throw new AssertionError("not a value of the contract tests: " + value);
        }
        return value.substring(2);
    }

    /** Returns the keys numbered {@code 0} to {@code count - 1}, every other one stored by tests. */
    static List<String> universe(int count) {
        return keys(IntStream.range(0, count));
    }

    /** Returns the keys numbered {@code 0} to {@code UNIVERSE_SIZE - 1}. */
    static List<String> universe() {
        return universe(UNIVERSE_SIZE);
    }

    /** Returns the even-numbered keys of {@link #universe()}: the keys tests store. */
    static List<String> present() {
        return present(UNIVERSE_SIZE / 2 + 1);
    }

    /** Returns {@code count} even-numbered keys, starting at key 0. */
    static List<String> present(int count) {
        return keys(IntStream.range(0, count).map(i -> 2 * i));
    }

    /** Returns the odd-numbered keys of {@link #universe()}: keys tests never store up front. */
    static List<String> absent() {
        return keys(IntStream.range(0, UNIVERSE_SIZE / 2).map(i -> 2 * i + 1));
    }

    private static List<String> keys(IntStream numbers) {
        List<String> keys = new ArrayList<>();
        numbers.forEach(i -> keys.add(key(i)));
        return List.copyOf(keys);
    }
}
