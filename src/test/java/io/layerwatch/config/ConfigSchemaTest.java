package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final ConfigSchema SCHEMA =
            ConfigSchema.builder()
                    .value("window", ParamType.DURATION)
                    .choice("format", "TEXT_AND_JSON", "JSON")
                    .mapping(
                            "policy",
                            ConfigSchema.builder().value("minSeverity", ParamType.SEVERITY).build())
                    .named(
                            "accounts",
                            k -> k.matches("\\d{12}") ? null : "is not a 12-digit AWS account id",
                            ParamType.STRING)
                    .section("allowlist")
                    .build();

    private static List<String> check(String yaml) throws Exception {
        JsonNode node = YAML.readTree(yaml);
        List<String> errors = new ArrayList<>();
        SCHEMA.check(node, "sec", errors);
        return errors;
    }

    @Test
    void validMappingHasNoErrors() throws Exception {
        assertThat(
                        check(
                                "{window: 5m, format: text-and-json, policy: {minSeverity: high},"
                                        + " accounts: {'123456789012': r}, allowlist: {anything: 1}}"))
                .isEmpty();
    }

    @Test
    void unknownKeySuggestsTheClosestKey() throws Exception {
        assertThat(check("{windw: 5m}"))
                .containsExactly("sec.windw: unknown key (did you mean 'window'?)");
    }

    @Test
    void unknownKeyFarFromAllListsTheKeysInDeclarationOrder() throws Exception {
        assertThat(check("{zzzzzzzz: 1}"))
                .containsExactly(
                        "sec.zzzzzzzz: unknown key (valid keys: window, format, policy, accounts, allowlist)");
    }

    @Test
    void valueOfTheWrongTypeNamesTheKey() throws Exception {
        assertThat(check("{window: soon}"))
                .containsExactly(
                        "sec.window: 'soon' is not a duration such as 30s, 15m, 2h, 7d or PT15M");
    }

    @Test
    void choiceOutsideItsSetListsTheChoices() throws Exception {
        assertThat(check("{format: html}"))
                .containsExactly("sec.format: 'html' is not one of json, text_and_json");
    }

    @Test
    void nestedMappingIsCheckedUnderItsPath() throws Exception {
        assertThat(check("{policy: {minSeverty: high}}"))
                .containsExactly(
                        "sec.policy.minSeverty: unknown key (did you mean 'minSeverity'?)");
    }

    @Test
    void namedKeyFailingItsCheckIsReported() throws Exception {
        assertThat(check("{accounts: {'12345': r}}"))
                .containsExactly("sec.accounts.12345: is not a 12-digit AWS account id");
    }

    @Test
    void sectionOnlyNeedsToBeAMapping() throws Exception {
        assertThat(check("{allowlist: [a]}"))
                .containsExactly("sec.allowlist: a list is not a mapping");
    }

    @Test
    void nonMappingNodeIsReportedAtItsPath() throws Exception {
        assertThat(check("3")).containsExactly("sec: 3 is not a mapping");
    }

    @Test
    void choiceNormalizesCaseAndDashes() {
        assertThat(ConfigSchema.choice(" text-and-json ")).isEqualTo("TEXT_AND_JSON");
    }
}
