package io.layerwatch.config;

/**
 * A new version of the rules file, broadcast to every rule operator while the job runs.
 *
 * @param source where it was read from (for messages)
 * @param yaml the user rules YAML over the built-in defaults ("" = the built-in rules alone)
 */
public record RulesUpdate(String source, String yaml) {

    public RulesConfig parse() {
        return yaml.isEmpty()
                ? RulesConfigLoader.builtIn()
                : RulesConfigLoader.fromYaml(yaml, source);
    }
}
