package io.layerwatch.sinks.securityhub;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;

class SdkModelConverterTest {

    @Test
    void sdkModelIsStrict() {
        Finding f =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule(RuleCatalog.POLICY_DELETED))
                        .event(record("DeleteRepositoryPolicy").repositoryName("app").event())
                        .title("t")
                        .description("d")
                        .build();
        ObjectNode a = new AsffMapper(null, null, null).toAsff(f);
        AwsSecurityFinding sdk = SdkModelConverter.toSecurityFinding(a.toString());
        assertThat(sdk.resources().get(0).details().awsEcrRepository().repositoryName())
                .isEqualTo("app");
        assertThat(sdk.productFields())
                .containsEntry("layerwatch/ruleId", RuleCatalog.POLICY_DELETED);
        assertThat(sdk.findingProviderFields().types()).isEqualTo(sdk.types());
        assertThat(sdk.remediation().recommendation().url())
                .startsWith("https://docs.aws.amazon.com/");
        a.put("NotAnAsffAttribute", "x");
        assertThatThrownBy(() -> SdkModelConverter.toSecurityFinding(a.toString()))
                .hasMessageContaining("NotAnAsffAttribute");
        a.remove("NotAnAsffAttribute");
        ((ObjectNode) a.path("Severity")).put("Label", 3);
        assertThatThrownBy(() -> SdkModelConverter.toSecurityFinding(a.toString()))
                .hasMessageContaining("Severity.Label");
        assertThatThrownBy(() -> SdkModelConverter.toSecurityFinding("not json"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
