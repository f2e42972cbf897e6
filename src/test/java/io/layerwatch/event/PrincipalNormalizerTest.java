package io.layerwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.event.decode.PayloadDecoderTest.Samples;
import io.layerwatch.testing.CollectingOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PrincipalNormalizer} on the userIdentity shapes CloudTrail writes (the values are those of
 * the real samples where one exists), and {@link EcrEvent#crossAccount()} on whole records.
 */
class PrincipalNormalizerTest {

    private static final String ACCOUNT = "123837392027";

    private static Principal normalize(String userIdentityJson) {
        return PrincipalNormalizer.normalize(
                Samples.parse(Samples.utf8(userIdentityJson)), ACCOUNT);
    }

    /** The real pull record with another caller. */
    private static EcrEvent pullBy(String userIdentityJson) {
        ObjectNode record = Samples.json(Samples.PULL);
        record.set("userIdentity", Samples.parse(Samples.utf8(userIdentityJson)));
        return CollectingOutput.decode(record.toString()).onlyEvent();
    }

    // ---- assumed roles
    // -----------------------------------------------------------------------------------------

    @Test
    void assumedRoleIsKeyedByItsSessionIssuer() {
        Principal p =
                normalize(
                        """
                {"type": "AssumedRole",
                 "principalId": "AROATFQR7NSCQNEXZHIOB:i-05c30218156bcc246",
                 "arn": "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-enumerate-role/i-05c30218156bcc246",
                 "accountId": "123837392027",
                 "accessKeyId": "ASIATFQR7NSCWFKWOWVD",
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROATFQR7NSCQNEXZHIOB",
                     "arn": "arn:aws:iam::123837392027:role/stratus-red-team-ec2-enumerate-role",
                     "accountId": "123837392027", "userName": "stratus-red-team-ec2-enumerate-role"}}}
                """);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::123837392027:role/stratus-red-team-ec2-enumerate-role",
                                Principal.TYPE_ASSUMED_ROLE,
                                "stratus-red-team-ec2-enumerate-role",
                                "123837392027",
                                "ASIATFQR7NSCWFKWOWVD",
                                "i-05c30218156bcc246",
                                "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-enumerate-role/i-05c30218156bcc246"));
    }

    @Test
    void assumedRoleKeepsTheIssuersPathWhichTheSessionArnLacks() {
        Principal p =
                normalize(
                        """
                {"type": "AssumedRole",
                 "arn": "arn:aws:sts::123837392027:assumed-role/AWSServiceRoleForAmazonInspector2/MandoService364061179539770931",
                 "accountId": "123837392027",
                 "sessionContext": {"sessionIssuer": {"type": "Role",
                     "arn": "arn:aws:iam::123837392027:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2",
                     "userName": "AWSServiceRoleForAmazonInspector2"}},
                 "invokedBy": "inspector2.amazonaws.com"}
                """);

        assertThat(p.arn())
                .isEqualTo(
                        "arn:aws:iam::123837392027:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2");
        assertThat(p.type())
                .as("invokedBy does not make an assumed role a service")
                .isEqualTo(Principal.TYPE_ASSUMED_ROLE);
        assertThat(p.sessionName()).isEqualTo("MandoService364061179539770931");
        assertThat(p.accessKeyId()).isNull();
    }

    @ParameterizedTest(name = "sessionContext: {0}")
    @ValueSource(
            strings = {
                "",
                ", \"sessionContext\": {}",
                ", \"sessionContext\": {\"sessionIssuer\": {}}"
            })
    void assumedRoleWithoutSessionIssuerIsKeyedByTheRoleDerivedFromTheSessionArn(
            String sessionContext) {
        Principal p =
                normalize(
                        """
                {"type": "AssumedRole",
                 "arn": "arn:aws:sts::111122223333:assumed-role/ecr-pusher/ci-build-42",
                 "accessKeyId": "ASIAEXAMPLEKEY000001"%s}
                """
                                .formatted(sessionContext));

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::111122223333:role/ecr-pusher",
                                Principal.TYPE_ASSUMED_ROLE,
                                "ecr-pusher",
                                "111122223333",
                                "ASIAEXAMPLEKEY000001",
                                "ci-build-42",
                                "arn:aws:sts::111122223333:assumed-role/ecr-pusher/ci-build-42"));
    }

    @Test
    void roleArnDerivedFromTheSessionArnKeepsThePartition() {
        Principal p =
                normalize(
                        """
                {"type": "AssumedRole", "arn": "arn:aws-cn:sts::123456789012:assumed-role/Deployer/alice@example.com"}
                """);

        assertThat(p.arn()).isEqualTo("arn:aws-cn:iam::123456789012:role/Deployer");
        assertThat(p.sessionName()).isEqualTo("alice@example.com");
    }

    /** Two sessions of the role ecr-pusher: build-1 and build-2, each with its own access key. */
    private static final String SESSION =
            """
            {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ecr-pusher/%s",
             "accountId": "111122223333", "accessKeyId": "%s"}
            """;

    @Test
    void sessionsOfOneRoleShareTheRolesArn() {
        Principal first = normalize(SESSION.formatted("build-1", "ASIAFIRSTSESSION0001"));
        Principal second = normalize(SESSION.formatted("build-2", "ASIASECONDSESSION002"));
        assertThat(first.arn())
                .isEqualTo(second.arn())
                .isEqualTo("arn:aws:iam::111122223333:role/ecr-pusher");
    }

    @Test
    void eachSessionKeepsItsOwnNameAndKey() {
        Principal first = normalize(SESSION.formatted("build-1", "ASIAFIRSTSESSION0001"));
        Principal second = normalize(SESSION.formatted("build-2", "ASIASECONDSESSION002"));
        assertThat(first.sessionName()).isEqualTo("build-1");
        assertThat(second.sessionName()).isEqualTo("build-2");
        assertThat(first.accessKeyId()).isEqualTo("ASIAFIRSTSESSION0001");
        assertThat(second.accessKeyId()).isEqualTo("ASIASECONDSESSION002");
    }

    // ---- IAM users, root, services, accounts
    // -------------------------------------------------------------------

    @Test
    void iamUser() {
        Principal p =
                normalize(
                        """
                {"type": "IAMUser", "principalId": "AIDATFQR7NSC5AU2ZV3IE",
                 "arn": "arn:aws:iam::123837392027:user/bert-jan", "accountId": "123837392027",
                 "accessKeyId": "AKIATFQR7NSC8Q4X20BJ", "userName": "bert-jan"}
                """);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::123837392027:user/bert-jan",
                                Principal.TYPE_IAM_USER,
                                "bert-jan",
                                "123837392027",
                                "AKIATFQR7NSC8Q4X20BJ",
                                null,
                                null));
        assertThat(p.isAwsService()).isFalse();
    }

    @Test
    void iamUserWithoutArnGetsOneFromAccountAndName() {
        Principal p =
                normalize(
                        """
                {"type": "IAMUser", "accountId": "123837392027", "userName": "benjamin"}
                """);

        assertThat(p.arn()).isEqualTo("arn:aws:iam::123837392027:user/benjamin");
        assertThat(p.name()).isEqualTo("benjamin");
    }

    @Test
    void iamUserWithoutUserNameIsNamedAfterItsArn() {
        Principal p =
                normalize(
                        """
                {"type": "IAMUser", "arn": "arn:aws:iam::123837392027:user/ops/benjamin", "accountId": "123837392027"}
                """);

        assertThat(p.name()).isEqualTo("benjamin");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":\"Root\",\"principalId\":\"123456789012\",\"arn\":\"arn:aws:iam::123456789012:root\","
                        + "\"accountId\":\"123456789012\",\"accessKeyId\":\"ASIAROOTEXAMPLE00001\"}"
                        + "| arn:aws:iam::123456789012:root | ASIAROOTEXAMPLE00001",
                "{\"type\":\"Root\",\"accountId\":\"123456789012\"} | arn:aws:iam::123456789012:root |",
            })
    void root(String identity, String arn, String accessKeyId) {
        Principal p = normalize(identity);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                arn,
                                Principal.TYPE_ROOT,
                                "root",
                                "123456789012",
                                accessKeyId,
                                null,
                                null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":\"AWSService\",\"invokedBy\":\"rolesanywhere.amazonaws.com\"} | rolesanywhere.amazonaws.com",
                "{\"type\":\"AWSService\",\"principalId\":\"ecr.amazonaws.com\"}           | ecr.amazonaws.com",
                "{\"accountId\":\"123456789012\",\"invokedBy\":\"AWS Internal\"}          | AWS Internal",
            })
    void awsServiceIsKeyedByTheInvokingService(String identity, String service) {
        Principal p = normalize(identity);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "service:" + service,
                                Principal.TYPE_AWS_SERVICE,
                                service,
                                null,
                                null,
                                null,
                                null));
        assertThat(p.isAwsService()).isTrue();
    }

    @Test
    void awsAccountCallerIsKeyedByThatAccountsRoot() {
        Principal p =
                normalize(
                        """
                {"type": "AWSAccount", "principalId": "AIDAEXAMPLEPRINCIPAL", "accountId": "111122223333"}
                """);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "arn:aws:iam::111122223333:root",
                                Principal.TYPE_AWS_ACCOUNT,
                                "111122223333",
                                "111122223333",
                                null,
                                null,
                                null));
    }

    @Test
    void otherIdentityTypeIsKeyedByItsArn() {
        Principal p =
                normalize(
                        """
                {"type": "FederatedUser", "principalId": "123456789012:alice",
                 "arn": "arn:aws:sts::123456789012:federated-user/alice", "accountId": "123456789012"}
                """);

        assertThat(p)
                .isEqualTo(
                        new Principal(
                                "arn:aws:sts::123456789012:federated-user/alice",
                                "FederatedUser",
                                "alice",
                                "123456789012",
                                null,
                                null,
                                null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "null",
                "\"AWS Internal\"",
                "[]",
                "{}",
                "{\"type\": \"IdentityCenterUser\"}"
            })
    void identityWithNothingToKeyOnIsNone(String identity) {
        assertThat(PrincipalNormalizer.normalize(Samples.parse(Samples.utf8(identity)), ACCOUNT))
                .isSameAs(Principal.NONE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":\"AssumedRole\",\"accessKeyId\":\"ASIAEXAMPLEKEY000003\"} | AssumedRole | unknown | ASIAEXAMPLEKEY000003",
                "{\"type\":\"IAMUser\",\"userName\":\"alice\"}                      | IAMUser     | alice   |",
                "{\"type\":\"AWSAccount\"}                                          | AWSAccount  | unknown |",
            })
    void identityTooSparseForAKeyIsKeyedUnknownButKeepsWhatItHas(
            String identity, String type, String name, String accessKeyId) {
        Principal p = normalize(identity);

        assertThat(p.arn()).isEqualTo(Principal.NONE.arn());
        assertThat(p.type()).isEqualTo(type);
        assertThat(p.name()).isEqualTo(name);
        assertThat(p.accessKeyId()).isEqualTo(accessKeyId);
    }

    @Test
    void missingUserIdentityIsNone() {
        assertThat(PrincipalNormalizer.normalize((JsonNode) null, ACCOUNT))
                .isSameAs(Principal.NONE);

        EcrEvent e =
                CollectingOutput.decode(
                                Samples.json(Samples.PULL).without("userIdentity").toString())
                        .onlyEvent();

        assertThat(e.principal()).isSameAs(Principal.NONE);
        assertThat(e.crossAccount()).isFalse();
        assertThat(e.accountId()).as("from recipientAccountId").isEqualTo("123456789012");
    }

    // ---- crossAccount()
    // ----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":\"AWSAccount\",\"principalId\":\"AIDAEXAMPLEPRINCIPAL\",\"accountId\":\"111122223333\"} | true",
                "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/ci/run-7\"}             | true",
                "{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::123456789012:user/Mary_Major\",\"accountId\":\"123456789012\"} | false",
                "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::123456789012:assumed-role/ci/run-7\"}             | false",
                "{\"type\":\"AWSService\",\"invokedBy\":\"ecr.amazonaws.com\"}                                     | false",
            })
    void crossAccountWhenTheCallersAccountIsNotTheRecipient(String identity, boolean crossAccount) {
        EcrEvent e = pullBy(identity);

        assertThat(e.accountId()).isEqualTo("123456789012");
        assertThat(e.crossAccount()).isEqualTo(crossAccount);
    }

    @Test
    void crossAccountCallerOfARealRecordKeepsItsOwnAccount() {
        EcrEvent e =
                pullBy(
                        """
                {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLEID:build",
                 "arn": "arn:aws:sts::111122223333:assumed-role/ci/build",
                 "accountId": "111122223333", "accessKeyId": "ASIAEXAMPLEKEY000002",
                 "sessionContext": {"sessionIssuer": {"type": "Role",
                     "arn": "arn:aws:iam::111122223333:role/ci", "accountId": "111122223333", "userName": "ci"}}}
                """);

        assertThat(e.crossAccount()).isTrue();
        assertThat(e.principal().accountId()).isEqualTo("111122223333");
        assertThat(e.registryId()).isEqualTo("123456789012");
        assertThat(e.principal().arn()).isEqualTo("arn:aws:iam::111122223333:role/ci");
    }
}
