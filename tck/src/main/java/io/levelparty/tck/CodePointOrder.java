package io.levelparty.tck;

import java.io.Serializable;
import java.util.Comparator;

/**
 * Unicode code-point order of strings: the unsigned order of their UTF-8 bytes, so the order of a
 * map that keeps keys as UTF-8 in a bytewise-sorted store (LevelDB, etcd). It differs from
 * {@link String#compareTo} only between supplementary characters and U+E000 to U+FFFF. Return it
 * from {@link MapContractSupport#keyOrder()} for such a map. Written independently of any map
 * implementation, so that expected orders never borrow the code under test.
 */
public enum CodePointOrder implements Comparator<String>, Serializable {
    /** The one instance. */
    INSTANCE;

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    @Override
    public String toString() {
        return "code-point order";
    }
}
