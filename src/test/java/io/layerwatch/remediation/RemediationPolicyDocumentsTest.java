package io.layerwatch.remediation;

import static io.layerwatch.remediation.Fixtures.CI_PULL;
import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.PUBLIC_PULL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.sinks.remediation.PolicyDocuments;
import io.layerwatch.sinks.remediation.PolicyDocuments.Rewrite;
import io.layerwatch.util.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policy rewriting: other statements and attributes stay as they were; matching is semantic. */
class RemediationPolicyDocumentsTest {

    static JsonNode tree(String s) {
        return Json.tree(s);
    }

    @Test
    void quarantineIsMergedKeepingEveryOtherStatementAndAttribute() {
        String policy =
                "{\"Version\":\"2012-10-17\",\"Id\":\"keep-me\",\"Statement\":["
                        + CI_PULL
                        + ","
                        + PUBLIC_PULL
                        + "]}";
        Rewrite rw =
                PolicyDocuments.mergeStatement(
                        policy,
                        PolicyDocuments.quarantineStatement(
                                List.of("arn:aws:iam::*:role/BreakGlass")));
        assertThat(rw.changed()).isTrue();
        JsonNode out = tree(rw.text());
        assertThat(out.path("Id").asText()).isEqualTo("keep-me");
        assertThat(out.path("Statement")).hasSize(3);
        assertThat(out.path("Statement").get(0)).isEqualTo(tree(CI_PULL));
        assertThat(out.path("Statement").get(1)).isEqualTo(tree(PUBLIC_PULL));
        JsonNode q = out.path("Statement").get(2);
        assertThat(q.path("Sid").asText()).isEqualTo(PolicyDocuments.QUARANTINE_SID);
        assertThat(q.path("Effect").asText()).isEqualTo("Deny");
        assertThat(q.path("Principal").asText()).isEqualTo("*");
        assertThat(q.path("Action").toString())
                .contains(
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchCheckLayerAvailability");
        assertThat(q.path("Condition").path("ArnNotLike").path("aws:PrincipalArn").get(0).asText())
                .isEqualTo("arn:aws:iam::*:role/BreakGlass");

        // Idempotent: merging again changes nothing; a changed break-glass list replaces the
        // statement in place.
        assertThat(
                        PolicyDocuments.mergeStatement(
                                        rw.text(),
                                        PolicyDocuments.quarantineStatement(
                                                List.of("arn:aws:iam::*:role/BreakGlass")))
                                .changed())
                .isFalse();
        Rewrite again =
                PolicyDocuments.mergeStatement(
                        rw.text(), PolicyDocuments.quarantineStatement(List.of()));
        assertThat(tree(again.text()).path("Statement")).hasSize(3);
        assertThat(tree(again.text()).path("Statement").get(2).has("Condition")).isFalse();
    }

    @Test
    void mergingIntoNoPolicyCreatesOne() {
        Rewrite created =
                PolicyDocuments.mergeStatement(
                        null, PolicyDocuments.quarantineStatement(List.of()));
        assertThat(tree(created.text()).path("Version").asText()).isEqualTo("2012-10-17");
        assertThat(tree(created.text()).path("Statement")).hasSize(1);
    }

    @Test
    void mergingKeepsAStatementGivenAsASingleObject() {
        String single = "{\"Version\":\"2012-10-17\",\"Statement\":" + CI_PULL + "}";
        Rewrite merged =
                PolicyDocuments.mergeStatement(
                        single, PolicyDocuments.quarantineStatement(List.of()));
        assertThat(tree(merged.text()).path("Statement")).hasSize(2);
        assertThat(tree(merged.text()).path("Statement").get(0)).isEqualTo(tree(CI_PULL));
    }

    @Test
    void removeSidRemovesOnlyThatSid() {
        Rewrite merged =
                PolicyDocuments.mergeStatement(
                        EXISTING_POLICY, PolicyDocuments.quarantineStatement(List.of()));
        Rewrite removed = PolicyDocuments.removeSid(merged.text(), PolicyDocuments.QUARANTINE_SID);
        assertThat(PolicyDocuments.same(removed.text(), EXISTING_POLICY)).isTrue();
        assertThat(
                        PolicyDocuments.removeSid(EXISTING_POLICY, PolicyDocuments.QUARANTINE_SID)
                                .changed())
                .isFalse();
    }

    @Test
    void removingTheOnlyStatementDeletesThePolicy() {
        Rewrite only =
                PolicyDocuments.removeSid(
                        PolicyDocuments.mergeStatement(
                                        null, PolicyDocuments.quarantineStatement(List.of()))
                                .text(),
                        PolicyDocuments.QUARANTINE_SID);
        assertThat(only.delete()).isTrue();
    }

    @Test
    void exposingStatementsAreMatchedSemanticallyAndOnlyThoseRemoved() {
        // The service hands the policy back reformatted: single-element lists, another key order,
        // bare account ids.
        String reformatted =
                """
                {"Statement":[
                  {"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Effect":"Allow","Sid":"PublicPull","Principal":"*"},
                  {"Sid":"Partner","Effect":"Allow","Principal":{"AWS":["999988887777"]},"Action":"ECR:BatchGetImage"},
                  %s
                ],"Version":"2012-10-17"}"""
                        .formatted(CI_PULL);
        List<JsonNode> wanted =
                List.of(
                        tree(PUBLIC_PULL),
                        tree(
                                "{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},"
                                        + "\"Action\":[\"ecr:BatchGetImage\"]}"));
        Rewrite rw = PolicyDocuments.removeStatements(reformatted, wanted);
        assertThat(rw.affected()).hasSize(2);
        assertThat(tree(rw.text()).path("Statement")).hasSize(1);
        assertThat(tree(rw.text()).path("Statement").get(0)).isEqualTo(tree(CI_PULL));

        // A statement with the same Sid but other content is not the one reported: it stays.
        String changed =
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicPull\",\"Effect\":\"Allow\","
                        + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"ecr:BatchGetImage\"}]}";
        assertThat(PolicyDocuments.removeStatements(changed, wanted).changed()).isFalse();

        // Removing every statement deletes the policy; adding them back restores them.
        Rewrite all =
                PolicyDocuments.removeStatements(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[" + PUBLIC_PULL + "]}",
                        List.of(tree(PUBLIC_PULL)));
        assertThat(all.delete()).isTrue();
        Rewrite back = PolicyDocuments.addStatements(tree(rw.text()).toString(), rw.affected());
        assertThat(PolicyDocuments.same(back.text(), reformatted)).isTrue();
    }

    @Test
    void theDenyPolicyDeniesLayerDownloadsEverywhere() {
        JsonNode deny = tree(PolicyDocuments.denyLayerDownloadPolicy()).path("Statement").get(0);
        assertThat(deny.path("Effect").asText()).isEqualTo("Deny");
        assertThat(deny.path("Action").toString())
                .contains("ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage");
        assertThat(deny.path("Resource").asText()).isEqualTo("*");
    }

    @Test
    void theRevokePolicyDeniesSessionsIssuedBeforeTheCutOffSecond() {
        JsonNode revoke =
                tree(PolicyDocuments.revokeSessionsPolicy(
                                Instant.parse("2026-03-02T10:00:00.123Z")))
                        .path("Statement")
                        .get(0);
        assertThat(revoke.path("Action").get(0).asText()).isEqualTo("*");
        assertThat(
                        revoke.path("Condition")
                                .path("DateLessThan")
                                .path("aws:TokenIssueTime")
                                .asText())
                .isEqualTo("2026-03-02T10:00:00Z");
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> PolicyDocuments.removeSid("not json", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyDocuments.parse("[1]"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
