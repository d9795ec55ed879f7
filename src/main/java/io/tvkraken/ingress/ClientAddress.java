package io.tvkraken.ingress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request comes from, as {@code ALLOWED_IPS} and the rate limits judge it. Without
 * {@code TRUSTED_PROXIES} it is the TCP peer, and {@code X-Forwarded-For} is ignored: anyone can write that header.
 * Behind a reverse proxy listed in {@code TRUSTED_PROXIES}, the proxy appends the address it saw to
 * {@code X-Forwarded-For}; the list is read from the right, skipping trusted proxies, and the first address that is
 * not one is the client (docs/operations.md#reverse-proxies). Entries to the left of it were written by the caller
 * and are never believed.
 */
public final class ClientAddress {

    private final IpAllowList trustedProxies;

    /** {@code trustedProxies}: a comma list of addresses and CIDR blocks, as {@code ALLOWED_IPS}; empty = none. */
    public ClientAddress(String trustedProxies) {
        try {
            this.trustedProxies = new IpAllowList(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("ALLOWED_IPS", "TRUSTED_PROXIES"));
        }
    }

    public boolean trustsProxies() {
        return !trustedProxies.allowsEveryone();
    }

    /**
     * The client's address: {@code peer}, or, when {@code peer} is a trusted proxy, the right-most address of
     * {@code forwardedFor} (the {@code X-Forwarded-For} values, comma-separated, possibly several header lines joined
     * by commas) that is not a trusted proxy. An entry that is not an IP literal ends the walk: the last address that
     * was read stands.
     */
    public String of(String peer, String forwardedFor) {
        if (peer == null || !trustsProxies() || !trustedProxies.allows(peer) || forwardedFor == null) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String entry : forwardedFor.split(",")) {
            if (!entry.isBlank()) {
                hops.add(entry.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = literal(hops.get(i));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!trustedProxies.allows(hop)) {
                break;
            }
        }
        return client;
    }

    /** An IP literal in its canonical form, or null; never a DNS look-up (only digits, dots, hex and colons). */
    static String literal(String text) {
        String t = text;
        if (t.startsWith("[") && t.contains("]")) {
            t = t.substring(1, t.indexOf(']'));
        }
        boolean ipv4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = t.contains(":") && t.matches("[0-9a-fA-F:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
