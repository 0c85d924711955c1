package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** {@link ReadSpin} on a real Unix socket: when a read about to block polls first, and when it stops. */
class ReadSpinTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private AFUNIXServerSocket server;
    private AFUNIXSocket reader;
    private AFUNIXSocket writer;
    private InputStream in;
    private final ReadSpin spin = new ReadSpin();

    @BeforeEach
    void connect() throws IOException {
        assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "with one CPU nothing polls");
        server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(dir.resolve("s")));
        reader = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(dir.resolve("s")));
        writer = server.accept();
        in = reader.getInputStream();
    }

    @AfterEach
    void close() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {writer, reader, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the test's outcome is decided
            }
        }
    }

    @Test
    void aPeerThatAnswersAtOnceIsPolledForEveryTime() throws IOException {
        writer.getOutputStream().write(1);
        for (int i = 1; i <= 3 * ReadSpin.PROBE_EVERY; i++) {
            assertTrue(spin.awaitReadable(in));
            assertEquals(i, spin.polls());
        }
    }

    @Test
    void aSilentPeerIsPolledForOnlyNowAndThen() throws IOException {
        int untilOutOfCredit = ReadSpin.CREDIT_MAX / 2;
        for (int i = 1; i <= untilOutOfCredit; i++) {
            assertFalse(spin.awaitReadable(in));
            assertEquals(i, spin.polls(), "polls while it has credit");
        }
        for (int i = 1; i < ReadSpin.PROBE_EVERY; i++) {
            assertFalse(spin.awaitReadable(in));
        }
        assertEquals(untilOutOfCredit, spin.polls(), "reads block at once once polling stopped paying");
        assertFalse(spin.awaitReadable(in));
        assertEquals(untilOutOfCredit + 1, spin.polls(), "every " + ReadSpin.PROBE_EVERY + "th read polls again");
    }

    @Test
    void aProbeThatFindsBytesResumesPolling() throws IOException {
        for (int i = 0; i < ReadSpin.CREDIT_MAX / 2 + ReadSpin.PROBE_EVERY; i++) {
            spin.awaitReadable(in);
        }
        long polls = spin.polls();
        writer.getOutputStream().write(1);
        for (int i = 1; i < ReadSpin.PROBE_EVERY; i++) {
            assertFalse(spin.awaitReadable(in), "out of credit: does not look");
        }
        assertTrue(spin.awaitReadable(in), "the probe sees the byte");
        assertTrue(spin.awaitReadable(in), "and polling resumes at once");
        assertEquals(polls + 2, spin.polls());
    }

    @Test
    void aFewSilencesDoNotStopPolling() throws IOException {
        // Two polls in three paying keeps the credit where it is; fewer lets it run out.
        for (int i = 0; i < ReadSpin.CREDIT_MAX / 2 - 1; i++) {
            assertFalse(spin.awaitReadable(in));
        }
        writer.getOutputStream().write(1);
        assertTrue(spin.awaitReadable(in));
        assertTrue(spin.awaitReadable(in));
        assertEquals(ReadSpin.CREDIT_MAX / 2 + 1, spin.polls(), "still polling: credit left");
    }
}
