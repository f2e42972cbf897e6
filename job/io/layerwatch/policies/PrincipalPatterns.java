package io.layerwatch.policies;

import io.layerwatch.config.Glob;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the detections' principal allowlist (ARN globs of roles, users or role sessions) into
 * patterns for the {@code aws:PrincipalArn} condition key, which policies compare with {@code
 * ArnLike}/{@code ArnNotLike}.
 *
 * <p>{@code aws:PrincipalArn} is the role ARN for a role session, never the session ARN, so a
 * session glob {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/*} becomes {@code
 * arn:aws:iam::ACCOUNT:role/ROLE} (and {@code role/* /ROLE} for roles with a path). A glob that
 * names particular sessions cannot be expressed and is left out with a warning, as is anything that
 * is not an IAM or STS principal ARN: leaving a pattern out only ever makes the policies stricter.
 */
public final class PrincipalPatterns {

    /** arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE with globs allowed in every part. */
    private static final Pattern ARN =
            Pattern.compile("arn:([^:]*):(iam|sts):([^:]*):([^:]*):(.+)");

    /** The patterns (in allowlist order, without duplicates) and why the others were left out. */
    public record Result(List<String> patterns, List<String> warnings) {}

    private PrincipalPatterns() {}

    public static Result of(List<Glob> globs, String keyPath) {
        Set<String> patterns = new LinkedHashSet<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < globs.size(); i++) {
            String glob = globs.get(i).toString();
            String problem = translate(glob, patterns);
            if (problem != null) {
                warnings.add(
                        keyPath
                                + "["
                                + i
                                + "] '"
                                + glob
                                + "': "
                                + problem
                                + "; left out of the policies");
            }
        }
        return new Result(List.copyOf(patterns), List.copyOf(warnings));
    }

    /**
     * The {@code ArnLike} condition operator: each of the six colon-separated parts of the ARN
     * matched on its own, {@code *} any run of characters and {@code ?} one, case-sensitive.
     */
    static boolean arnLike(String pattern, String arn) {
        String[] p = pattern.split(":", 6);
        String[] a = arn.split(":", 6);
        if (p.length != 6 || a.length != 6) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (!Glob.of(p[i]).matches(a[i])) {
                return false;
            }
        }
        return true;
    }

    /** Adds the patterns for one glob; returns why it cannot be used, or null. */
    private static String translate(String glob, Set<String> out) {
        Matcher m = ARN.matcher(glob);
        if (!m.matches()) {
            return "not an IAM role, user or role-session ARN pattern";
        }
        String partition = m.group(1);
        String service = m.group(2);
        String account = m.group(4);
        String resource = m.group(5);
        if (service.equals("iam")) {
            if (resource.startsWith("role/")
                    || resource.startsWith("user/")
                    || resource.equals("root")
                    || resource.equals("*")) {
                out.add(glob);
                return null;
            }
            return "names no role or user (aws:PrincipalArn is a role, user or root ARN)";
        }
        if (!resource.startsWith("assumed-role/")) {
            return "only assumed-role session ARNs can be turned into role ARNs";
        }
        String rest = resource.substring("assumed-role/".length());
        int slash = rest.indexOf('/');
        String role;
        if (slash < 0) {
            if (!rest.endsWith("*")) {
                return "matches no session ARN (they end in /SESSION)";
            }
            role = rest; // "ci-*" also matches "ci-x/any-session"
        } else {
            String session = rest.substring(slash + 1);
            if (!session.equals("*")) {
                return "names particular sessions, which aws:PrincipalArn (the role ARN) cannot tell apart";
            }
            role = rest.substring(0, slash);
        }
        if (role.isEmpty()) {
            return "names no role";
        }
        out.add("arn:" + partition + ":iam::" + account + ":role/" + role);
        out.add("arn:" + partition + ":iam::" + account + ":role/*/" + role);
        return null;
    }
}
