package io.layerwatch.sinks.remediation;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DeleteRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.DeleteRepositoryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.GetRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.GetRepositoryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.PutRegistryPolicyRequest;
import software.amazon.awssdk.services.ecr.model.RegistryPolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryPolicyNotFoundException;
import software.amazon.awssdk.services.ecr.model.SetRepositoryPolicyRequest;

/**
 * The policy of a repository or registry target (by its kind), read and written through ECR with
 * the target account's remediation role.
 */
final class EcrPolicies {
    private final AwsAccess aws;

    EcrPolicies(AwsAccess aws) {
        this.aws = aws;
    }

    private EcrClient ecr(Target t) {
        return aws.ecr(t.region());
    }

    private static boolean registry(Target t) {
        return t.kind() == TargetKind.REGISTRY;
    }

    /** The policy text exactly as ECR returns it, or null when there is none. */
    String read(Target t) {
        if (registry(t)) {
            try {
                return ecr(t).getRegistryPolicy(
                                aws.as(GetRegistryPolicyRequest.builder(), t.account()).build())
                        .policyText();
            } catch (RegistryPolicyNotFoundException e) {
                return null;
            }
        }
        try {
            return ecr(t).getRepositoryPolicy(
                            aws.as(GetRepositoryPolicyRequest.builder(), t.account())
                                    .registryId(t.account())
                                    .repositoryName(t.repository())
                                    .build())
                    .policyText();
        } catch (RepositoryPolicyNotFoundException e) {
            return null;
        }
    }

    void write(Target t, String text) {
        if (registry(t)) {
            ecr(t).putRegistryPolicy(
                            aws.as(PutRegistryPolicyRequest.builder(), t.account())
                                    .policyText(text)
                                    .build());
        } else {
            ecr(t).setRepositoryPolicy(
                            aws.as(SetRepositoryPolicyRequest.builder(), t.account())
                                    .registryId(t.account())
                                    .repositoryName(t.repository())
                                    .policyText(text)
                                    .build());
        }
    }

    void delete(Target t) {
        if (registry(t)) {
            ecr(t).deleteRegistryPolicy(
                            aws.as(DeleteRegistryPolicyRequest.builder(), t.account()).build());
        } else {
            ecr(t).deleteRepositoryPolicy(
                            aws.as(DeleteRepositoryPolicyRequest.builder(), t.account())
                                    .registryId(t.account())
                                    .repositoryName(t.repository())
                                    .build());
        }
    }
}
