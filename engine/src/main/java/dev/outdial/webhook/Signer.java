package dev.outdial.webhook;

import com.standardwebhooks.Webhook;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Standard Webhooks signatures, made with the scheme's reference implementation: {@code v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">} per secret, space-separated, so a receiver accepts a message
 * during a secret rotation whichever secret it holds.
 */
final class Signer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Signer() {
    }

    /** A new secret: {@code whsec_} and 24 random bytes in base64, as Standard Webhooks and Svix write them. */
    static String newSecret() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    static String signature(List<String> secrets, String msgId, long timestampSeconds, String body) {
        StringBuilder sb = new StringBuilder();
        for (String secret : secrets) {
            try {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(new Webhook(secret).sign(msgId, timestampSeconds, body));
            } catch (Exception e) { // signing or empty-secret exceptions: a bad stored secret is a bug, not bad input
                throw new IllegalStateException("webhook " + msgId + ": cannot sign (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        return sb.toString();
    }
}
