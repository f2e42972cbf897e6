package io.layerwatch.sinks;

import static io.layerwatch.testing.IncidentFindings.INCIDENT_ID;
import static io.layerwatch.testing.IncidentFindings.incident;
import static io.layerwatch.testing.IncidentFindings.member;
import static io.layerwatch.testing.IncidentFindings.members;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** sinks.*.policy.incidents through the operators FindingSinks attaches, in event time. */
class IncidentPolicyIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    /**
     * The first HIGH finding is paged before any incident exists; then the incident forms (v1), a
     * later member joins it (v2); another incident and a finding of no incident follow; a day and a
     * half later the first incident grows again.
     */
    static List<Finding> stream() {
        List<Finding> m = members();
        Finding unrelated = member("f-lone", RuleCatalog.POLICY_DELETED, Severity.MEDIUM, 50, 1);
        Finding late =
                member("f-late", RuleCatalog.REPOSITORY_EXPOSED, Severity.CRITICAL, 36 * 60, 1);
        return List.of(
                m.get(0),
                m.get(1).inIncident(INCIDENT_ID),
                incident(m.subList(0, 2)),
                m.get(2).inIncident(INCIDENT_ID),
                incident(m),
                unrelated,
                incident("attack-sequence-other", m.subList(1, 3), "another story"),
                late.inIncident(INCIDENT_ID),
                incident(List.of(m.get(0), m.get(1), m.get(2), late)));
    }

    static List<String> through(SinksConfig.Incidents incidents, Severity minSeverity)
            throws Exception {
        return through(new SinksConfig.Policy(minSeverity, Set.of(), Set.of(), null, incidents));
    }

    static List<String> through(SinksConfig.Policy policy) throws Exception {
        SinksConfig.Sink sink = new SinksConfig.Sink("sns", true, Map.of(), policy);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        List<String> out = new ArrayList<>();
        try (CloseableIterator<Finding> it =
                FindingSinks.policy(
                                env.fromData(stream())
                                        .assignTimestampsAndWatermarks(
                                                WatermarkStrategy.<Finding>forMonotonousTimestamps()
                                                        .withTimestampAssigner(
                                                                (f, ts) ->
                                                                        f.lastEventTime()
                                                                                .toEpochMilli())),
                                sink)
                        .executeAndCollect()) {
            it.forEachRemaining(f -> out.add(f.id() + (f.incident() ? "/" + f.eventCount() : "")));
        }
        return out;
    }

    @Test
    void pagePagesOncePerIncidentAndLeavesMembersOutOnceTheyJoined() throws Exception {
        assertThat(through(SinksConfig.Incidents.PAGE, Severity.INFORMATIONAL))
                .containsExactly(
                        "f-pull",
                        INCIDENT_ID + "/32",
                        "f-lone",
                        "attack-sequence-other/2",
                        INCIDENT_ID + "/34");
    }

    @Test
    void onlyDeliversIncidentsOnceEach() throws Exception {
        assertThat(through(SinksConfig.Incidents.ONLY, Severity.INFORMATIONAL))
                .containsExactly(
                        INCIDENT_ID + "/32", "attack-sequence-other/2", INCIDENT_ID + "/34");
    }

    @Test
    void allDeliversEveryFindingAndEveryVersion() throws Exception {
        assertThat(through(SinksConfig.Incidents.ALL, Severity.MEDIUM))
                .hasSize(stream().size())
                .contains(INCIDENT_ID + "/32", INCIDENT_ID + "/33", "f-public");
    }

    @Test
    void anIncidentReachesASinkThatIncludesTheRuleOfOneOfItsMembers() throws Exception {
        assertThat(
                        through(
                                new SinksConfig.Policy(
                                        Severity.INFORMATIONAL,
                                        Set.of(RuleCatalog.REPOSITORY_EXPOSED),
                                        Set.of(),
                                        null,
                                        SinksConfig.Incidents.PAGE)))
                .containsExactly(
                        INCIDENT_ID + "/32", "attack-sequence-other/2", INCIDENT_ID + "/34");
    }

    @Test
    void aSinkThatExcludesIncidentsPagesTheirMembersAsBefore() throws Exception {
        assertThat(
                        through(
                                new SinksConfig.Policy(
                                        Severity.INFORMATIONAL,
                                        Set.of(),
                                        Set.of(RuleCatalog.ATTACK_SEQUENCE),
                                        null,
                                        SinksConfig.Incidents.PAGE)))
                .containsExactly("f-pull", "f-public", "f-replicate", "f-lone", "f-late");
    }
}
