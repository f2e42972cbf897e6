package io.layerwatch.testing;

import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch Logs subscription payloads as Kinesis carries them: gzip JSON with many log events.
 */
public final class LogsPayloads {
    private LogsPayloads() {}

    public static byte[] gzip(String text) {
        return TrailFiles.gzip(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A subscription message (DATA_MESSAGE or CONTROL_MESSAGE) whose log events are {@code
     * records}.
     */
    public static String logsPayload(String type, List<String> records) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            events.add(
                    Map.of(
                            "id",
                            "le-" + i,
                            "timestamp",
                            1714564800000L + i,
                            "message",
                            records.get(i)));
        }
        return Json.write(
                Map.of(
                        "messageType",
                        type,
                        "owner",
                        "111122223333",
                        "logGroup",
                        "aws-cloudtrail-logs",
                        "logStream",
                        "111122223333_CloudTrail_us-east-1",
                        "subscriptionFilters",
                        List.of("layerwatch"),
                        "logEvents",
                        events));
    }

    public static String logsPayload(String type, String... records) {
        return logsPayload(type, List.of(records));
    }
}
