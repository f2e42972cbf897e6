package io.layerwatch.sinks.remediation;

import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RemediationConfig.ActionSettings;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/** What an action executes with: the config, the clock, and the AWS services behind its targets. */
final class ActionContext {
    private final RemediationConfig config;
    private final Clock clock;
    private final AwsAccess aws;
    private final EcrPolicies ecr;
    private final IamPolicies iam;
    private AssessmentApi assessment;

    ActionContext(RemediationConfig config, Clock clock, AwsAccess aws) {
        this.config = config;
        this.clock = clock;
        this.aws = aws;
        this.ecr = new EcrPolicies(aws);
        this.iam = new IamPolicies(aws);
    }

    RemediationConfig config() {
        return config;
    }

    Clock clock() {
        return clock;
    }

    EcrPolicies ecr() {
        return ecr;
    }

    IamPolicies iam() {
        return iam;
    }

    /**
     * The assessment service, its credentials read from the secret register-registry's options
     * name.
     */
    synchronized AssessmentApi assessment() {
        if (assessment == null) {
            ActionSettings s = config.action(ActionName.REGISTER_REGISTRY.wire());
            String secretArn = s.option("secretArn");
            if (secretArn == null) {
                throw new ActionRejectedException(
                        "remediation.actions.register-registry.secretArn is not set");
            }
            assessment =
                    new AssessmentApi(
                            () ->
                                    AssessmentApi.parseSecret(
                                            aws.secrets(regionOf(secretArn))
                                                    .getSecretValue(
                                                            GetSecretValueRequest.builder()
                                                                    .secretId(secretArn)
                                                                    .build())
                                                    .secretString()),
                            s.option("tokenPath"),
                            s.option("registriesPath"),
                            s.duration("timeout", Duration.ofSeconds(10)),
                            clock);
        }
        return assessment;
    }

    /** The region of an ARN (arn:aws:secretsmanager:REGION:...), or null for the default region. */
    static String regionOf(String arn) {
        String[] p = arn.split(":", 6);
        return p.length > 3 && p[0].equals("arn") && !p[3].isEmpty() ? p[3] : null;
    }
}
