package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tag globs: *, ? and character classes; bad ones fail at load naming file and key. */
class TagGlobTest {

    @Test
    void theDefaultReleaseGlobsMatchReleaseTagsOnly() {
        TagGlob v = TagGlob.of("v[0-9]*");
        TagGlob semver = TagGlob.of("[0-9]*.[0-9]*.[0-9]*");
        assertThat(v.matches("v1")).isTrue();
        assertThat(v.matches("v1.4.2-rc1")).isTrue();
        assertThat(v.matches("vnext")).isFalse();
        assertThat(v.matches("latest")).isFalse();
        assertThat(semver.matches("2.0.1")).isTrue();
        assertThat(semver.matches("10.11.12-alpine")).isTrue();
        assertThat(semver.matches("2.0")).isFalse();
        assertThat(semver.matches("2x0y1")).as("a dot is a dot, not any character").isFalse();
        assertThat(TagGlob.of("build-??").matches("build-42")).isTrue();
        assertThat(TagGlob.of("[a-c_.-]x").matches("_x")).isTrue();
        assertThat(TagGlob.of("[a-c_.-]x").matches("dx")).isFalse();
    }

    @Test
    void malformedGlobsFailAtLoadNamingFileKeyAndProblem() {
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  image-tag-overwrite: {protectedTags: [\"v[9-0]*\"]}\n",
                                        "tags.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tags.yaml")
                .hasMessageContaining("rules.image-tag-overwrite.protectedTags")
                .hasMessageContaining("range 9-0 is backwards");
        assertThatThrownBy(
                        () ->
                                RulesConfigLoader.fromYaml(
                                        "rules:\n  image-tag-overwrite: {protectedTags: [\"v[0-9\"]}\n",
                                        "tags.yaml"))
                .hasMessageContaining("opens no character class");
    }
}
