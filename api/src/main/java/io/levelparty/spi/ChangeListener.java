package io.levelparty.spi;

import io.levelparty.Change;
import java.util.List;

/**
 * Receives a store's committed writes, in commit order ({@link PartyStore#subscribe}). Called on
 * a thread of the store, often with a lock held that orders writes: it must return quickly and
 * never block, for example by handing the changes to a queue of its own.
 */
public interface ChangeListener {
    /**
     * The changes of one committed write (several for a batch), numbered {@code sequence}.
     * {@code writes} must not be modified.
     */
    void onChanges(long sequence, List<StoreWrite> writes);

    /** Changes may have been missed here, for {@code reason}. */
    void onGap(Change.GapReason reason);
}
