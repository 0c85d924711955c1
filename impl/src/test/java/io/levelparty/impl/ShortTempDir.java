package io.levelparty.impl;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes {@code @TempDir} directories directly under /tmp with short names, so that socket paths in
 * them stay far below the ~107-byte limit of Unix socket addresses wherever java.io.tmpdir points.
 * JUnit deletes them as usual.
 */
final class ShortTempDir implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
            throws Exception {
        return Files.createTempDirectory(Path.of("/tmp"), "lp");
    }
}
