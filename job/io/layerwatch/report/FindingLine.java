package io.layerwatch.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.layerwatch.config.Severity;
import io.layerwatch.util.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The fields of one findings.jsonl line the report counts, read with Jackson's streaming parser
 * (evidence and details are skipped, not built), so a million findings pass quickly.
 */
record FindingLine(
        String id,
        String ruleId,
        String severity,
        String principal,
        String repository,
        String registryId,
        String sourceIp,
        Instant first,
        Instant last) {

    /** Severity rank, CRITICAL highest; -1 for a label that is not an ASFF severity. */
    int severityRank() {
        return rank(severity);
    }

    @SuppressWarnings("EnumOrdinal") // severity ranks: the declared order
    static int rank(String severity) {
        try {
            return severity == null ? -1 : Severity.valueOf(severity).ordinal();
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * The repository as one key: name, and registry id after a tab when known (see {@link
     * BacktestReport#entity}).
     */
    String repositoryKey() {
        return repository == null
                ? null
                : registryId == null ? repository : repository + "\t" + registryId;
    }

    /** Parses one line; null when it is not a JSON object (counted as unreadable by the caller). */
    static FindingLine parse(String line) {
        String id = null, ruleId = null, severity = null, principalArn = null, principalName = null;
        String repository = null, registryId = null, sourceIp = null;
        Instant first = null, last = null;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = text(p);
                    case "ruleId" -> ruleId = text(p);
                    case "severity" -> severity = text(p);
                    case "sourceIp" -> sourceIp = text(p);
                    case "firstEventTime" -> first = instant(text(p));
                    case "lastEventTime" -> last = instant(text(p));
                    case "principal", "repository" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String sub = field + "." + p.currentName();
                            p.nextToken();
                            switch (sub) {
                                case "principal.arn" -> principalArn = text(p);
                                case "principal.name" -> principalName = text(p);
                                case "repository.name" -> repository = text(p);
                                case "repository.registryId" -> registryId = text(p);
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (ruleId == null) {
                return null;
            }
            return new FindingLine(
                    id,
                    ruleId,
                    severity,
                    principalArn != null ? principalArn : principalName,
                    repository,
                    registryId,
                    sourceIp,
                    first,
                    last);
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonParser p) throws IOException {
        if (p.currentToken().isScalarValue()) {
            return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
