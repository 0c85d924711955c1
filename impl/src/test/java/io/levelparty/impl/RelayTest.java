package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Change.GapReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The relay between producers that never wait and a consumer that may be slow. */
class RelayTest {
    /**
     * A consumer that stops taking items holds at most the relay's weight in its queue: what does
     * not fit is dropped and reported as a gap, in its place.
     */
    @Test
    void itemsBeyondTheWeightBoundAreDroppedForAGap() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (Relay<String> relay = new Relay<>("relay-test", 1_000, 25, item -> 10, new Relay.Sink<>() {
            @Override
            public void accept(String item) throws Exception {
                seen.add(item);
                taken.countDown();
                release.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // a stuck consumer
                if (item.equals("last")) {
                    done.countDown();
                }
            }

            @Override
            public void gap(GapReason reason) {
                seen.add("gap " + reason);
            }
        })) {
            relay.offer("first");
            assertTrue(taken.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            for (int i = 0; i < 5; i++) {
                relay.offer("item" + i); // 10 each: two fit under 25, the rest are dropped
            }
            release.countDown();
            Poll.until(() -> seen.size() == 4, "the queue to drain");
            relay.offer("last"); // it fits again
            assertTrue(done.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(List.of("first", "item0", "item1", "gap OVERFLOW", "last"), seen);
        }
    }
}
