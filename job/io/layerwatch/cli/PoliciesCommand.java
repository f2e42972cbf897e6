package io.layerwatch.cli;

import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.policies.ObservedPullers;
import io.layerwatch.policies.ObservedPullers.Judged;
import io.layerwatch.policies.ObservedPullers.Verdict;
import io.layerwatch.policies.PreventivePolicies;
import io.layerwatch.replay.InputEvents;
import io.layerwatch.replay.S3Inputs;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code layerwatch policies --rules FILE --out DIR [--pullers PATH...]}: the preventive policies
 * generated from the same allowlist the detections use (see {@link PreventivePolicies}), the SCP's
 * allowed principals widened by the principals a trail shows pulling (see {@link ObservedPullers}).
 */
@Command(
        name = "policies",
        mixinStandardHelpOptions = true,
        description =
                "Generate preventive policies from the rules file's allowlist (principals, organizationId, "
                        + "trustedVpcEndpoints, trustedCidrs): an SCP limiting ECR layer downloads to the allowed roles "
                        + "(and, with --pullers, the roles a trail shows pulling), VPC endpoint policies for ECR (api, dkr) "
                        + "and the S3 layer buckets limited to the organization, and a repository-policy baseline "
                        + "(organization-only pulls through trusted networks) to merge into repository policies. "
                        + "Prints every puller the SCP would still deny. Attach the SCP to a test OU first.")
public final class PoliciesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--rules",
            paramLabel = "FILE",
            required = true,
            description = "Rules file (its allowlist: section, over the built-in defaults).")
    Path file;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "Output directory (created if needed).")
    Path out;

    @Option(
            names = "--break-glass",
            paramLabel = "ARN",
            description =
                    "A break-glass role or user ARN (* allowed) that may always pull; repeatable.")
    List<String> breakGlass = new ArrayList<>();

    @Option(
            names = "--pullers",
            paramLabel = "PATH",
            arity = "1..*",
            description =
                    "CloudTrail input, read as replay reads it (files, directories, s3://bucket/prefix, -): "
                            + "the roles that pulled successfully in the last --pullers-days join the SCP's allowed "
                            + "principals; DIR/"
                            + ObservedPullers.FILE
                            + " lists every puller and what the SCP does to it.")
    List<String> pullers = new ArrayList<>();

    @Option(
            names = "--pullers-days",
            paramLabel = "N",
            description =
                    "Days of pulls that count, up to the newest event in the --pullers input (default "
                            + DEFAULT_DAYS
                            + ").")
    Integer pullersDays;

    @Option(
            names = "--pullers-users",
            description =
                    "Let the IAM users seen pulling join the SCP too (default: "
                            + "reported as denied).")
    boolean pullersUsers;

    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 3660;

    @Override
    public Integer call() throws Exception {
        if (pullers.isEmpty() && (pullersDays != null || pullersUsers)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--pullers-days and --pullers-users need --pullers");
        }
        int days = pullersDays == null ? DEFAULT_DAYS : pullersDays;
        if (days < 1 || days > MAX_DAYS) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--pullers-days must be 1 to " + MAX_DAYS);
        }
        RulesConfig config = RulesConfigLoader.load(file);
        // Bad config fails before a long read of the trail.
        PreventivePolicies.Inputs inputs =
                PreventivePolicies.check(config.globalAllowlist(), file.toString(), breakGlass);
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PreventivePolicies.Result result;
        String observedJson = null;
        if (!pullers.isEmpty()) {
            ObservedPullers observed = new ObservedPullers(days);
            InputEvents.Counts counts;
            try (S3Inputs s3 = new S3Inputs(null)) {
                counts =
                        InputEvents.read(
                                pullers,
                                InputScope.ALL,
                                System.in,
                                s3,
                                config.cloudWatchLogs(),
                                config.maxInflatedBytes(),
                                observed::accept);
            }
            List<Judged> judged = judge(observed, counts, inputs.allowed());
            List<String> added =
                    judged.stream()
                            .filter(j -> j.verdict() == Verdict.ADDED)
                            .map(j -> j.puller().arn())
                            .toList();
            result =
                    PreventivePolicies.generate(
                            config.globalAllowlist(), file.toString(), breakGlass, added);
            for (String reason : counts.reasons()) {
                err.println("warning: --pullers: dead letter: " + reason);
            }
            print(w, observed, counts, judged);
            observedJson = ObservedPullers.report(observed, counts, judged);
        } else {
            result =
                    PreventivePolicies.generate(
                            config.globalAllowlist(), file.toString(), breakGlass);
            err.println(
                    "warning: "
                            + PreventivePolicies.SCP
                            + " denies ecr:BatchGetImage and ecr:GetDownloadUrlForLayer"
                            + " to every principal not in allowlist.principals or --break-glass (ECS task execution roles,"
                            + " EKS nodes, CodeBuild, SageMaker...): run with --pullers TRAIL to allow the roles that pull,"
                            + " and attach it to a test OU first");
        }
        List<Path> written = PreventivePolicies.write(result, out);
        for (String warning : result.warnings()) {
            err.println("warning: " + file + ": " + warning);
        }
        w.println("preventive policies from " + config.source() + ":");
        for (int i = 0; i < written.size(); i++) {
            PreventivePolicies.Policy p = result.policies().get(i);
            String size =
                    p.file().equals(PreventivePolicies.SCP)
                            ? " ("
                                    + p.text().length()
                                    + "/"
                                    + PreventivePolicies.SCP_MAX_CHARS
                                    + " chars)"
                            : "";
            w.printf("wrote %s  %s%s%n", written.get(i), p.summary(), size);
        }
        if (observedJson != null) {
            Path report = out.resolve(ObservedPullers.FILE);
            Files.writeString(report, observedJson + "\n", StandardCharsets.UTF_8);
            w.printf("wrote %s  every puller of the window and what the SCP does to it%n", report);
        }
        w.flush();
        err.flush();
        return 0;
    }

    /**
     * The window's pullers judged; no pull at all is an error (an SCP from it would deny every
     * pull).
     */
    private List<Judged> judge(
            ObservedPullers observed, InputEvents.Counts counts, List<String> allowed) {
        if (observed.events() == 0) {
            throw new ConfigException(
                    "--pullers: no events in "
                            + counts.files()
                            + " file(s) ("
                            + counts.deadLettered()
                            + " dead-lettered): nothing to learn the pullers from");
        }
        List<Judged> judged = ObservedPullers.judge(observed.pullers(), allowed, pullersUsers);
        if (judged.isEmpty()) {
            throw new ConfigException(
                    "--pullers: no successful ecr:BatchGetImage or ecr:GetDownloadUrlForLayer from "
                            + observed.windowStart()
                            + " to "
                            + observed.windowEnd()
                            + " in "
                            + counts.events()
                            + " event(s): does the trail record read management events? An SCP from it would deny every pull");
        }
        return judged;
    }

    private static void print(
            PrintWriter w,
            ObservedPullers observed,
            InputEvents.Counts counts,
            List<Judged> judged) {
        w.printf(
                "pullers from %s to %s (%d days to the newest event; %d file(s), %d event(s), %d dead-lettered): %d%n",
                observed.windowStart(),
                observed.windowEnd(),
                observed.days(),
                counts.files(),
                counts.events(),
                counts.deadLettered(),
                judged.size());
        for (Verdict v : List.of(Verdict.ADDED, Verdict.ALLOWED, Verdict.NOT_SUBJECT)) {
            judged.stream()
                    .filter(j -> j.verdict() == v)
                    .forEach(
                            j ->
                                    w.printf(
                                            "  %-12s %s  (%s, %d pulls) %s%n",
                                            v.label(),
                                            j.puller().arn(),
                                            j.puller().type(),
                                            j.puller().pulls(),
                                            j.why()));
        }
        List<Judged> denied = judged.stream().filter(j -> j.verdict() == Verdict.DENIED).toList();
        w.printf("the SCP would deny %d of them:%n", denied.size());
        denied.forEach(
                j ->
                        w.printf(
                                "  denied       %s  (%s, %d pulls) %s%n",
                                j.puller().arn(), j.puller().type(), j.puller().pulls(), j.why()));
    }
}
