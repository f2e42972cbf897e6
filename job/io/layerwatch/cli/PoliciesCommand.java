package io.layerwatch.cli;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.policies.PreventivePolicies;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code layerwatch policies --rules FILE --out DIR}: the preventive policies generated from the same
 * allowlist the detections use (see {@link PreventivePolicies}).
 */
@Command(name = "policies", mixinStandardHelpOptions = true,
        description = "Generate preventive policies from the rules file's allowlist (principals, organizationId, "
                + "trustedVpcEndpoints, trustedCidrs): an SCP limiting ECR layer downloads to the allowed roles, "
                + "VPC endpoint policies for ECR (api, dkr) and the S3 layer buckets limited to the organization, "
                + "and a repository-policy baseline (organization-only pulls through trusted networks).")
public final class PoliciesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rules", paramLabel = "FILE", required = true,
            description = "Rules file (its allowlist: section, over the built-in defaults).")
    Path file;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (created if needed).")
    Path out;

    @Option(names = "--break-glass", paramLabel = "ARN",
            description = "A break-glass role or user ARN (* allowed) that may always pull; repeatable.")
    List<String> breakGlass = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RulesConfig config = RulesConfigLoader.load(file);
        PreventivePolicies.Result result = PreventivePolicies.generate(config.globalAllowlist(), file.toString(),
                breakGlass);
        List<Path> written = PreventivePolicies.write(result, out);
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String warning : result.warnings()) {
            err.println("warning: " + file + ": " + warning);
        }
        w.println("preventive policies from " + config.source() + ":");
        for (int i = 0; i < written.size(); i++) {
            PreventivePolicies.Policy p = result.policies().get(i);
            String size = p.file().equals(PreventivePolicies.SCP)
                    ? " (" + p.text().length() + "/" + PreventivePolicies.SCP_MAX_CHARS + " chars)" : "";
            w.printf("wrote %s  %s%s%n", written.get(i), p.summary(), size);
        }
        w.flush();
        err.flush();
        return 0;
    }
}
