package io.layerwatch.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.cep.pattern.Pattern;

/**
 * {@code mass-deletion}: one principal deletes at least {@code minImages} distinct images (the
 * image ids of BatchDeleteImage, as deleted) or {@code minRepositories} repositories
 * (DeleteRepository) within {@code window}; one finding per episode. Besides, at once: a
 * PutLifecyclePolicy with a rule that expires images of any tag status once more than {@code
 * countNumber} <= 1 exist or {@code sinceImagePushed} <= 1 day, which deletes nearly every image of
 * the repository at the next evaluation.
 */
public final class MassDeletion implements CepRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.MASS_DELETION;
    static final String DELETIONS = "deletions";
    static final String LIFECYCLE = "lifecycle";
    static final String IMAGE = "image";
    static final String REPOSITORY = "repository";

    @Override
    public String id() {
        return ID;
    }

    static boolean deletion(EcrEvent e) {
        return (e.is("BatchDeleteImage") || e.is("DeleteRepository"))
                && !e.failed()
                && e.repositoryName() != null;
    }

    /**
     * A successful PutLifecyclePolicy with a rule that expires images of any tag status almost at
     * once.
     */
    static boolean destructiveLifecycle(EcrEvent e) {
        if (!e.is("PutLifecyclePolicy") || e.failed()) {
            return false;
        }
        return !destructiveRules(e).isEmpty();
    }

    /**
     * The lifecycle rules of a PutLifecyclePolicy that expire images of any tag status almost at
     * once.
     */
    static List<JsonNode> destructiveRules(EcrEvent e) {
        JsonNode raw = Json.tree(e.raw());
        JsonNode policy =
                raw == null
                        ? null
                        : Json.tree(
                                raw.path("requestParameters")
                                        .path("lifecyclePolicyText")
                                        .asText(""));
        List<JsonNode> out = new ArrayList<>();
        if (policy == null) {
            return out;
        }
        for (JsonNode rule : policy.path("rules")) {
            JsonNode selection = rule.path("selection");
            String type = rule.path("action").path("type").asText("expire");
            int count = selection.path("countNumber").asInt(Integer.MAX_VALUE);
            String countType = selection.path("countType").asText("");
            boolean now =
                    (countType.equals("imageCountMoreThan") && count <= 1)
                            || (countType.equals("sinceImagePushed")
                                    && count <= 1
                                    && selection
                                            .path("countUnit")
                                            .asText("days")
                                            .equalsIgnoreCase("days"));
            if (type.equalsIgnoreCase("expire")
                    && selection.path("tagStatus").asText("").equalsIgnoreCase("any")
                    && now) {
                out.add(rule);
            }
        }
        return out;
    }

    /** What a deletion removed: each image as repository@digest (or :tag), or the repository. */
    static List<String[]> values(EcrEvent e) {
        List<String[]> out = new ArrayList<>();
        if (e.is("DeleteRepository")) {
            out.add(new String[] {REPOSITORY, e.repositoryKey()});
            return out;
        }
        JsonNode raw = Json.tree(e.raw());
        if (raw == null) {
            return out;
        }
        JsonNode ids = raw.path("responseElements").path("imageIds");
        if (!ids.isArray()) { // CloudTrail left out the response: what was asked
            ids = raw.path("requestParameters").path("imageIds");
        }
        for (JsonNode id : ids) {
            String digest = id.path("imageDigest").asText("");
            out.add(
                    new String[] {
                        IMAGE,
                        e.repositoryKey()
                                + (digest.isEmpty()
                                        ? ":" + id.path("imageTag").asText("")
                                        : "@" + digest)
                    });
        }
        return out;
    }

    @Override
    public boolean relevant(EcrEvent e, RulesConfig config) {
        return deletion(e) || destructiveLifecycle(e);
    }

    @Override
    public String key(EcrEvent e) {
        return e.principal().arn();
    }

    /** None: a CEP step counts events, and one BatchDeleteImage deletes many images. */
    @Override
    public Pattern<EcrEvent, ?> pattern(RulesConfig config) {
        return null;
    }

    @Override
    public MatchLogic matchLogic(RulesConfig config) {
        RuleSettings s = config.rule(ID);
        return new DistinctValuesBurst(
                DELETIONS,
                Map.of(IMAGE, s.count("minImages"), REPOSITORY, s.count("minRepositories")),
                s.duration("window").toMillis(),
                MassDeletion::values,
                LIFECYCLE,
                MassDeletion::destructiveLifecycle);
    }

    @Override
    public Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings) {
        List<EcrEvent> lifecycle = match.get(LIFECYCLE);
        if (lifecycle != null) {
            EcrEvent e = lifecycle.get(0);
            List<JsonNode> rules = destructiveRules(e);
            return FindingBuilder.of(settings)
                    .event(e)
                    .key(LIFECYCLE + "|" + e.eventId())
                    .title(
                            "Lifecycle policy on "
                                    + e.repositoryName()
                                    + " expires nearly every image")
                    .description(
                            e.principal().arn()
                                    + " put a lifecycle policy on "
                                    + e.repositoryName()
                                    + " whose rule expires images of any tag status "
                                    + ("sinceImagePushed"
                                                    .equals(
                                                            rules.get(0)
                                                                    .path("selection")
                                                                    .path("countType")
                                                                    .asText())
                                            ? "a day after they are pushed"
                                            : "beyond the newest one")
                                    + ": the next lifecycle evaluation deletes the repository's images.")
                    .detail("lifecycleRules", rules.stream().map(JsonNode::toString).toList())
                    .build();
        }
        List<EcrEvent> events = match.get(DELETIONS);
        Set<String> images = new LinkedHashSet<>();
        Set<String> repositories = new LinkedHashSet<>();
        Set<String> deletedRepositories = new LinkedHashSet<>();
        for (EcrEvent e : events) {
            repositories.add(e.repositoryName());
            for (String[] v : values(e)) {
                (IMAGE.equals(v[0]) ? images : deletedRepositories).add(v[1]);
            }
        }
        EcrEvent first = events.get(0);
        return FindingBuilder.of(settings)
                .events(events)
                .key(first.principal().arn())
                .title(
                        "Mass deletion by "
                                + first.principal().name()
                                + ": "
                                + images.size()
                                + " images, "
                                + deletedRepositories.size()
                                + " repositories deleted")
                .description(
                        first.principal().arn()
                                + " deleted "
                                + images.size()
                                + " distinct images and "
                                + deletedRepositories.size()
                                + " repositories across "
                                + repositories.size()
                                + " repositories within "
                                + ParamType.format(settings.duration("window"))
                                + ". Deleting images in bulk destroys what deployments and rollbacks need.")
                .detail("distinctImages", images.size())
                .detail("deletedRepositories", deletedRepositories.size())
                .detail("repositories", new ArrayList<>(repositories))
                .detail("images", new ArrayList<>(images))
                .detail("repositoriesDeleted", new ArrayList<>(deletedRepositories))
                .build();
    }

    /** Images and repositories count again from the lists, as long as they are whole. */
    @Override
    public Finding merge(Finding current, Finding next) {
        Finding merged = FindingFolder.mergeDefault(current, next);
        recount(merged, "images", "distinctImages");
        recount(merged, "repositoriesDeleted", "deletedRepositories");
        return merged;
    }

    private static void recount(Finding f, String list, String count) {
        Object values = f.details().get(list);
        if (values instanceof List<?> l) { // a capped list: at least what it holds
            Object before = f.details().get(count);
            f.details()
                    .put(
                            count,
                            l.size() < FindingFolder.MAX_LIST || !(before instanceof Number n)
                                    ? l.size()
                                    : Math.max(l.size(), n.intValue()));
        }
    }

    /** Further bursts within a window of the last fold into the same finding. */
    @Override
    public Duration foldGap(RuleSettings settings) {
        return settings.duration("window");
    }
}
