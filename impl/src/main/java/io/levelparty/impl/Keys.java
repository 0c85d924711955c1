package io.levelparty.impl;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Objects;

/**
 * Map keys as LevelDB sees them: their UTF-8 bytes, ordered unsigned bytewise, which is the order
 * of Unicode code points ({@link #ORDER}).
 */
final class Keys {
    /** Unicode code-point order: the order of the keys' UTF-8 bytes in LevelDB. */
    static final Comparator<String> ORDER = new CodePointOrder();

    private Keys() {}

    /**
     * Returns the UTF-8 bytes of {@code key}.
     *
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} is not a string
     * @throws IllegalArgumentException if {@code key} has an unpaired surrogate, which UTF-8 cannot represent
     */
    static byte[] encode(Object key) {
        String k = (String) Objects.requireNonNull(key, "key");
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < k.length() && Character.isLowSurrogate(k.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(
                        "Key \"%s\" has an unpaired surrogate U+%04X at index %d: it has no UTF-8 form and cannot be stored",
                        k, (int) c, i));
            }
        }
        return k.getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the key whose UTF-8 bytes are {@code bytes}. */
    static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Compares UTF-16 strings in code-point order. Unit by unit, UTF-16 order agrees with code-point
     * order except that surrogates (U+D800–U+DFFF, which encode code points above U+FFFF) sort below
     * U+E000–U+FFFF; at the first differing unit, shifting both units moves surrogates to the top.
     */
    private static final class CodePointOrder implements Comparator<String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(String a, String b) {
            int n = Math.min(a.length(), b.length());
            for (int i = 0; i < n; i++) {
                char x = a.charAt(i);
                char y = b.charAt(i);
                if (x != y) {
                    return fixUp(x) - fixUp(y);
                }
            }
            return a.length() - b.length();
        }

        private static int fixUp(char c) {
            if (c < Character.MIN_SURROGATE) {
                return c;
            }
            return c >= 0xE000 ? c - 0x800 : c + 0x2000;
        }

        private Object readResolve() {
            return ORDER;
        }

        @Override
        public String toString() {
            return "Unicode code-point order";
        }
    }
}
