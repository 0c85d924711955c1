package io.levelparty.tck.conformance;

import java.io.Serializable;
import java.util.Comparator;

/**
 * Unicode code-point order of strings, written here independently of the implementation so that
 * the control map and the generators' expected order do not borrow the code under test.
 */
enum CodePointOrder implements Comparator<String>, Serializable {
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
