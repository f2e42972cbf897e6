package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeadLetterDestination;
import io.layerwatch.sinks.delivery.RetryPolicy;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Everything the responder needs, serialisable into the job graph: the remediation: section, and
 * from the sinks: section the AWS client settings ({@code sinks.aws}), the retry policy ({@code
 * sinks.delivery}) and the dead-letter destination ({@code sinks.deadLetter}) it shares with the
 * finding sinks, and the Security Hub account LayerWatch imports into ({@code
 * sinks.securityhub.hubAccountId}: custom actions trust only findings of its product).
 */
public record RemediationSettings(
        RemediationConfig config,
        AwsClientSettings aws,
        RetryPolicy retry,
        DeadLetterDestination deadLetters,
        Clock clock,
        String hubAccountId)
        implements Serializable {

    /**
     * The remediation settings of a rules file.
     *
     * @param outDir where a file dead-letter destination with a relative path goes (null: working
     *     directory)
     */
    public static RemediationSettings from(RulesConfig rules, Path outDir) {
        SinksConfig s = rules.sinks();
        return new RemediationSettings(
                rules.remediation(),
                FindingSinks.aws(null, s),
                FindingSinks.retry(s),
                FindingSinks.deadLetters(s, outDir),
                Clock.systemUTC(),
                hubAccount(s));
    }

    private static String hubAccount(SinksConfig s) {
        SinksConfig.Sink hub = s == null ? null : s.sink("securityhub");
        return hub == null ? null : hub.option("hubAccountId");
    }

    public RemediationSettings withConfig(RemediationConfig c) {
        return new RemediationSettings(c, aws, retry, deadLetters, clock, hubAccountId);
    }

    public RemediationSettings withClock(Clock c) {
        return new RemediationSettings(config, aws, retry, deadLetters, c, hubAccountId);
    }
}
