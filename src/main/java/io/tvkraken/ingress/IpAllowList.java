package io.tvkraken.ingress;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ALLOWED_IPS}: a comma list of addresses and CIDR blocks (IPv4 or IPv6) allowed to call {@code /webhook/*}.
 * Empty means everyone. TradingView publishes its four source addresses (docs/tradingview.md#source-addresses).
 * Entries are parsed as literals only: no name is ever resolved through DNS.
 */
public final class IpAllowList {

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int bits = address.length * 8;
            BigInteger mask = prefix == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                            .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
        }
    }

    private final List<Block> blocks;

    public IpAllowList(String spec) {
        List<Block> parsed = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String[] parts = entry.split("/", 2);
            byte[] address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("ALLOWED_IPS: '" + entry + "' is not an IP address or CIDR block");
            }
            int prefix = address.length * 8;
            if (parts.length == 2) {
                try {
                    prefix = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("ALLOWED_IPS: '" + entry + "' has an invalid prefix length");
                }
            }
            parsed.add(new Block(address, prefix));
        }
        this.blocks = List.copyOf(parsed);
    }

    public boolean allowsEveryone() {
        return blocks.isEmpty();
    }

    public boolean allows(String address) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] bytes = address == null ? null : literal(address);
        if (bytes == null) {
            return false;
        }
        bytes = unmapIpv4(bytes);
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 caller may show up as {@code ::ffff:a.b.c.d} on a dual-stack socket. */
    private static byte[] unmapIpv4(byte[] bytes) {
        if (bytes.length == 16) {
            boolean mapped = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = bytes[i] == 0;
            }
            if (mapped) {
                return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
            }
        }
        return bytes;
    }

    /** Parses an IP literal without DNS: only digits, dots, hex and colons are accepted. */
    private static byte[] literal(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        if (t.isEmpty() || !t.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        if (!t.contains(":") && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
