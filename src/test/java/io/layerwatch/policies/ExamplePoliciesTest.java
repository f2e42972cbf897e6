package io.layerwatch.policies;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * infra/policies/ holds the policies generated from infra/policies/example-rules.yaml; they must
 * stay current.
 */
class ExamplePoliciesTest {

    static final Path DIR = Paths.get("infra", "policies");
    static final List<String> BREAK_GLASS = List.of("arn:aws:iam::111122223333:role/break-glass/*");

    @Test
    void theCheckedInExamplesAreWhatTheGeneratorWrites() throws Exception {
        Path rules = DIR.resolve("example-rules.yaml");
        PreventivePolicies.Result result =
                PreventivePolicies.generate(
                        RulesConfigLoader.load(rules).globalAllowlist(),
                        rules.toString(),
                        BREAK_GLASS);
        for (PreventivePolicies.Policy p : result.policies()) {
            Path file = DIR.resolve(p.file());
            assertThat(file).exists();
            assertThat(Files.readString(file))
                    .as(
                            file
                                    + " is stale: regenerate with\n  java -jar target/layerwatch.jar "
                                    + "policies --rules infra/policies/example-rules.yaml --out infra/policies "
                                    + "--break-glass 'arn:aws:iam::111122223333:role/break-glass/*'")
                    .isEqualTo(p.text() + "\n");
        }
        assertThat(result.warnings()).isEmpty();
    }
}
