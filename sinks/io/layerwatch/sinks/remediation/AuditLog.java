package io.layerwatch.sinks.remediation;

import io.layerwatch.config.ConfigException;
import io.layerwatch.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI's audit log: one {@link AuditRecord} JSON object per line, only ever appended (each line
 * flushed as it is written). It is also the CLI's memory: what was executed (never executed again),
 * what was undone, and the actions of the last hour (the rate limit).
 */
public final class AuditLog {
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Every record so far (none when the file does not exist yet). */
    public List<AuditRecord> read() {
        List<AuditRecord> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    out.add(Json.read(line, AuditRecord.class));
                } catch (RuntimeException e) {
                    throw new ConfigException(
                            file + ": line " + (i + 1) + " is not an audit record");
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file, e);
        }
    }

    public synchronized void append(AuditRecord r) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (BufferedWriter w =
                    Files.newBufferedWriter(
                            file,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE)) {
                w.write(Json.write(r));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the audit log " + file, e);
        }
    }
}
