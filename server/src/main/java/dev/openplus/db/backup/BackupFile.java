package dev.openplus.db.backup;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The backup file: one gzip stream holding, in order,
 * <ol>
 * <li>the magic line {@code OPENPLUS-BACKUP\n} and the format version (a 4-byte integer);</li>
 * <li>the header, a length-prefixed JSON object: {@code format_version}, {@code schema_version} (Flyway's),
 * {@code created_at}, {@code postgres_version}, {@code tables} (name and columns, in the order they are
 * restored: every table after the tables it references) and {@code sequences};</li>
 * <li>each table's rows in PostgreSQL's COPY text format, cut into frames (a 4-byte length, then that many
 * bytes; a frame of length 0 ends the table), so neither side needs a table in memory;</li>
 * <li>the summary, a length-prefixed JSON object: {@code rows} per table and {@code sequences} with their
 * values. It follows the data because the counts are known only once each table has been streamed;</li>
 * <li>the SHA-256 of every byte above (uncompressed), 32 bytes, and then the end of the stream.</li>
 * </ol>
 * Text COPY, not binary: it reads back into any PostgreSQL version, and a row is exactly one line.
 */
public final class BackupFile {
    static final byte[] MAGIC = "OPENPLUS-BACKUP\n".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;
    /** Frames hold at most this much; a larger length in a file means it is damaged. */
    static final int FRAME = 64 * 1024;
    private static final int MAX_JSON = 64 * 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private BackupFile() {
    }

    /** One table as the file holds it. */
    public record Table(String name, List<String> columns) {
    }

    /** The header: what the file holds, known before its data. */
    public record Header(int formatVersion, String schemaVersion, String createdAt, String postgresVersion,
            List<Table> tables, List<String> sequences) {
    }

    /** A sequence's state, as setval takes it. */
    public record SequenceValue(long lastValue, boolean isCalled) {
    }

    /** The summary that follows the data: rows per table (in restore order) and the sequences' values. */
    public record Summary(Map<String, Long> rows, Map<String, SequenceValue> sequences) {
    }

    /** A verified file: its header, its summary and its checksum. */
    public record Contents(Header header, Summary summary, String sha256) {
    }

    /** Consumes one table's rows (COPY text) and returns how many it took. */
    @FunctionalInterface
    public interface TableSink {
        long accept(Table table, InputStream copyText) throws Exception;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    static void writeJson(DataOutputStream out, JsonNode node) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(node);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static ObjectNode headerJson(Header header) {
        ObjectNode node = JSON.createObjectNode();
        node.put("format_version", header.formatVersion()).put("schema_version", header.schemaVersion())
                .put("created_at", header.createdAt()).put("postgres_version", header.postgresVersion());
        var tables = node.putArray("tables");
        for (Table table : header.tables()) {
            var columns = tables.addObject().put("name", table.name()).putArray("columns");
            table.columns().forEach(columns::add);
        }
        header.sequences().forEach(node.putArray("sequences")::add);
        return node;
    }

    static ObjectNode summaryJson(Summary summary) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode rows = node.putObject("rows");
        summary.rows().forEach(rows::put);
        ObjectNode sequences = node.putObject("sequences");
        summary.sequences().forEach((name, value) -> sequences.putObject(name).put("last_value", value.lastValue())
                .put("is_called", value.isCalled()));
        return node;
    }

    /** Reads the whole file without a database: every failure {@link #verify} would report, before anything is changed. */
    public static Contents verify(Path file) {
        return read(file, (table, rows) -> countLines(rows));
    }

    /**
     * Reads the file front to back, handing each table's rows to the sink, and checks it on the way: its
     * format, that every table holds the rows the summary says, and the checksum, which is compared only at
     * the end. A sink that writes into a transaction commits it only after this returns.
     *
     * @throws BackupFileException for a file that is missing, unreadable, not a backup, damaged or truncated
     */
    public static Contents read(Path file, TableSink sink) {
        try (InputStream raw = Files.newInputStream(file)) {
            MessageDigest digest = sha256();
            DigestInputStream digested;
            try {
                // No buffer above the digest: it must see exactly the bytes read, never the checksum after them.
                digested = new DigestInputStream(new GZIPInputStream(new BufferedInputStream(raw, FRAME), FRAME), digest);
            } catch (ZipException | EOFException e) {
                throw new BackupFileException(file + " is not an OpenPlus backup (not a gzip file)");
            }
            DataInputStream in = new DataInputStream(digested);
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BackupFileException(file + " is not an OpenPlus backup");
            }
            int formatVersion = in.readInt();
            if (formatVersion != FORMAT_VERSION) {
                throw new BackupFileException(file + " is in backup format " + formatVersion
                        + ", which this build does not read (it reads format " + FORMAT_VERSION + ")");
            }
            Header header = header(file, readJson(file, in), formatVersion);
            Map<String, Long> counted = new LinkedHashMap<>();
            for (Table table : header.tables()) {
                FrameInputStream frames = new FrameInputStream(in, file);
                long rows;
                try {
                    rows = sink.accept(table, frames);
                } catch (BackupFileException | IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new RestoreFailure("could not restore table " + table.name() + ": " + e.getMessage(), e);
                }
                frames.drain();
                counted.put(table.name(), rows);
            }
            Summary summary = summary(file, readJson(file, in));
            digested.on(false);
            byte[] expected = new byte[32];
            in.readFully(expected);
            if (in.read() != -1) {
                throw new BackupFileException(file + " is damaged: it goes on after its checksum");
            }
            byte[] actual = digest.digest();
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new BackupFileException(file + " fails its SHA-256 checksum: it was changed or damaged after "
                        + "it was written");
            }
            if (!counted.equals(summary.rows())) {
                throw new BackupFileException(file + " is damaged: its tables hold " + counted
                        + " rows, its summary says " + summary.rows());
            }
            return new Contents(header, summary, HexFormat.of().formatHex(actual));
        } catch (NoSuchFileException e) {
            throw new BackupFileException("no such file: " + file);
        } catch (AccessDeniedException e) {
            throw new BackupFileException("cannot read " + file + ": permission denied");
        } catch (EOFException e) {
            throw new BackupFileException(file + " is truncated: it ends before its checksum");
        } catch (ZipException e) {
            throw new BackupFileException(file + " is damaged (" + e.getMessage() + ")");
        } catch (IOException e) {
            if (Files.isDirectory(file)) {
                throw new BackupFileException(file + " is a directory, not a backup file");
            }
            throw new BackupFileException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static long countLines(InputStream rows) throws IOException {
        byte[] buffer = new byte[FRAME];
        long lines = 0;
        for (int n; (n = rows.read(buffer)) > 0;) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    private static JsonNode readJson(Path file, DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_JSON) {
            throw new BackupFileException(file + " is damaged (a section claims " + length + " bytes)");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BackupFileException(file + " is damaged (a section is not a JSON object)");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BackupFileException(file + " is damaged (a section is not JSON)");
        }
    }

    private static Header header(Path file, JsonNode node, int formatVersion) {
        List<Table> tables = new ArrayList<>();
        for (JsonNode table : node.path("tables")) {
            List<String> columns = new ArrayList<>();
            table.path("columns").forEach(column -> columns.add(column.asText()));
            tables.add(new Table(table.path("name").asText(), columns));
        }
        List<String> sequences = new ArrayList<>();
        node.path("sequences").forEach(sequence -> sequences.add(sequence.asText()));
        String schemaVersion = node.path("schema_version").asText("");
        if (schemaVersion.isEmpty() || tables.isEmpty()) {
            throw new BackupFileException(file + " is damaged (its header names no schema version or no tables)");
        }
        return new Header(formatVersion, schemaVersion, node.path("created_at").asText(),
                node.path("postgres_version").asText(), tables, sequences);
    }

    private static Summary summary(Path file, JsonNode node) {
        Map<String, Long> rows = new LinkedHashMap<>();
        node.path("rows").fields().forEachRemaining(e -> rows.put(e.getKey(), e.getValue().asLong()));
        Map<String, SequenceValue> sequences = new LinkedHashMap<>();
        node.path("sequences").fields().forEachRemaining(e -> sequences.put(e.getKey(),
                new SequenceValue(e.getValue().path("last_value").asLong(), e.getValue().path("is_called").asBoolean())));
        return new Summary(rows, sequences);
    }

    /** Cuts what is written into frames; {@link #close()} ends the table and leaves the file open. */
    static final class FrameOutputStream extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buffer = new byte[FRAME];
        private int used;

        FrameOutputStream(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flushFrame();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (used == buffer.length) {
                    flushFrame();
                }
                int n = Math.min(length, buffer.length - used);
                System.arraycopy(bytes, offset, buffer, used, n);
                used += n;
                offset += n;
                length -= n;
            }
        }

        private void flushFrame() throws IOException {
            if (used > 0) {
                out.writeInt(used);
                out.write(buffer, 0, used);
                used = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flushFrame();
            out.writeInt(0);
        }
    }

    /** One table's frames read back as one stream, which ends at the table's closing frame. */
    static final class FrameInputStream extends InputStream {
        private final DataInputStream in;
        private final Path file;
        private int remaining;
        private boolean ended;

        FrameInputStream(DataInputStream in, Path file) {
            this.in = in;
            this.file = file;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (remaining == 0) {
                if (ended) {
                    return -1;
                }
                remaining = in.readInt();
                if (remaining < 0 || remaining > FRAME) {
                    throw new BackupFileException(file + " is damaged (a frame claims " + remaining + " bytes)");
                }
                if (remaining == 0) {
                    ended = true;
                    return -1;
                }
            }
            int n = in.read(bytes, offset, Math.min(length, remaining));
            if (n < 0) {
                throw new EOFException();
            }
            remaining -= n;
            return n;
        }

        /** Reads to the table's end, whatever the sink left. */
        void drain() throws IOException {
            byte[] buffer = new byte[FRAME];
            while (read(buffer, 0, buffer.length) != -1) {
                // skipped
            }
        }
    }

    /** A restore that failed in the database while the file was being read (the transaction is rolled back). */
    public static final class RestoreFailure extends RuntimeException {
        RestoreFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Writes the opening of a file: magic, format version, header. */
    static void writeHeader(DataOutputStream out, Header header) throws IOException {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        writeJson(out, headerJson(header));
    }
}
