package io.levelparty.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A process of the etcd load run ({@link EtcdReport}): threads that read and write uniformly
 * chosen keys of an etcd map, through LevelParty or through jetcd itself on the same etcd keys.
 *
 * <pre>
 * EtcdLoadChild strict|relaxed|raw ENDPOINT PATH THREADS WARMUP_SECONDS SECONDS PUT_PERCENT
 *   -> READY       "go": the threads run WARMUP_SECONDS unmeasured, then SECONDS measured
 *                  -> DONE operations nanoseconds
 * </pre>
 * The map at PATH must hold entries 0 … {@link EtcdBench#ENTRIES}-1. A put writes a key's own
 * value again, so the data stay the same; through LevelParty it is {@code Map.put}, through jetcd a
 * plain {@code KV.put}.
 */
public final class EtcdLoadChild {
    /** One read or write of entry {@code i}. */
    private interface Operation {
        void run(int i, boolean put) throws Exception;
    }

    private EtcdLoadChild() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String endpoint = args[1];
        String path = args[2];
        int threads = Integer.parseInt(args[3]);
        long warmupNanos = Long.parseLong(args[4]) * 1_000_000_000L;
        long nanos = Long.parseLong(args[5]) * 1_000_000_000L;
        int putPercent = Integer.parseInt(args[6]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        AutoCloseable resource;
        Operation operation;
        if (kind.equals("raw")) {
            Client client = Client.builder().endpoints("http://" + endpoint).build();
            KV kv = client.getKVClient();
            ByteSequence[] keys = new ByteSequence[EtcdBench.ENTRIES];
            ByteSequence[] values = new ByteSequence[EtcdBench.ENTRIES];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = EtcdBench.etcdKey(path, BenchData.key(i));
                values[i] = ByteSequence.from(BenchData.value(i));
            }
            resource = client;
            operation = (i, put) -> {
                if (put) {
                    kv.put(keys[i], values[i]).get();
                } else {
                    kv.get(keys[i]).get();
                }
            };
        } else {
            PartyOptions<byte[]> options = EtcdBench.patient(Codecs.bytes());
            if (kind.equals("relaxed")) {
                options = options.consistency(Consistency.RELAXED);
            }
            PartyMap<byte[]> map = LevelParty.open(URI.create("etcd://" + endpoint + path), options);
            byte[][] values = new byte[EtcdBench.ENTRIES][];
            for (int i = 0; i < values.length; i++) {
                values[i] = BenchData.value(i);
            }
            resource = map;
            operation = (i, put) -> {
                if (put) {
                    map.put(BenchData.key(i), values[i]);
                } else {
                    map.get(BenchData.key(i));
                }
            };
        }
        System.out.println("READY");
        System.out.flush();
        if (!"go".equals(in.readLine())) {
            resource.close();
            return;
        }
        LongAdder operations = new LongAdder();
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + nanos;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
                        operation.run(random.nextInt(EtcdBench.ENTRIES), random.nextInt(100) < putPercent);
                        if (now - measureFrom >= 0) {
                            operations.increment();
                        }
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e instanceof ExecutionException ? e.getCause() : e);
                    }
                }
            }, "load-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        resource.close();
        if (!failures.isEmpty()) {
            System.out.println("FAILED " + failures.get(0));
            return;
        }
        System.out.println("DONE " + operations.sum() + " " + nanos);
        System.out.flush();
    }
}
