package io.procmaster.helper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * NTLMSSP messages for driving Squid's {@code ntlm_fake_auth} (its reading: Squid 5.7
 * lib/ntlmauth/ntlmauth.cc, {@code ntlm_unpack_auth}, {@code ntlm_fetch_string}): the helper decodes the
 * base64 after {@code KK }, wants signature {@code NTLMSSP\0} and type 3, and takes domain and user
 * from their string headers; with the Unicode flag each UTF-16LE unit up to 0xFE becomes one byte,
 * so {@code ö} (U+00F6) reaches its reply as the Latin-1 byte 0xF6.
 */
final class NtlmTestMessages {
    private static final int NEGOTIATE_UNICODE = 0x1;

    private NtlmTestMessages() {}

    /** {@code KK <base64 type-3>} with UTF-16LE domain and user (empty user: the helper answers NA). */
    static String authenticate(String domain, String user) {
        byte[] d = domain.getBytes(StandardCharsets.UTF_16LE);
        byte[] u = user.getBytes(StandardCharsets.UTF_16LE);
        int payload = 64; // header 12, six string headers of 8, flags 4
        ByteBuffer b = ByteBuffer.allocate(payload + d.length + u.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII)).putInt(3);
        stringHeader(b, 0, payload);                         // LM response
        stringHeader(b, 0, payload);                         // NT response
        stringHeader(b, d.length, payload);                  // domain
        stringHeader(b, u.length, payload + d.length);       // user
        stringHeader(b, 0, payload + d.length + u.length);   // workstation
        stringHeader(b, 0, payload + d.length + u.length);   // session key
        b.putInt(NEGOTIATE_UNICODE).put(d).put(u);
        return "KK " + Base64.getEncoder().encodeToString(b.array());
    }

    /** {@code KK <base64 type-1>}: a negotiate message where a type 3 belongs (the helper answers BH). */
    static String wrongType() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(NEGOTIATE_UNICODE);
        return "KK " + Base64.getEncoder().encodeToString(b.array());
    }

    /** The NTLMSSP message type of a base64 token (2 for a challenge), or -1 if it is none. */
    static int messageType(String base64) {
        byte[] m = Base64.getDecoder().decode(base64);
        if (m.length < 12 || !new String(m, 0, 8, StandardCharsets.US_ASCII).equals("NTLMSSP\0")) return -1;
        return ByteBuffer.wrap(m, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static void stringHeader(ByteBuffer b, int length, int offset) {
        b.putShort((short) length).putShort((short) length).putInt(offset);
    }
}
