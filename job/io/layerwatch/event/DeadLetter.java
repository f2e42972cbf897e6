package io.layerwatch.event;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Something that could not be processed: where it came from, at which stage, why, and the offending
 * bytes (truncated). UTF-8 text is kept as text, anything else as base64.
 */
public record DeadLetter(
        String source,
        String stage,
        String reason,
        String payload,
        String encoding,
        long payloadBytes) {

    public static final int MAX_PAYLOAD_BYTES = 4096;

    public static DeadLetter of(
            String source, String stage, String reason, byte[] bytes, int offset, int length) {
        int kept = Math.min(length, MAX_PAYLOAD_BYTES);
        String text = utf8OrNull(bytes, offset, kept);
        // A cut inside a multi-byte character: drop up to three trailing bytes.
        for (int trim = 1; text == null && kept < length && trim <= 3; trim++) {
            text = utf8OrNull(bytes, offset, kept - trim);
        }
        if (text != null) {
            return new DeadLetter(source, stage, reason, text, "utf8", length);
        }
        byte[] slice = new byte[kept];
        System.arraycopy(bytes, offset, slice, 0, kept);
        return new DeadLetter(
                source, stage, reason, Base64.getEncoder().encodeToString(slice), "base64", length);
    }

    /** With an event's record as the payload. */
    public static DeadLetter ofRecord(String source, String stage, String reason, RawJson raw) {
        return of(source, stage, reason, raw.bytes(), raw.offset(), raw.length());
    }

    public static DeadLetter of(String source, String stage, String reason, String text) {
        byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        return of(source, stage, reason, bytes, 0, bytes.length);
    }

    private static String utf8OrNull(byte[] bytes, int offset, int length) {
        try {
            String s =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, offset, length))
                            .toString();
            // Control bytes mean binary.
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
