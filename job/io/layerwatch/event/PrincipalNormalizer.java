package io.layerwatch.event;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns a CloudTrail userIdentity into a {@link Principal} keyed by a stable ARN. */
public final class PrincipalNormalizer {

    private PrincipalNormalizer() {}

    public static Principal normalize(JsonNode identity, String recipientAccountId) {
        return normalize(Fields.of(identity), recipientAccountId);
    }

    static Principal normalize(Fields identity, String recipientAccountId) {
        Principal principal = principal(identity);
        if (principal.arn() == null) {
            // Too sparse an identity to build a key from (no ARN, account or principal id): never a
            // null key.
            return new Principal(
                    Principal.NONE.arn(),
                    principal.type(),
                    principal.name(),
                    principal.accountId(),
                    principal.accessKeyId(),
                    principal.sessionName(),
                    principal.sessionArn());
        }
        return principal;
    }

    private static Principal principal(Fields identity) {
        if (!identity.present()) {
            return Principal.NONE;
        }
        String type = identity.text("type");
        String arn = identity.text("arn");
        String account = identity.text("accountId");
        String accessKey = identity.text("accessKeyId");
        String invokedBy = identity.text("invokedBy");
        if (type == null) {
            type = Principal.TYPE_UNKNOWN;
        }
        switch (type) {
            case "AssumedRole" -> {
                Fields issuer = identity.object("sessionContext").object("sessionIssuer");
                String roleArn = issuer.text("arn");
                String roleName = issuer.text("userName");
                String session = sessionName(arn);
                if (roleArn == null) {
                    roleArn = roleArnFromSession(arn);
                }
                if (roleName == null && roleArn != null) {
                    roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
                }
                if (account == null) {
                    account = accountOf(roleArn);
                }
                return new Principal(
                        orElse(roleArn, arn, identity.text("principalId")),
                        type,
                        orElse(roleName, session, "unknown"),
                        account,
                        accessKey,
                        session,
                        arn);
            }
            case "IAMUser" -> {
                return new Principal(
                        orElse(
                                arn,
                                userArn(account, identity.text("userName")),
                                identity.text("principalId")),
                        type,
                        orElse(identity.text("userName"), nameOf(arn), "unknown"),
                        account,
                        accessKey,
                        null,
                        null);
            }
            case "Root" -> {
                return new Principal(
                        orElse(
                                arn,
                                account == null ? null : "arn:aws:iam::" + account + ":root",
                                "root"),
                        Principal.TYPE_ROOT,
                        "root",
                        account,
                        accessKey,
                        null,
                        null);
            }
            case "AWSService" -> {
                String service = orElse(invokedBy, identity.text("principalId"), "unknown");
                return new Principal(
                        "service:" + service,
                        Principal.TYPE_AWS_SERVICE,
                        service,
                        null,
                        null,
                        null,
                        null);
            }
            case "AWSAccount" -> {
                String acct = orElse(account, accountOf(arn), null);
                return new Principal(
                        orElse(
                                arn,
                                acct == null ? null : "arn:aws:iam::" + acct + ":root",
                                identity.text("principalId")),
                        type,
                        orElse(acct, "unknown", null),
                        acct,
                        accessKey,
                        null,
                        null);
            }
            default -> {
                if (invokedBy != null && arn == null) {
                    return new Principal(
                            "service:" + invokedBy,
                            Principal.TYPE_AWS_SERVICE,
                            invokedBy,
                            null,
                            null,
                            null,
                            null);
                }
                String key = orElse(arn, identity.text("principalId"), identity.text("userName"));
                if (key == null) {
                    return Principal.NONE;
                }
                return new Principal(
                        key,
                        type,
                        orElse(identity.text("userName"), nameOf(arn), key),
                        orElse(account, accountOf(arn), null),
                        accessKey,
                        null,
                        null);
            }
        }
    }

    /** arn:aws:sts::123:assumed-role/Role/session -> session. */
    static String sessionName(String sessionArn) {
        int i = sessionArn == null ? -1 : sessionArn.indexOf(":assumed-role/");
        int slash = i < 0 ? -1 : sessionArn.indexOf('/', i + 14);
        return slash < 0 ? null : sessionArn.substring(slash + 1);
    }

    /**
     * arn:aws:sts::123:assumed-role/Role/session -> arn:aws:iam::123:role/Role (path unknown here).
     */
    static String roleArnFromSession(String sessionArn) {
        if (sessionArn == null || !sessionArn.contains(":assumed-role/")) {
            return null;
        }
        int i = sessionArn.indexOf(":assumed-role/");
        String prefix = sessionArn.substring(0, i); // arn:aws:sts::123
        String role = sessionArn.substring(i + 14).split("/", 2)[0];
        String[] p = prefix.split(":", -1);
        if (p.length < 5) {
            return null;
        }
        return p[0] + ":" + p[1] + ":iam::" + p[4] + ":role/" + role;
    }

    static String accountOf(String arn) {
        if (arn == null) {
            return null;
        }
        String[] p = arn.split(":", 6);
        return p.length >= 5 && !p[4].isEmpty() ? p[4] : null;
    }

    private static String userArn(String account, String user) {
        return account == null || user == null ? null : "arn:aws:iam::" + account + ":user/" + user;
    }

    private static String nameOf(String arn) {
        return arn == null ? null : arn.substring(arn.lastIndexOf('/') + 1);
    }

    public static String text(JsonNode node, String field) {
        return text(node == null ? null : node.get(field));
    }

    /** A member's value as text: null when absent, null, a container or empty. */
    public static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    private static String orElse(String a, String b, String c) {
        return a != null ? a : b != null ? b : c;
    }
}
