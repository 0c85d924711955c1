package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing {@code etcd://host:port[,host:port…]/path} URIs, and the errors that say what is wrong. */
class EtcdAddressTest {

    @Test
    void parsesEveryHostAndThePath() {
        EtcdAddress address = EtcdAddress.parse(URI.create("etcd://10.0.0.1:2379,etcd-b:2380,etcd-c:2381/app/users"));
        assertEquals(List.of("http://10.0.0.1:2379", "http://etcd-b:2380", "http://etcd-c:2381"), address.endpoints());
        assertEquals("/app/users", address.path());
    }

    @Test
    void aSingleHostMayBeAnIpv6Address() {
        assertEquals(List.of("http://[::1]:2381"), EtcdAddress.parse(URI.create("etcd://[::1]:2381/m")).endpoints());
    }

    @Test
    void aHostWithoutPortUsesEtcdsClientPort() {
        assertEquals(List.of("http://etcd:2379", "http://etcd-b:2379"),
                EtcdAddress.parse(URI.create("etcd://etcd,etcd-b/m")).endpoints());
        assertEquals(List.of("http://[fe80::1]:2379"), EtcdAddress.parse(URI.create("etcd://[fe80::1]/m")).endpoints());
    }

    @Test
    void thePathIsDecoded() {
        assertEquals("/caf\u00e9 menu", EtcdAddress.parse(URI.create("ETCD://h:1/caf%C3%A9%20menu")).path());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "etcd://127.0.0.1:2379             | it names no key prefix",
        "etcd://127.0.0.1:2379/            | it names no key prefix",
        "etcd:///app                       | it names no host:port",
        "etcd:app                          | it has no //host:port part",
        "http://127.0.0.1:2379/app         | its scheme is not etcd",
        "etcd://127.0.0.1:2379/app?x=1     | take no query or fragment",
        "etcd://127.0.0.1:2379/app#x       | take no query or fragment",
        "etcd://me@127.0.0.1:2379/app      | user names and passwords are not supported",
        "etcd://127.0.0.1:http/app         | '127.0.0.1:http' has no valid port",
        "etcd://127.0.0.1:0/app            | '127.0.0.1:0' has no valid port",
        "etcd://127.0.0.1:65536/app        | '127.0.0.1:65536' has no valid port",
        "etcd://a:1,,b:2/app               | an empty host between commas",
        "etcd://:2379/app                  | ':2379' has no host",
        "etcd://a:1:2/app                  | write an IPv6 address in brackets",
        "etcd://a:1/x%00y                  | contains a zero byte",
    })
    void invalidUrisAreRefusedSayingWhatIsWrong(String uri, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EtcdAddress.parse(new URI(uri)));
        assertTrue(e.getMessage().contains(uri) && e.getMessage().contains(why), e.getMessage());
    }
}
