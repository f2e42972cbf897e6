package io.layerwatch.streaming;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.pipeline.RuleSet;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the rules URI and decides what to broadcast: nothing when unchanged, nothing (and an
 * error logged and counted once) when the new file is invalid, empty or unreadable — the old rules
 * stay — otherwise the update, with a warning when it changes a CEP pattern's shape or the
 * CloudWatch Logs senders, which only a restart applies.
 */
public final class RulesReloader implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RulesReloader.class);

    private final RulesSource source;
    private final Map<String, String> startupShape;
    private String current;
    private String lastRejected;

    /** The problem of the last failed read, reported once; null while the file reads. */
    private String unreadable;

    private long rejected;
    private long restartRequired;

    public RulesReloader(RulesSource source, String startupYaml, RulesConfig startup) {
        this.source = source;
        this.current = startupYaml;
        this.startupShape = restartShape(startup);
    }

    /**
     * The settings only a restart applies: the CEP patterns' shape and whose CloudWatch Logs
     * messages are decoded.
     */
    private static Map<String, String> restartShape(RulesConfig config) {
        Map<String, String> shape = RuleSet.patternShape(config);
        shape.put(CloudWatchLogsSenders.OWNERS_KEY, config.cloudWatchLogs().owners().toString());
        shape.put(
                CloudWatchLogsSenders.LOG_GROUPS_KEY,
                config.cloudWatchLogs().logGroups().toString());
        return shape;
    }

    public Optional<RulesUpdate> poll() {
        String text;
        try {
            text = source.read();
        } catch (ConfigException e) {
            // A missing or unreadable file: reported once until it reads again, not at every poll.
            if (!e.getMessage().equals(unreadable)) {
                unreadable = e.getMessage();
                reject(e);
            }
            return Optional.empty();
        }
        if (unreadable != null) {
            unreadable = null;
            LOG.info("rules file {} is readable again", source.uri());
        }
        if (text.equals(current) || text.equals(lastRejected)) {
            return Optional.empty();
        }
        RulesConfig config;
        try {
            config = source.parseReload(text);
        } catch (ConfigException e) {
            lastRejected = text;
            reject(e);
            return Optional.empty();
        }
        current = text;
        lastRejected = null;
        List<String> changed = changedShape(config);
        if (!changed.isEmpty()) {
            restartRequired++;
            LOG.warn(
                    "rules reloaded from {}; these changes take effect at the next restart: {}",
                    source.uri(),
                    String.join(", ", changed));
        } else {
            LOG.info("rules reloaded from {}", source.uri());
        }
        return Optional.of(new RulesUpdate(source.uri(), text));
    }

    /** The settings of {@code config} only a restart applies that differ from the startup rules. */
    public List<String> changedShape(RulesConfig config) {
        Map<String, String> now = restartShape(config);
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : now.entrySet()) {
            if (!e.getValue().equals(startupShape.get(e.getKey()))) {
                changed.add(
                        e.getKey() + " " + startupShape.get(e.getKey()) + " -> " + e.getValue());
            }
        }
        return changed;
    }

    private void reject(ConfigException e) {
        rejected++;
        LOG.error("rules reload rejected, the previous rules stay: {}", e.getMessage());
    }

    /** The rules YAML in force: the startup rules, or the last update {@link #poll} returned. */
    public String inForce() {
        return current;
    }

    /** Continues from {@code yaml}, the rules in force downstream (a restored reader's split). */
    public void resume(String yaml) {
        current = yaml;
    }

    public long rejected() {
        return rejected;
    }

    public long restartRequired() {
        return restartRequired;
    }
}
