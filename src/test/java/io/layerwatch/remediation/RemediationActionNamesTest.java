package io.layerwatch.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.sinks.remediation.ActionName;
import io.layerwatch.sinks.remediation.RemediationAction;
import io.layerwatch.sinks.remediation.Target;
import io.layerwatch.sinks.remediation.TargetKind;
import io.layerwatch.util.Json;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Action names and target kinds keep the spellings of config keys, audit records and requests in
 * state.
 */
class RemediationActionNamesTest {

    @Test
    void actionNamesAreTheConfiguredActionsButNotify() {
        List<String> configured =
                RemediationConfig.ACTIONS.stream()
                        .filter(a -> !RemediationConfig.NOTIFY.equals(a))
                        .toList();
        assertThat(Arrays.stream(ActionName.values()).map(ActionName::wire))
                .containsExactlyElementsOf(configured);
    }

    @Test
    void everyActionNameHasItsOwnAction() {
        for (ActionName n : ActionName.values()) {
            assertThat(RemediationAction.of(n).name()).isEqualTo(n);
            assertThat(RemediationAction.find(n.wire())).contains(RemediationAction.of(n));
        }
    }

    @Test
    void notifyAndUnknownNamesHaveNoAction() {
        assertThat(RemediationAction.find(RemediationConfig.NOTIFY)).isEmpty();
        assertThat(RemediationAction.find("delete-repository")).isEmpty();
        assertThat(RemediationAction.find(null)).isEmpty();
    }

    @Test
    void targetKindIsWrittenInLowerCase() {
        Target t = Target.repository("123456789012", "us-east-1", "orders-api");
        String json = Json.write(t);
        assertThat(json).contains("\"kind\":\"repository\"");
        assertThat(Json.read(json, Target.class)).isEqualTo(t);
        assertThat(TargetKind.of("role")).isEqualTo(TargetKind.ROLE);
    }
}
