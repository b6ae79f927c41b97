package dev.danmaku.gateway.ws;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who a connection comes from, for the per-address cap: its peer; or, when the peer is a trusted
 * proxy (the ingress), the nearest address in {@code X-Forwarded-For} that is not one. An
 * {@code X-Forwarded-For} from anyone else is ignored, so a client cannot pick its own address. IPv6
 * addresses count by their /64, the block one subscriber gets.
 */
public final class ClientAddresses {

    /** Address literals only (dotted IPv4, or IPv6 with its colons): parsing them never asks DNS. */
    private static final Pattern LITERAL = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    private record Block(byte[] network, int prefixBits) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            return rest == 0 || ((bytes[full] ^ network[full]) & (0xFF << (8 - rest)) & 0xFF) == 0;
        }
    }

    private final List<Block> trusted;

    private ClientAddresses(List<Block> trusted) {
        this.trusted = trusted;
    }

    /** Trusted proxies as addresses or CIDR blocks (10.0.0.0/8, fd00::/8); a bad one is an IllegalArgumentException. */
    public static ClientAddresses trusting(List<String> proxies) {
        List<Block> blocks = new ArrayList<>();
        for (String proxy : proxies) {
            String[] parts = proxy.strip().split("/", 2);
            InetAddress network = literal(parts[0]);
            if (network == null) {
                throw new IllegalArgumentException("not an address or CIDR block: " + proxy);
            }
            int bits = network.getAddress().length * 8;
            int prefix;
            try {
                prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an address or CIDR block: " + proxy);
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix out of range in " + proxy);
            }
            blocks.add(new Block(network.getAddress(), prefix));
        }
        return new ClientAddresses(List.copyOf(blocks));
    }

    /** The address a connection counts against: see the class. */
    public String of(InetAddress peer, String forwardedFor) {
        InetAddress client = peer;
        if (forwardedFor != null && isTrusted(client)) {
            String[] hops = forwardedFor.split(",");
            for (int i = hops.length - 1; i >= 0 && isTrusted(client); i--) {
                InetAddress hop = literal(hops[i].strip());
                if (hop == null) {
                    break; // garbage from beyond the last trusted proxy: that proxy is who we know
                }
                client = hop;
            }
        }
        return key(client);
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(block -> block.contains(address));
    }

    private static String key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            StringBuilder block = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                block.append(Integer.toHexString(((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF))).append(':');
            }
            return block.append(":/64").toString();
        }
        return address.getHostAddress();
    }

    private static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (bare.isEmpty() || !LITERAL.matcher(bare).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
