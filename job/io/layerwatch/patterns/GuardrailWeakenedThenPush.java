package io.layerwatch.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.layerwatch.config.Glob;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * {@code guardrail-weakened-then-push}: a guardrail of a repository taken down, then an image
 * pushed to it within the window by any principal. Weakenings: scan-on-push turned off
 * (PutImageScanningConfiguration), tag mutability set to MUTABLE or MUTABLE_WITH_EXCLUSION
 * (PutImageTagMutability), and a registry scanning configuration (PutRegistryScanningConfiguration)
 * under which the pushed repository is no longer scanned automatically: no rule with scan frequency
 * SCAN_ON_PUSH or CONTINUOUS_SCAN whose filters match its name (rules removed, lowered to MANUAL,
 * filters narrowed). Keyed by registry, so a registry change counts for every repository of it.
 *
 * <p>The finding names the principal that weakened the guardrail (the pushes are listed); pushes to
 * one repository within a window of each other fold into one finding. With {@code reportWeakening}
 * every weakening is also a LOW finding on its own, reported by the matcher on arrival (the CEP
 * pattern is the pair only).
 */
public final class GuardrailWeakenedThenPush implements CepRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.GUARDRAIL_WEAKENED_THEN_PUSH;
    static final String WEAKENING = "weakening";
    static final String PUSH = "push";
    static final String PUSHES = "pushes";
    private static final String REGISTRY_SCANNING = "PutRegistryScanningConfiguration";

    @Override
    public String id() {
        return ID;
    }

    /**
     * A successful call that takes a guardrail down (for a registry change: for some repository,
     * maybe).
     */
    static boolean weakening(EcrEvent e) {
        if (!e.isEcrApiCall() || e.failed()) {
            return false;
        }
        switch (e.eventName()) {
            case "PutImageScanningConfiguration" -> {
                return params(e)
                        .path("imageScanningConfiguration")
                        .path("scanOnPush")
                        .asText("")
                        .equals("false");
            }
            case "PutImageTagMutability" -> {
                return params(e).path("imageTagMutability").asText("").startsWith("MUTABLE");
            }
            case REGISTRY_SCANNING -> {
                return true; // whether it weakens depends on the repository pushed to: see covers()
            }
            default -> {
                return false;
            }
        }
    }

    static boolean push(EcrEvent e) {
        return e.is("PutImage") && !e.failed() && e.repositoryName() != null;
    }

    /** A successful push to a repository {@code weakening} took a guardrail from. */
    static boolean pairs(EcrEvent weakening, EcrEvent e) {
        return push(e) && weakens(weakening, e);
    }

    /** Whether {@code push} goes to a repository {@code weakening} took a guardrail from. */
    static boolean weakens(EcrEvent weakening, EcrEvent push) {
        if (REGISTRY_SCANNING.equals(weakening.eventName())) {
            return !scannedAutomatically(params(weakening), push.repositoryName());
        }
        return push.repositoryName().equals(weakening.repositoryName());
    }

    /**
     * Whether a registry scanning configuration has a scan-on-push or continuous rule matching the
     * repository.
     */
    static boolean scannedAutomatically(JsonNode configuration, String repository) {
        for (JsonNode rule : configuration.path("rules")) {
            String frequency = rule.path("scanFrequency").asText("");
            if (!frequency.equals("SCAN_ON_PUSH") && !frequency.equals("CONTINUOUS_SCAN")) {
                continue;
            }
            for (JsonNode filter : rule.path("repositoryFilters")) {
                if (Glob.of(filter.path("filter").asText("")).matches(repository)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode params(EcrEvent e) {
        JsonNode raw = Json.tree(e.raw());
        return raw == null ? MissingNode.getInstance() : raw.path("requestParameters");
    }

    @Override
    public boolean relevant(EcrEvent e, RulesConfig config) {
        return push(e) || weakening(e);
    }

    @Override
    public String key(EcrEvent e) {
        return e.registryKey();
    }

    @Override
    public Pattern<EcrEvent, ?> pattern(RulesConfig config) {
        return Pattern.<EcrEvent>begin(WEAKENING)
                .where(SimpleCondition.of(GuardrailWeakenedThenPush::weakening))
                .followedByAny(PUSH)
                .where(new FollowedByAny.PairsWithAny(WEAKENING, GuardrailWeakenedThenPush::pairs))
                .within(config.rule(ID).duration("window"));
    }

    @Override
    public MatchLogic matchLogic(RulesConfig config) {
        RuleSettings s = config.rule(ID);
        return new FollowedByAny(
                WEAKENING,
                GuardrailWeakenedThenPush::weakening,
                PUSH,
                GuardrailWeakenedThenPush::pairs,
                s.duration("window").toMillis(),
                s.flag("reportWeakening"));
    }

    @Override
    public Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings) {
        EcrEvent weakening = match.get(WEAKENING).get(0);
        List<EcrEvent> pushes = match.get(PUSH);
        String what = whatChanged(weakening);
        String scope = REGISTRY_SCANNING.equals(weakening.eventName()) ? "registry" : "repository";
        FindingBuilder b =
                FindingBuilder.of(settings)
                        .event(weakening)
                        .subject(weakening)
                        .detail("weakening", weakening.eventName())
                        .detail("weakeningEventId", weakening.eventId())
                        .detail("weakenedScope", scope)
                        .detail("guardrail", what);
        if (pushes == null) {
            String where =
                    weakening.repositoryName() != null
                            ? weakening.repositoryName()
                            : "the registry";
            return b.severity(Severity.LOW)
                    .key(WEAKENING + "|" + weakening.eventId())
                    .title(what + " on " + where)
                    .description(
                            weakening.principal().arn()
                                    + " called "
                                    + weakening.eventName()
                                    + " on "
                                    + where
                                    + ": "
                                    + what
                                    + ". An image pushed after this is not held by that guardrail.")
                    .build();
        }
        EcrEvent push = pushes.get(0);
        Map<String, Object> pushed = new LinkedHashMap<>();
        pushed.put("repository", push.repositoryName());
        pushed.put("imageTag", push.imageTags());
        pushed.put("imageDigest", push.imageDigest());
        pushed.put("pushedBy", push.principal().arn());
        pushed.put("time", push.time().toString());
        return b.event(push)
                .repositoryFrom(push)
                .key(push.repositoryKey())
                .title("Image pushed to " + push.repositoryName() + " after " + what)
                .description(
                        weakening.principal().arn()
                                + " called "
                                + weakening.eventName()
                                + ("registry".equals(scope)
                                        ? " on the registry"
                                        : " on " + push.repositoryName())
                                + " ("
                                + what
                                + "), then "
                                + push.principal().arn()
                                + " pushed "
                                + (push.imageTags() != null
                                        ? "tag " + push.imageTags()
                                        : "an image")
                                + " to "
                                + push.repositoryName()
                                + " "
                                + (push.eventTime() - weakening.eventTime()) / 1000
                                + " seconds later, within "
                                + ParamType.format(settings.duration("window"))
                                + ". Turning a guardrail off right before a push is how an implanted image avoids scanning"
                                + " or replaces a trusted tag.")
                .detail(PUSHES, List.of(pushed))
                .detail("secondsBetween", (push.eventTime() - weakening.eventTime()) / 1000)
                .build();
    }

    /** The weakening alone is LOW whatever the rule's severity. */
    @Override
    public Severity severity(Finding f, RuleSettings settings) {
        return f.details().containsKey(PUSHES) ? settings.severity() : Severity.LOW;
    }

    /** The guardrail taken down, in words. */
    static String whatChanged(EcrEvent weakening) {
        return switch (weakening.eventName()) {
            case "PutImageScanningConfiguration" -> "scan-on-push turned off";
            case "PutImageTagMutability" ->
                    "tags made mutable ("
                            + params(weakening).path("imageTagMutability").asText()
                            + ")";
            default ->
                    "registry scanning changed ("
                            + params(weakening).path("scanType").asText("?")
                            + ", "
                            + params(weakening).path("rules").size()
                            + " rules)";
        };
    }

    /** Pushes to one repository within a window of the last fold into one finding. */
    @Override
    public Duration foldGap(RuleSettings settings) {
        return settings.duration("window");
    }
}
