package io.levelparty.etcd;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an {@code etcd://host:port[,host:port…]/path} URI names: the client endpoints of one etcd
 * cluster and the path whose keys hold one map. A port left out is etcd's client port, 2379.
 *
 * @param endpoints the endpoints as {@code http://host:port}, in the URI's order
 * @param path the decoded path, beginning with {@code /}, never {@code /} alone
 */
record EtcdAddress(List<String> endpoints, String path) {
    static final int DEFAULT_PORT = 2379;
    private static final String EXAMPLE = "etcd://127.0.0.1:2379/app/users";

    EtcdAddress {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code uri}
     */
    static EtcdAddress parse(URI uri) {
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("etcd")) {
            throw invalid(uri, "its scheme is not etcd");
        }
        if (uri.isOpaque()) {
            throw invalid(uri, "it has no //host:port part");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid(uri, "etcd URIs take no query or fragment");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(uri, "user names and passwords are not supported");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw invalid(uri, "it names no host:port");
        }
        List<String> endpoints = new ArrayList<>();
        for (String hostPort : authority.split(",", -1)) {
            endpoints.add(endpoint(uri, hostPort));
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            throw invalid(uri, "it names no key prefix: give a path after the hosts");
        }
        if (path.indexOf('\0') >= 0) {
            throw invalid(uri, "its path contains a zero byte, which ends the prefix of every map");
        }
        return new EtcdAddress(endpoints, path);
    }

    /** Returns the path as the UTF-8 bytes etcd keys of this map begin with. */
    byte[] pathBytes() {
        return path.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "etcd " + String.join(",", endpoints) + " " + path;
    }

    private static String endpoint(URI uri, String hostPort) {
        if (hostPort.isEmpty()) {
            throw invalid(uri, "it has an empty host between commas");
        }
        // java.net.URI has checked a single host, an IPv6 address in brackets included; hosts in a
        // list have no IPv6 form, as URI refuses brackets there.
        int colon = hostPort.startsWith("[") ? hostPort.indexOf(':', hostPort.indexOf(']')) : hostPort.indexOf(':');
        if (!hostPort.startsWith("[") && colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
            throw invalid(uri, "'" + hostPort + "' has several colons: write an IPv6 address in brackets, alone");
        }
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        String port = colon < 0 ? null : hostPort.substring(colon + 1);
        if (host.isEmpty()) {
            throw invalid(uri, "'" + hostPort + "' has no host");
        }
        return "http://" + host + ":" + port(uri, hostPort, port);
    }

    private static int port(URI uri, String hostPort, String port) {
        if (port == null) {
            return DEFAULT_PORT;
        }
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw invalid(uri, "'" + hostPort + "' has no valid port: '" + port + "' is not a number from 1 to 65535");
    }

    private static IllegalArgumentException invalid(URI uri, String why) {
        return new IllegalArgumentException("Not a valid etcd map URI, " + uri + ": " + why + " (expected "
                + "etcd://host:port[,host:port…]/key/prefix, e.g. " + EXAMPLE + ")");
    }
}
