package io.layerwatch.generate;

/**
 * Who makes a call: an IAM role (used through sessions), an IAM user (long-term key) or an AWS
 * service.
 *
 * @param path the IAM path of a role ("" or e.g. "aws-reserved/sso.amazonaws.com/")
 */
record Actor(Kind kind, String account, String name, String path) {

    enum Kind {
        ROLE,
        USER,
        SERVICE
    }

    static Actor role(String account, String name) {
        return new Actor(Kind.ROLE, account, name, "");
    }

    /** An IAM Identity Center permission set's role, e.g. AWSReservedSSO_Developer_0123abcd. */
    static Actor ssoRole(String account, String permissionSet) {
        String suffix = Ids.hex(Ids.hash(account + permissionSet), 16);
        return new Actor(
                Kind.ROLE,
                account,
                "AWSReservedSSO_" + permissionSet + "_" + suffix,
                "aws-reserved/sso.amazonaws.com/");
    }

    static Actor user(String account, String name) {
        return new Actor(Kind.USER, account, name, "");
    }

    /** An AWS service acting on its own, e.g. ec2.amazonaws.com. */
    static Actor service(String host) {
        return new Actor(Kind.SERVICE, null, host, "");
    }

    /** The principal as LayerWatch keys it (role ARN for sessions; service:HOST for services). */
    String arn() {
        return switch (kind) {
            case ROLE -> "arn:aws:iam::" + account + ":role/" + path + name;
            case USER -> "arn:aws:iam::" + account + ":user/" + name;
            case SERVICE -> "service:" + name;
        };
    }

    /** IAM unique id (AROA... for roles, AIDA... for users). */
    String uniqueId() {
        return Ids.uniqueId(kind == Kind.USER ? "AIDA" : "AROA", arn());
    }

    /**
     * A session of this actor: role sessions get a temporary key per session name and start time.
     */
    Session session(String sessionName, long created) {
        String key =
                kind == Kind.USER
                        ? Ids.accessKey("AKIA", Ids.hash(arn()))
                        : kind == Kind.ROLE
                                ? Ids.accessKey(
                                        "ASIA", Ids.hash(arn() + "/" + sessionName, created, 0))
                                : null;
        return new Session(this, sessionName, key, created);
    }

    /** One use of an actor's credentials. */
    record Session(Actor actor, String name, String accessKeyId, long created) {}
}
