package dev.herald.store;

import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text that comes from outside Herald (a receiver's response body, an exception message that quotes what a
 * server sent) as it may be stored: valid UTF-8, no NUL, at most {@link #MAX_BYTES} bytes. PostgreSQL
 * refuses NUL and invalid UTF-8 in {@code text}; a receiver must never be able to make an outcome unwritable.
 */
public final class OutsideText {
    public static final int MAX_BYTES = 4096;
    private static final char REPLACEMENT = '\uFFFD';

    private OutsideText() {
    }

    /** Decodes bytes as UTF-8, replacing what is malformed, then cleans the text. */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return clean(decoder.decode(ByteBuffer.wrap(bytes)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("a REPLACE decoder reported a coding error; should never happen", e);
        }
    }

    /**
     * The text with NUL and lone surrogates replaced by U+FFFD, cut to at most {@link #MAX_BYTES} bytes of
     * UTF-8 on a character boundary; null stays null.
     */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_BYTES));
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int width = Character.charCount(cp);
            if (cp == 0 || (width == 1 && Character.isSurrogate((char) cp))) {
                cp = REPLACEMENT;
            }
            int encoded = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + encoded > MAX_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += encoded;
            i += width;
        }
        return out.toString();
    }

}
