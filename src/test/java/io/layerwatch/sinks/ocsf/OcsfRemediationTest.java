package io.layerwatch.sinks.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OcsfRemediationTest {

    static AuditRecord record(String action, String target, String result, String undoes) {
        return new AuditRecord(
                "a1",
                Instant.parse("2026-03-02T10:00:00Z"),
                "f1",
                "repository-exposed",
                action,
                target,
                "111122223333",
                "us-east-1",
                AuditRecord.EXECUTE,
                "layerwatch",
                "rule",
                "CRITICAL repository-exposed",
                Json.tree("{\"removed\":1}"),
                Json.tree("{\"policyText\":\"<before>\"}"),
                null,
                result,
                AuditRecord.RESULT_FAILED.equals(result) ? "ServerException: boom" : null,
                1,
                undoes);
    }

    static JsonNode ocsf(AuditRecord r) {
        return Json.tree(OcsfRemediation.line(r));
    }

    @Test
    void anExecutedActionIsASuccessfulRemediationActivityOfItsTactic() {
        JsonNode e =
                ocsf(
                        record(
                                "quarantine-repository",
                                "arn:aws:ecr:us-east-1:111122223333:repository/payments",
                                AuditRecord.RESULT_EXECUTED,
                                null));
        assertThat(e.path("class_uid").asInt()).isEqualTo(7001);
        assertThat(e.path("category_uid").asInt()).isEqualTo(7);
        assertThat(e.path("activity_name").asText()).isEqualTo("Isolate");
        assertThat(e.path("type_uid").asLong()).isEqualTo(700101L);
        assertThat(e.path("status_id").asInt()).isEqualTo(1);
        assertThat(e.path("command_uid").asText()).isEqualTo("a1");
        assertThat(e.path("metadata").path("correlation_uid").asText()).isEqualTo("f1");
        assertThat(e.path("metadata").path("version").asText()).isEqualTo("1.3.0");
        assertThat(e.path("time").asLong())
                .isEqualTo(Instant.parse("2026-03-02T10:00:00Z").toEpochMilli());
        assertThat(e.path("cloud").path("account").path("uid").asText()).isEqualTo("111122223333");
        // The whole audit record travels along, before-state included.
        assertThat(e.path("unmapped").path("before").path("policyText").asText())
                .isEqualTo("<before>");
    }

    /**
     * 7001 has no resources in 1.3.0: a strict SIEM rejects (or drops the field of) a record that
     * has one. The target stays in unmapped and in the message; actor comes with the host profile,
     * declared.
     */
    @Test
    void theTargetIsNotAResourcesAttributeOfRemediationActivity() {
        String target = "arn:aws:ecr:us-east-1:111122223333:repository/payments";
        JsonNode e =
                ocsf(record("quarantine-repository", target, AuditRecord.RESULT_EXECUTED, null));
        assertThat(e.has("resources")).isFalse();
        assertThat(e.path("unmapped").path("target").asText()).isEqualTo(target);
        assertThat(e.path("message").asText()).contains(target);
        assertThat(e.has("actor")).isTrue();
        assertThat(e.path("metadata").path("profiles"))
                .extracting(JsonNode::asText)
                .contains("cloud", "host");
    }

    /**
     * A SIEM reading the stream by metadata.version must get one schema for findings, updates and
     * actions.
     */
    @Test
    void findingsUpdatesAndRemediationRecordsDeclareOneSchemaVersion() {
        Finding f = OcsfMapperTest.burst(3);
        List<OcsfEvent> stream =
                List.of(
                        OcsfEvent.of(f),
                        OcsfEvent.of(f, true),
                        OcsfEvent.of(
                                record(
                                        "quarantine-repository",
                                        "r",
                                        AuditRecord.RESULT_EXECUTED,
                                        null)));
        assertThat(stream)
                .extracting(e -> Json.tree(e.line()).path("metadata").path("version").asText())
                .containsOnly("1.3.0");
    }

    @Test
    void anExecutedRevokeIsAnEvict() {
        assertThat(
                        ocsf(record(
                                        "revoke-sessions",
                                        "arn:aws:iam::111122223333:role/x",
                                        AuditRecord.RESULT_EXECUTED,
                                        null))
                                .path("activity_name")
                                .asText())
                .isEqualTo("Evict");
    }

    @Test
    void aFailedActionIsAHighSeverityFailureWithItsError() {
        JsonNode failed =
                ocsf(record("remove-exposing-statements", "r", AuditRecord.RESULT_FAILED, null));
        assertThat(failed.path("activity_name").asText()).isEqualTo("Harden");
        assertThat(failed.path("status").asText()).isEqualTo("Failure");
        assertThat(failed.path("status_detail").asText()).isEqualTo("ServerException: boom");
        assertThat(failed.path("severity_id").asInt()).isEqualTo(4);
    }

    @Test
    void aDryRunHasAStatusOfItsOwn() {
        JsonNode dryRun =
                ocsf(
                        record(
                                "deny-layer-download",
                                "arn:aws:iam::111122223333:user/u",
                                AuditRecord.RESULT_DRY_RUN,
                                null));
        assertThat(dryRun.path("status_id").asInt()).isEqualTo(99);
        assertThat(dryRun.path("status").asText()).isEqualTo("dry-run");
    }

    @Test
    void anUndoIsASuccessfulRestore() {
        JsonNode undo = ocsf(record("quarantine-repository", "r", AuditRecord.RESULT_UNDONE, "a0"));
        assertThat(undo.path("activity_name").asText()).isEqualTo("Restore");
        assertThat(undo.path("status").asText()).isEqualTo("Success");
    }
}
