package dev.openplus.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

import dev.openplus.config.Config;

/**
 * Which URLs a webhook may be delivered to: http or https, no credentials in the URL, a host of the allow-list
 * ({@code OPENPLUS_WEBHOOK_ALLOWED_HOSTS}) when there is one, and a host whose every address is public unless
 * {@code OPENPLUS_WEBHOOK_ALLOW_PRIVATE=true}: otherwise anyone who can create a subscription could make the server
 * POST into its own network (loopback, the cloud's metadata address, the database). Checked when a subscription is
 * created and again before every delivery, since the name may resolve elsewhere by then (DNS rebinding).
 */
public final class WebhookUrls {
    private final boolean allowPrivate;
    private final List<String> allowedHosts;

    public WebhookUrls(Config.Webhooks settings) {
        this.allowPrivate = settings.allowPrivate();
        this.allowedHosts = settings.allowedHosts();
    }

    /** A URL refused, with the reason an operator reads. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The URL if it may receive deliveries now (its host resolved and every address checked). */
    public URI check(String url) {
        URI uri = checkForm(url);
        checkAddresses(uri.getHost());
        return uri;
    }

    /** The URL's form and host name, without resolving it. */
    URI checkForm(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("the URL is not valid: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("the URL must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("the URL must not hold credentials (user:password@); the signature authenticates the "
                    + "server to the receiver");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("the URL has no host");
        }
        String host = host(uri);
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(host)) {
            throw new Refused("the host " + host + " is not in OPENPLUS_WEBHOOK_ALLOWED_HOSTS");
        }
        return uri;
    }

    private void checkAddresses(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("the host " + host + " cannot be resolved");
        }
        if (allowPrivate) {
            return;
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new Refused("the host " + host + " resolves to " + address.getHostAddress() + ", a private, "
                        + "loopback, link-local, multicast or unspecified address (allowed only with "
                        + "OPENPLUS_WEBHOOK_ALLOW_PRIVATE=true)");
            }
        }
    }

    /** Lowercase, without the brackets of an IPv6 literal or a trailing dot. */
    private static String host(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            // 0.0.0.0/8 ("this network"), 100.64.0.0/10 (carrier-grade NAT), 198.18.0.0/15 (benchmarking),
            // 240.0.0.0/4 (reserved, and the broadcast address).
            return first != 0 && !(first == 100 && (second & 0xc0) == 64) && !(first == 198 && (second & 0xfe) == 18)
                    && first < 240;
        }
        if (address instanceof Inet6Address) {
            // fc00::/7: unique local addresses, IPv6's private range (Java's site-local is only the old fec0::/10).
            return (bytes[0] & 0xfe) != 0xfc;
        }
        return true;
    }
}
