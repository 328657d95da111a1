package dev.openplus.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Compressor;

/**
 * Compresses an answer written outside Javalin ({@link DirectReads}) exactly as Javalin compresses the same answer
 * written through its context's output stream, with the strategy Javalin is configured with. Javalin 7
 * (io.javalin.compression.CompressedOutputStream) decides on the first write, which for our answers is the whole
 * document: it compresses when the response carries no {@code Content-Encoding} yet, its content type is not
 * excluded (images, audio, video, archives), the write is at least {@code defaultMinSizeForCompression} bytes (1500
 * by default) and the strategy has a compressor for one of the comma-separated items of {@code Accept-Encoding},
 * compared whole and case-insensitively after trimming. The default strategy has gzip only (level 6); brotli and
 * zstd would need native libraries, which the server does not ship. No quality values are weighed: {@code gzip;q=0}
 * or {@code gzip;q=1} is no item Javalin knows, nor are {@code *} and {@code identity}, so those answers go out
 * uncompressed. Javalin adds no {@code Vary} header; both paths add {@code Vary: Accept-Encoding} to every answer.
 */
final class ResponseCompression {
    private final CompressionStrategy strategy;

    ResponseCompression(CompressionStrategy strategy) {
        this.strategy = strategy;
    }

    /** A compressed answer and its {@code Content-Encoding}. */
    record Encoded(String encoding, byte[] content) {
    }

    /** The answer compressed as Javalin would compress it, or null where Javalin sends it as it is. */
    Encoded encode(String contentType, String acceptEncoding, byte[] body) {
        if (body.length < strategy.getDefaultMinSizeForCompression() || !allows(contentType)) {
            return null;
        }
        Compressor compressor = strategy.findMatchingCompressor(acceptEncoding == null ? "" : acceptEncoding);
        if (compressor == null) {
            return null;
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(body.length / 3 + 64);
        try (OutputStream out = compressor.compress(compressed)) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing into memory failed", e);
        }
        return new Encoded(compressor.encoding(), compressed.toByteArray());
    }

    /** Javalin's test of the content type (CompressedOutputStream.allowsForCompression, private there). */
    private boolean allows(String contentType) {
        if (contentType == null || strategy.getAllowedMimeTypes().contains(contentType)) {
            return true;
        }
        String lower = contentType.toLowerCase(Locale.ROOT);
        return strategy.getExcludedMimeTypes().stream()
                .noneMatch(excluded -> lower.contains(excluded.toLowerCase(Locale.ROOT)));
    }
}
