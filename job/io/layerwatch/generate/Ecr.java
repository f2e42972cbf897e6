package io.layerwatch.generate;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The ECR calls benign traffic and attack scripts are made of, as CloudTrail records them: token,
 * image pull (manifest then one GetDownloadUrlForLayer per uncached layer), push (layer check,
 * upload, PutImage), reads, and the writes the rules watch. Each method emits its records and
 * returns the time after the last one, so calls of one activity follow each other by a second or
 * so.
 */
final class Ecr {
    static final String SOURCE = "ecr.amazonaws.com";
    static final String MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    /** Where the records go. */
    interface Emitter {
        void cloudTrail(long time, String account, String region, byte[] record);

        void scanEvent(long time, String account, String region, byte[] event);
    }

    /**
     * Who calls, and from where: the credentials, source address, VPC endpoint (or null) and user
     * agent.
     */
    record Origin(Actor.Session session, String ip, String vpce, String agent) {}

    private final RecordWriter w;
    private final Emitter out;
    private final SplittableRandom rng;

    /** ECR records (CloudTrail and scan events) emitted so far. */
    long emitted;

    /** Records of other services emitted so far ({@link #otherService}). */
    long others;

    Ecr(RecordWriter writer, Emitter out) {
        this.w = writer;
        this.out = out;
        this.rng = writer.rng();
    }

    RecordWriter.Call call(long t, String name, String account, String region, Origin o) {
        return w.call(t, SOURCE, name, region, account)
                .from(o.session(), o.ip(), o.vpce(), o.agent());
    }

    /** Renders and emits; returns the time of the next call of the same client. */
    long emit(RecordWriter.Call c) {
        out.cloudTrail(c.time, c.recipient, c.region, w.render(c));
        emitted++;
        return c.time + 150 + rng.nextInt(1200);
    }

    /**
     * A call of {@code o} to another service (a workload's own calls: logs, objects); not counted
     * as ECR.
     */
    long otherService(long t, String source, String name, String account, String region, Origin o) {
        RecordWriter.Call c =
                w.call(t, source, name, region, account)
                        .from(o.session(), o.ip(), o.vpce(), o.agent());
        out.cloudTrail(c.time, c.recipient, c.region, w.render(c));
        others++;
        return c.time + 150 + rng.nextInt(1200);
    }

    long token(long t, Origin o, String region) {
        return emit(call(t, "GetAuthorizationToken", o.session().actor().account(), region, o));
    }

    /** BatchGetImage of a tag, then GetDownloadUrlForLayer of each digest in {@code downloads}. */
    long pull(
            long t,
            Origin o,
            String account,
            String region,
            Repo repo,
            int version,
            List<String> downloads) {
        String tag = repo.tag(version);
        t =
                emit(
                        call(t, "BatchGetImage", account, region, o)
                                .params(
                                        g -> {
                                            repository(g, account, repo.name);
                                            g.writeArrayFieldStart("imageIds");
                                            g.writeStartObject();
                                            g.writeStringField("imageTag", tag);
                                            g.writeEndObject();
                                            g.writeEndArray();
                                            g.writeArrayFieldStart("acceptedMediaTypes");
                                            g.writeString(MANIFEST_V2);
                                            g.writeString(OCI_MANIFEST);
                                            g.writeEndArray();
                                        }));
        for (String digest : downloads) {
            t = layerUrl(t, o, account, region, repo.name, digest);
        }
        return t;
    }

    long layerUrl(
            long t, Origin o, String account, String region, String repository, String digest) {
        return emit(
                call(t, "GetDownloadUrlForLayer", account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    g.writeStringField("layerDigest", digest);
                                }));
    }

    /**
     * A docker push of {@code version}: BatchCheckLayerAvailability for every layer, an upload of
     * each new one, PutImage. Returns the time of the PutImage.
     */
    long push(long t, Origin o, String account, String region, Repo repo, int version) {
        List<String> layers = repo.layers(version);
        t =
                emit(
                        call(t, "BatchCheckLayerAvailability", account, region, o)
                                .params(
                                        g -> {
                                            repository(g, account, repo.name);
                                            g.writeArrayFieldStart("layerDigests");
                                            for (String d : layers) {
                                                g.writeString(d);
                                            }
                                            g.writeEndArray();
                                        }));
        for (String digest : repo.newLayers(version)) {
            String upload = Ids.uuid(rng);
            t =
                    emit(
                            call(t, "InitiateLayerUpload", account, region, o)
                                    .params(g -> repository(g, account, repo.name))
                                    .response(
                                            g -> {
                                                g.writeStringField("uploadId", upload);
                                                g.writeNumberField("partSize", 10485760);
                                            }));
            int parts = 1 + rng.nextInt(3);
            for (int p = 0; p < parts; p++) {
                long first = p * 10485760L;
                t =
                        emit(
                                call(t, "UploadLayerPart", account, region, o)
                                        .params(
                                                g -> {
                                                    repository(g, account, repo.name);
                                                    g.writeStringField("uploadId", upload);
                                                    g.writeNumberField("partFirstByte", first);
                                                    g.writeNumberField(
                                                            "partLastByte", first + 10485759L);
                                                }));
            }
            t =
                    emit(
                            call(t, "CompleteLayerUpload", account, region, o)
                                    .params(
                                            g -> {
                                                repository(g, account, repo.name);
                                                g.writeStringField("uploadId", upload);
                                                g.writeArrayFieldStart("layerDigests");
                                                g.writeString(digest);
                                                g.writeEndArray();
                                            }));
        }
        putImage(t, o, account, region, repo.name, repo.tag(version), repo.digest(version));
        return t;
    }

    /**
     * PutImage of a manifest whose layers are in the repository already: the end of a push, a
     * second tag for a pushed image, or {@code aws ecr put-image}. Returns the time of the next
     * call.
     */
    long putImage(
            long t,
            Origin o,
            String account,
            String region,
            String repository,
            String tag,
            String digest) {
        return emit(
                call(t, "PutImage", account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    g.writeStringField("imageTag", tag);
                                    g.writeStringField("imageManifestMediaType", MANIFEST_V2);
                                })
                        .response(
                                g -> {
                                    g.writeObjectFieldStart("image");
                                    repository(g, account, repository);
                                    g.writeObjectFieldStart("imageId");
                                    g.writeStringField("imageTag", tag);
                                    g.writeStringField("imageDigest", digest);
                                    g.writeEndObject();
                                    g.writeStringField("imageManifestMediaType", MANIFEST_V2);
                                    g.writeEndObject();
                                }));
    }

    /**
     * The scan-on-push result for {@code version}, {@code delay} after the push; counts CRITICAL,
     * HIGH, MEDIUM, LOW.
     */
    long scan(
            long pushedAt,
            long delay,
            String account,
            String region,
            Repo repo,
            int version,
            int[] counts) {
        long t = pushedAt + delay;
        out.scanEvent(
                t,
                account,
                region,
                w.scan(
                        t,
                        repo.enhanced,
                        account,
                        region,
                        repo.name,
                        repo.digest(version),
                        repo.tag(version),
                        counts));
        emitted++;
        return t;
    }

    /** A read about one repository (DescribeImages, ListImages, GetRepositoryPolicy, ...). */
    long read(long t, Origin o, String name, String account, String region, String repository) {
        return emit(
                call(t, name, account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    if ("DescribeImages".equals(name)
                                            || "ListImages".equals(name)) {
                                        g.writeNumberField("maxResults", 100);
                                    }
                                }));
    }

    long describeRepositories(long t, Origin o, String account, String region) {
        return emit(
                call(t, "DescribeRepositories", account, region, o)
                        .params(g -> g.writeNumberField("maxResults", 1000)));
    }

    /**
     * SetRepositoryPolicy: {@code policy} is the policy document (JSON text), recorded as a string.
     */
    long setPolicy(
            long t, Origin o, String account, String region, String repository, String policy) {
        return emit(
                call(t, "SetRepositoryPolicy", account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    g.writeStringField("policyText", policy);
                                    g.writeBooleanField("force", false);
                                })
                        .response(
                                g -> {
                                    repository(g, account, repository);
                                    g.writeStringField("policyText", policy);
                                }));
    }

    /**
     * A repository-level write with only the repository as parameters (DeleteRepositoryPolicy,
     * TagResource, ...).
     */
    long write(
            long t,
            Origin o,
            String name,
            String account,
            String region,
            String repository,
            RecordWriter.Fields more) {
        return emit(
                call(t, name, account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    if (more != null) {
                                        more.write(g);
                                    }
                                }));
    }

    long createRepository(long t, Origin o, String account, String region, String repository) {
        return emit(
                call(t, "CreateRepository", account, region, o)
                        .params(
                                g -> {
                                    g.writeStringField("repositoryName", repository);
                                    g.writeStringField("imageTagMutability", "IMMUTABLE");
                                    g.writeObjectFieldStart("imageScanningConfiguration");
                                    g.writeBooleanField("scanOnPush", true);
                                    g.writeEndObject();
                                    g.writeObjectFieldStart("encryptionConfiguration");
                                    g.writeStringField("encryptionType", "AES256");
                                    g.writeEndObject();
                                })
                        .response(
                                g -> {
                                    g.writeObjectFieldStart("repository");
                                    g.writeStringField(
                                            "repositoryArn",
                                            "arn:aws:ecr:"
                                                    + region
                                                    + ":"
                                                    + account
                                                    + ":repository/"
                                                    + repository);
                                    g.writeStringField("registryId", account);
                                    g.writeStringField("repositoryName", repository);
                                    g.writeStringField(
                                            "repositoryUri",
                                            account
                                                    + ".dkr.ecr."
                                                    + region
                                                    + ".amazonaws.com/"
                                                    + repository);
                                    g.writeEndObject();
                                }));
    }

    /**
     * PutReplicationConfiguration replicating every repository to {@code destinations}
     * (REGION:ACCOUNT each).
     */
    long replication(long t, Origin o, String account, String region, List<String[]> destinations) {
        return emit(
                call(t, "PutReplicationConfiguration", account, region, o)
                        .params(
                                g -> {
                                    g.writeObjectFieldStart("replicationConfiguration");
                                    g.writeArrayFieldStart("rules");
                                    g.writeStartObject();
                                    g.writeArrayFieldStart("destinations");
                                    for (String[] d : destinations) {
                                        g.writeStartObject();
                                        g.writeStringField("region", d[0]);
                                        g.writeStringField("registryId", d[1]);
                                        g.writeEndObject();
                                    }
                                    g.writeEndArray();
                                    g.writeEndObject();
                                    g.writeEndArray();
                                    g.writeEndObject();
                                }));
    }

    /** CreatePullThroughCacheRule of {@code prefix} caching {@code upstream} (a registry host). */
    long pullThroughCache(
            long t,
            Origin o,
            String account,
            String region,
            String prefix,
            String upstream,
            String kind) {
        RecordWriter.Fields rule =
                g -> {
                    g.writeStringField("ecrRepositoryPrefix", prefix);
                    g.writeStringField("upstreamRegistryUrl", upstream);
                    g.writeStringField("registryId", account);
                    g.writeStringField("upstreamRegistry", kind);
                };
        return emit(
                call(t, "CreatePullThroughCacheRule", account, region, o)
                        .params(rule)
                        .response(
                                g -> {
                                    rule.write(g);
                                    g.writeNumberField("createdAt", t / 1000.0);
                                }));
    }

    /** A call ECR refused, as CloudTrail records it (no response elements). */
    long denied(
            long t,
            Origin o,
            String name,
            String account,
            String region,
            String repository,
            String code) {
        Actor a = o.session().actor();
        String caller =
                a.kind() == Actor.Kind.ROLE
                        ? "arn:aws:sts::"
                                + a.account()
                                + ":assumed-role/"
                                + a.name()
                                + "/"
                                + o.session().name()
                        : a.arn();
        String message =
                "AccessDenied".equals(code)
                        ? "User: "
                                + caller
                                + " is not authorized to perform: ecr:"
                                + name
                                + " on resource: arn:aws:ecr:"
                                + region
                                + ":"
                                + account
                                + ":repository/"
                                + repository
                                + " because no resource-based policy allows the ecr:"
                                + name
                                + " action"
                        : "The image requested does not exist in the specified repository.";
        return emit(
                call(t, name, account, region, o)
                        .params(
                                g -> {
                                    repository(g, account, repository);
                                    if ("GetDownloadUrlForLayer".equals(name)) {
                                        g.writeStringField(
                                                "layerDigest", Ids.sha256(rng.nextLong()));
                                    } else if ("BatchCheckLayerAvailability".equals(name)) {
                                        g.writeArrayFieldStart("layerDigests");
                                        g.writeString(Ids.sha256(rng.nextLong()));
                                        g.writeEndArray();
                                    } else {
                                        g.writeArrayFieldStart("imageIds");
                                        g.writeStartObject();
                                        g.writeStringField("imageTag", "latest");
                                        g.writeEndObject();
                                        g.writeEndArray();
                                    }
                                })
                        .error(code, message));
    }

    static void repository(JsonGenerator g, String account, String repository) throws IOException {
        g.writeStringField("registryId", account);
        g.writeStringField("repositoryName", repository);
    }
}
