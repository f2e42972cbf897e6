package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.policyDocument;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.rules.PolicyAnalyzer.Analysis;
import io.layerwatch.rules.PolicyAnalyzer.Kind;
import io.layerwatch.rules.PolicyAnalyzer.Offending;
import io.layerwatch.rules.PolicyAnalyzer.TrustContext;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyAnalyzerTest {

    static final String ORG = "o-a1b2c3d4e5";
    static final String VPCE = "vpce-0a1b2c3d4e5f67890";
    static final TrustContext TRUST =
            new TrustContext(ACCOUNT, Set.of(TRUSTED_ACCOUNT), ORG, Set.of(VPCE));
    static final TrustContext NO_ORG = new TrustContext(ACCOUNT, Set.of(), null, Set.of());

    static Analysis analyze(String... statements) {
        return PolicyAnalyzer.analyze(policyDocument(statements), TRUST);
    }

    /**
     * An Allow statement for ecr pulls with the given Principal JSON and optional Condition JSON.
     */
    static String allow(String principal, String condition) {
        return "{\"Effect\":\"Allow\",\"Principal\":"
                + principal
                + ",\"Action\":[\"ecr:BatchGetImage\","
                + "\"ecr:GetDownloadUrlForLayer\"]"
                + (condition == null ? "" : ",\"Condition\":" + condition)
                + "}";
    }

    static String allow(String principal) {
        return allow(principal, null);
    }

    static Kind onlyKind(Analysis a) {
        assertThat(a.parseable()).isTrue();
        assertThat(a.offending()).hasSize(1);
        return a.offending().get(0).kind();
    }

    @Nested
    class Public {
        @Test
        void principalStarIsPublic() {
            Analysis a =
                    analyze(
                            "{\"Sid\":\"allow public pull\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}");
            Offending o = a.offending().get(0);
            assertThat(o.kind()).isEqualTo(Kind.PUBLIC);
            assertThat(o.index()).isZero();
            assertThat(o.sid()).isEqualTo("allow public pull");
            assertThat(o.statement().path("Action").asText()).isEqualTo("ecr:*");
            assertThat(o.foreignAccounts()).isEmpty();
            assertThat(o.reason()).contains("\"*\"");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"AWS\":\"*\"}",
                    "{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"*\"]}",
                    "[\"*\"]",
                    "{\"AWS\":\"arn:aws:iam::*:root\"}",
                    "{\"AWS\":\"arn:aws:iam::*:role/ci\"}",
                    "{\"AWS\":\"arn:aws:iam::99998888777?:root\"}",
                })
        void wildcardPrincipalsArePublic(String principal) {
            assertThat(onlyKind(analyze(allow(principal)))).isEqualTo(Kind.PUBLIC);
        }

        @Test
        void notPrincipalInAllowIsPublic() {
            Analysis a =
                    analyze(
                            "{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                                    + "\"Action\":\"ecr:*\"}");
            assertThat(onlyKind(a)).isEqualTo(Kind.PUBLIC);
            assertThat(a.offending().get(0).reason()).contains("NotPrincipal");
        }

        @Test
        void denyNeverExposes() {
            assertThat(
                            analyze(
                                            "{\"Sid\":\"deny all\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"ecr:*\"}",
                                            "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"ecr:*\"}",
                                            "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"999988887777\"},\"Action\":\"ecr:*\"}")
                                    .exposes())
                    .isFalse();
        }
    }

    @Nested
    class Accounts {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "\"999988887777\"",
                    "{\"AWS\":\"999988887777\"}",
                    "{\"AWS\":\"arn:aws:iam::999988887777:root\"}",
                    "{\"AWS\":\"arn:aws:iam::999988887777:user/evil\"}",
                    "{\"AWS\":\"arn:aws:sts::999988887777:assumed-role/Evil/session\"}",
                    "{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"arn:aws:iam::999988887777:role/x\"]}",
                })
        void foreignAccountIsCrossAccount(String principal) {
            Analysis a = analyze(allow(principal));
            assertThat(onlyKind(a)).isEqualTo(Kind.CROSS_ACCOUNT);
            assertThat(a.foreignAccounts()).containsExactly(FOREIGN_ACCOUNT);
            assertThat(a.offending().get(0).reason()).contains(FOREIGN_ACCOUNT);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"AWS\":\"arn:aws:iam::111122223333:root\"}",
                    "{\"AWS\":\"111122223333\"}",
                    "{\"AWS\":[\"arn:aws:iam::444455556666:role/ci\",\"444455556666\"]}",
                    "{\"AWS\":\"AROAEXAMPLEDELETEDROLE\"}",
                })
        void ownTrustedOrDeletedPrincipalsAreFine(String principal) {
            assertThat(analyze(allow(principal)).exposes()).isFalse();
        }

        @Test
        void trustedAccountIsForeignWithoutConfiguration() {
            Analysis a =
                    PolicyAnalyzer.analyze(
                            policyDocument(allow("{\"AWS\":\"444455556666\"}")), NO_ORG);
            assertThat(onlyKind(a)).isEqualTo(Kind.CROSS_ACCOUNT);
        }

        @Test
        void statementKindIsTheWorstOfItsPrincipals() {
            Analysis a =
                    analyze(
                            allow(
                                    "{\"AWS\":[\"999988887777\",\"888877776666\"],\"Service\":\"codebuild.amazonaws.com\"}"),
                            allow("{\"AWS\":\"*\"}"));
            assertThat(a.offending())
                    .extracting(Offending::kind)
                    .containsExactly(Kind.CROSS_ACCOUNT, Kind.PUBLIC);
            assertThat(a.offending().get(0).foreignAccounts())
                    .containsExactly(FOREIGN_ACCOUNT, "888877776666");
            assertThat(a.worst()).isEqualTo(Kind.PUBLIC);
            assertThat(a.has(Kind.SERVICE_UNRESTRICTED)).isFalse();
        }
    }

    @Nested
    class Conditions {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}",
                    "{\"StringEquals\":{\"AWS:principalorgid\":[\"o-a1b2c3d4e5\"]}}",
                    "{\"StringLike\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}",
                    "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":[\"o-a1b2c3d4e5/r-ab12/*\"]}}",
                    "{\"ForAnyValue:StringEquals\":{\"aws:PrincipalOrgPaths\":\"o-a1b2c3d4e5/*\"}}",
                    "{\"StringEquals\":{\"aws:PrincipalAccount\":[\"111122223333\",\"444455556666\"]}}",
                    "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}",
                    "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-0a1b2c3d4e5f67890\"}}",
                    "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:codebuild:us-east-1:111122223333:project/*\"}}",
                    "{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:codebuild:us-east-1:444455556666:project/build\"}}",
                    // one pinning key suffices: condition blocks are ANDed
                    "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"},\"StringLike\":{\"aws:PrincipalAccount\":\"*\"}}",
                })
        void pinnedToTrustedValuesIsNotExposure(String condition) {
            assertThat(analyze(allow("\"*\"", condition)).exposes()).isFalse();
            assertThat(analyze(allow("{\"AWS\":\"999988887777\"}", condition)).exposes()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"StringLike\":{\"aws:PrincipalOrgID\":\"o-*\"}}",
                    "{\"StringLike\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e?\"}}",
                    "{\"StringEquals\":{\"aws:PrincipalOrgID\":[\"o-a1b2c3d4e5\",\"o-zzzzzzzzzz\"]}}",
                    "{\"StringEquals\":{\"aws:PrincipalOrgID\":[]}}",
                    "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":\"o-*/r-ab12/*\"}}",
                    "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":\"o-zzzzzzzzzz/*\"}}",
                    "{\"StringLike\":{\"aws:PrincipalAccount\":\"1111*\"}}",
                    "{\"StringEquals\":{\"aws:PrincipalAccount\":[\"111122223333\",\"999988887777\"]}}",
                    "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-0badbadbadbadbad0\"}}",
                    "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:codebuild:us-east-1:*:project/*\"}}",
                    "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:*\"}}",
                    "{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}",
                    "{\"StringNotLike\":{\"aws:PrincipalAccount\":\"111122223333\"}}",
                    "{\"ArnNotLike\":{\"aws:SourceArn\":\"arn:aws:codebuild:us-east-1:111122223333:project/*\"}}",
                    "{\"Null\":{\"aws:PrincipalOrgID\":\"false\"}}",
                    "{\"StringEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}",
                    "{\"ForAllValues:StringEquals\":{\"aws:PrincipalOrgPaths\":\"o-a1b2c3d4e5/*\"}}",
                    "{\"StringEquals\":{\"aws:RequestedRegion\":\"us-east-1\"}}",
                    "{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}",
                })
        void unpinnedConditionsStillExpose(String condition) {
            assertThat(onlyKind(analyze(allow("\"*\"", condition)))).isEqualTo(Kind.PUBLIC);
        }

        @Test
        void reasonNamesTheLooseCondition() {
            Analysis a =
                    analyze(allow("\"*\"", "{\"StringLike\":{\"aws:PrincipalOrgID\":\"o-*\"}}"));
            assertThat(a.offending().get(0).reason()).contains("aws:PrincipalOrgID");
        }

        @Test
        void orgConditionNeedsAConfiguredOrganization() {
            String policy =
                    policyDocument(
                            allow(
                                    "\"*\"",
                                    "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}"));
            assertThat(PolicyAnalyzer.analyze(policy, NO_ORG).exposes()).isTrue();
        }
    }

    @Nested
    class ServicePrincipals {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"Service\":\"codebuild.amazonaws.com\"}",
                    "{\"Service\":[\"lambda.amazonaws.com\",\"codebuild.amazonaws.com\"]}",
                    "{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"}",
                })
        void unrestrictedServiceOrFederatedPrincipal(String principal) {
            Analysis a = analyze(allow(principal));
            assertThat(onlyKind(a)).isEqualTo(Kind.SERVICE_UNRESTRICTED);
            assertThat(a.foreignAccounts()).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}",
                    "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:lambda:us-east-1:111122223333:function:*\"}}",
                })
        void restrictedServicePrincipalIsFine(String condition) {
            assertThat(
                            analyze(allow("{\"Service\":\"lambda.amazonaws.com\"}", condition))
                                    .exposes())
                    .isFalse();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"StringEquals\":{\"aws:SourceAccount\":\"999988887777\"}}",
                    "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:lambda:us-east-1:999988887777:function:*\"}}",
                })
        void serviceRestrictedToForeignAccountIsUnrestricted(String condition) {
            assertThat(
                            onlyKind(
                                    analyze(
                                            allow(
                                                    "{\"Service\":\"lambda.amazonaws.com\"}",
                                                    condition))))
                    .isEqualTo(Kind.SERVICE_UNRESTRICTED);
        }
    }

    @Nested
    class Shapes {
        @Test
        void endgamePolicy() {
            Analysis a =
                    analyze(
                            "{\"Sid\":\"AllowCurrentAccount\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"ecr:*\"}",
                            "{\"Sid\":\"Endgame\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:user/evil\"},\"Action\":\"ecr:*\"}");
            assertThat(a.sids()).containsExactly("AllowCurrentAccount", "Endgame");
            assertThat(a.hasSid("allowcurrentaccount")).isTrue();
            assertThat(a.offending())
                    .singleElement()
                    .satisfies(
                            o -> {
                                assertThat(o.index()).isEqualTo(1);
                                assertThat(o.sid()).isEqualTo("Endgame");
                                assertThat(o.kind()).isEqualTo(Kind.CROSS_ACCOUNT);
                                assertThat(o.foreignAccounts()).containsExactly(FOREIGN_ACCOUNT);
                            });
        }

        @Test
        void singleStatementObject() {
            String policy = "{\"Version\":\"2008-10-17\",\"Statement\":" + allow("\"*\"") + "}";
            assertThat(onlyKind(PolicyAnalyzer.analyze(policy, TRUST))).isEqualTo(Kind.PUBLIC);
        }

        @Test
        void statementsWithoutSidKeepTheirIndex() {
            Analysis a = analyze(allow("{\"AWS\":\"111122223333\"}"), allow("\"*\""));
            assertThat(a.sids()).containsExactly(null, null);
            assertThat(a.offending().get(0).index()).isEqualTo(1);
            assertThat(a.details().get(0))
                    .containsKeys("index", "kind", "reason", "statement")
                    .doesNotContainKey("sid");
        }

        @ParameterizedTest
        @ValueSource(strings = {"not json", "{\"Statement\":[", "[]", "\"text\"", "42", ""})
        void malformedPolicyIsUnparseable(String text) {
            Analysis a = PolicyAnalyzer.analyze(text, TRUST);
            assertThat(a.parseable()).isFalse();
            assertThat(a.exposes()).isFalse();
            assertThat(a.worst()).isNull();
        }

        @Test
        void nullPolicyIsUnparseable() {
            assertThat(PolicyAnalyzer.analyze((String) null, TRUST).parseable()).isFalse();
        }

        @Test
        void oddStatementsAreSkipped() {
            Analysis a =
                    PolicyAnalyzer.analyze(
                            "{\"Statement\":[\"x\",{\"Effect\":\"Allow\"},"
                                    + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":42}},{\"Effect\":\"Allow\",\"Principal\":{\"CanonicalUser\":\"abc\"}}]}",
                            TRUST);
            assertThat(a.parseable()).isTrue();
            assertThat(a.exposes()).isFalse();
        }
    }

    @Test
    void aTrustContextIsTheEventsAccountUnderTheAllowlist() {
        var settings =
                RulesConfigLoader.fromYaml(
                                "allowlist:\n  trustedAccounts: ['444455556666']\n"
                                        + "  organizationId: o-a1b2c3d4e5\n  trustedVpcEndpoints: [vpce-0a1b2c3d4e5f67890]\n",
                                "test.yaml")
                        .rule(RepositoryExposed.ID);
        EcrEvent e = CloudTrailRecords.record("SetRepositoryPolicy").repositoryName("app").event();
        TrustContext t = TrustContext.of(e, settings.allowlist());
        assertThat(t).isEqualTo(TRUST);
        assertThat(t.trustedAccount(ACCOUNT)).isTrue();
        assertThat(t.trustedAccount(FOREIGN_ACCOUNT)).isFalse();
    }
}
