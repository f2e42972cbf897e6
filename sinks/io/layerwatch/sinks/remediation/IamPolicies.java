package io.layerwatch.sinks.remediation;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AttachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.AttachedPolicy;
import software.amazon.awssdk.services.iam.model.DeleteRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DeleteUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.DetachUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.GetRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.GetUserPolicyRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedRolePoliciesRequest;
import software.amazon.awssdk.services.iam.model.ListAttachedUserPoliciesRequest;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.PutRolePolicyRequest;
import software.amazon.awssdk.services.iam.model.PutUserPolicyRequest;

/**
 * The managed and inline policies of a role or user target, through IAM: managed policies with the
 * target account's remediation role, inline policies with its revoke-sessions role.
 */
final class IamPolicies {
    private final AwsAccess aws;

    IamPolicies(AwsAccess aws) {
        this.aws = aws;
    }

    private static boolean role(Target t) {
        return t.kind() == TargetKind.ROLE;
    }

    /**
     * Whether the managed policy is attached to the role or user (every page of its attached
     * policies).
     */
    boolean attached(Target t, String policyArn) {
        IamClient iam = aws.iam();
        Stream<AttachedPolicy> all =
                role(t)
                        ? iam
                                .listAttachedRolePoliciesPaginator(
                                        aws.as(
                                                        ListAttachedRolePoliciesRequest.builder(),
                                                        t.account())
                                                .roleName(t.principalName())
                                                .build())
                                .attachedPolicies()
                                .stream()
                        : iam
                                .listAttachedUserPoliciesPaginator(
                                        aws.as(
                                                        ListAttachedUserPoliciesRequest.builder(),
                                                        t.account())
                                                .userName(t.principalName())
                                                .build())
                                .attachedPolicies()
                                .stream();
        return all.anyMatch(p -> policyArn.equals(p.policyArn()));
    }

    /**
     * Attaches ({@code on}) or detaches the managed policy; detaching one that is not attached is
     * no error.
     */
    void attach(Target t, String policyArn, boolean on) {
        IamClient iam = aws.iam();
        String name = t.principalName();
        String account = t.account();
        Runnable call;
        if (role(t)) {
            call =
                    on
                            ? () ->
                                    iam.attachRolePolicy(
                                            aws.as(AttachRolePolicyRequest.builder(), account)
                                                    .roleName(name)
                                                    .policyArn(policyArn)
                                                    .build())
                            : () ->
                                    iam.detachRolePolicy(
                                            aws.as(DetachRolePolicyRequest.builder(), account)
                                                    .roleName(name)
                                                    .policyArn(policyArn)
                                                    .build());
        } else {
            call =
                    on
                            ? () ->
                                    iam.attachUserPolicy(
                                            aws.as(AttachUserPolicyRequest.builder(), account)
                                                    .userName(name)
                                                    .policyArn(policyArn)
                                                    .build())
                            : () ->
                                    iam.detachUserPolicy(
                                            aws.as(DetachUserPolicyRequest.builder(), account)
                                                    .userName(name)
                                                    .policyArn(policyArn)
                                                    .build());
        }
        try {
            call.run();
        } catch (NoSuchEntityException e) {
            if (on) {
                throw e;
            }
            // not attached (any more)
        }
    }

    /**
     * An inline policy of the role or user (IAM returns it URL-encoded), or null when it has none
     * by that name.
     */
    String inline(Target t, String policyName) {
        IamClient iam = aws.iam();
        try {
            String encoded =
                    role(t)
                            ? iam.getRolePolicy(
                                            aws.asInlinePolicyWriter(
                                                            GetRolePolicyRequest.builder(),
                                                            t.account())
                                                    .roleName(t.principalName())
                                                    .policyName(policyName)
                                                    .build())
                                    .policyDocument()
                            : iam.getUserPolicy(
                                            aws.asInlinePolicyWriter(
                                                            GetUserPolicyRequest.builder(),
                                                            t.account())
                                                    .userName(t.principalName())
                                                    .policyName(policyName)
                                                    .build())
                                    .policyDocument();
            return encoded == null ? null : URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (NoSuchEntityException e) {
            return null;
        }
    }

    void putInline(Target t, String policyName, String document) {
        IamClient iam = aws.iam();
        if (role(t)) {
            iam.putRolePolicy(
                    aws.asInlinePolicyWriter(PutRolePolicyRequest.builder(), t.account())
                            .roleName(t.principalName())
                            .policyName(policyName)
                            .policyDocument(document)
                            .build());
        } else {
            iam.putUserPolicy(
                    aws.asInlinePolicyWriter(PutUserPolicyRequest.builder(), t.account())
                            .userName(t.principalName())
                            .policyName(policyName)
                            .policyDocument(document)
                            .build());
        }
    }

    void deleteInline(Target t, String policyName) {
        IamClient iam = aws.iam();
        try {
            if (role(t)) {
                iam.deleteRolePolicy(
                        aws.asInlinePolicyWriter(DeleteRolePolicyRequest.builder(), t.account())
                                .roleName(t.principalName())
                                .policyName(policyName)
                                .build());
            } else {
                iam.deleteUserPolicy(
                        aws.asInlinePolicyWriter(DeleteUserPolicyRequest.builder(), t.account())
                                .userName(t.principalName())
                                .policyName(policyName)
                                .build());
            }
        } catch (NoSuchEntityException e) {
            // already gone
        }
    }
}
