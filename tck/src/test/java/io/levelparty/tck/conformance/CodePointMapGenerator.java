package io.levelparty.tck.conformance;

import io.levelparty.tck.CodePointOrder;
import static com.google.common.collect.testing.Helpers.mapEntry;

import com.google.common.collect.testing.SampleElements;
import com.google.common.collect.testing.TestStringSortedMapGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * Generates string maps from a {@link MapSource}, expecting their entries in {@linkplain
 * CodePointOrder code-point order} of keys.
 */
final class CodePointMapGenerator extends TestStringSortedMapGenerator {

    /** Guava's usual samples ("one" → "January" …), all ASCII, bounded by "!! a" … "~~ b". */
    static CodePointMapGenerator ascii(MapSource source) {
        return new CodePointMapGenerator(source, null);
    }

    /**
     * Samples whose keys take one to four bytes in UTF-8, including a character from U+E000–U+FFFF
     * and one beyond U+FFFF: code-point order puts the first below the second, while
     * {@link String#compareTo} would put it above, so a map that sorted UTF-16 units anywhere would
     * fail. The keys testlib puts below the samples start with U+0020 and U+0021, those above
     * them with U+10FFFD.
     */
    static CodePointMapGenerator beyondBmp(MapSource source) {
        return new CodePointMapGenerator(source, List.of(
            mapEntry("apple", "\uD83C\uDF4E"), // 🍎
            mapEntry("\u00E9t\u00E9", "summer"), // été
            mapEntry("\u4E2D\u6587", "Chinese"), // 中文
            mapEntry("\uFB01n", "\u00E0 la fin"), // ﬁn (U+FB01 LATIN SMALL LIGATURE FI)
            mapEntry("\uD83D\uDE00", "grinning face"), // 😀 U+1F600
            mapEntry(" \uDBFF\uDFFF", "below view"), // space, U+10FFFF
            mapEntry("!", "below view"),
            mapEntry("\uDBFF\uDFFD a", "above view"), // U+10FFFD
            mapEntry("\uDBFF\uDFFD b", "above view")));
    }

    private final MapSource source;
    /** Five samples, then the lesser and greater key below them and above them; null for Guava's. */
    private final List<Map.Entry<String, String>> samples;

    private CodePointMapGenerator(MapSource source, List<Map.Entry<String, String>> samples) {
        this.source = source;
        this.samples = samples;
    }

    @Override
    public SampleElements<Map.Entry<String, String>> samples() {
        return samples == null ? super.samples()
                : new SampleElements<>(samples.get(0), samples.get(1), samples.get(2), samples.get(3),
                        samples.get(4));
    }

    @Override
    public Map.Entry<String, String> belowSamplesLesser() {
        return samples == null ? super.belowSamplesLesser() : samples.get(5);
    }

    @Override
    public Map.Entry<String, String> belowSamplesGreater() {
        return samples == null ? super.belowSamplesGreater() : samples.get(6);
    }

    @Override
    public Map.Entry<String, String> aboveSamplesLesser() {
        return samples == null ? super.aboveSamplesLesser() : samples.get(7);
    }

    @Override
    public Map.Entry<String, String> aboveSamplesGreater() {
        return samples == null ? super.aboveSamplesGreater() : samples.get(8);
    }

    @Override
    protected SortedMap<String, String> create(Map.Entry<String, String>[] entries) {
        ConcurrentNavigableMap<String, String> map = source.newMap();
        for (Map.Entry<String, String> e : entries) {
            map.put(e.getKey(), e.getValue());
        }
        return map;
    }

    @Override
    public Iterable<Map.Entry<String, String>> order(List<Map.Entry<String, String>> insertionOrder) {
        List<Map.Entry<String, String>> sorted = new ArrayList<>(insertionOrder);
        sorted.sort(Map.Entry.comparingByKey(CodePointOrder.INSTANCE));
        return sorted;
    }
}
