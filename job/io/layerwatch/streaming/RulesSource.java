package io.layerwatch.streaming;

import io.layerwatch.config.ConfigException;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.sinks.aws.AwsClientSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads the rules file a streaming job uses: "classpath:" alone is the built-in rules,
 * "classpath:NAME" a resource in the jar, "s3://bucket/key" an S3 object, anything else a local
 * path.
 */
public final class RulesSource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String uri;
    private final String region;

    public RulesSource(String uri, String region) {
        this.uri = uri;
        this.region = region;
    }

    public String uri() {
        return uri;
    }

    /** The user YAML text ("" for the built-in rules). */
    public String read() {
        try {
            if (uri.equals(StreamingOptions.BUILT_IN_RULES)) {
                return "";
            }
            if (uri.startsWith("classpath:")) {
                String name = uri.substring("classpath:".length());
                try (InputStream in =
                        RulesSource.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new ConfigException(uri + ": no such resource in the jar");
                    }
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            if (uri.startsWith("s3://")) {
                String path = uri.substring(5);
                int slash = path.indexOf('/');
                if (slash <= 0 || slash == path.length() - 1) {
                    throw new ConfigException(uri + ": expected s3://bucket/key");
                }
                AwsClientSettings aws = AwsClientSettings.DEFAULTS.withRegion(region);
                try (S3Client s3 = aws.build(S3Client.builder())) {
                    return s3.getObjectAsBytes(
                                    b ->
                                            b.bucket(path.substring(0, slash))
                                                    .key(path.substring(slash + 1)))
                            .asUtf8String();
                }
            }
            return Files.readString(Paths.get(uri));
        } catch (NoSuchFileException e) {
            throw new ConfigException(uri + ": file not found");
        } catch (IOException e) {
            throw new ConfigException(uri + ": cannot read: " + e.getMessage());
        }
    }

    /** Reads and validates; throws ConfigException naming the URI, key path and problem. */
    public RulesConfig load() {
        return parse(read());
    }

    /**
     * As {@link #parse}, but a file without a single setting (empty, blank, comments only) is
     * rejected: on a live reload it is a truncated or failed write, not a wish to drop every
     * override.
     */
    public RulesConfig parseReload(String yaml) {
        if (!uri.equals(StreamingOptions.BUILT_IN_RULES)
                && yaml.lines()
                        .map(String::strip)
                        .allMatch(l -> l.isEmpty() || l.startsWith("#") || l.equals("---"))) {
            throw new ConfigException(uri + ": no settings in the file (empty or truncated)");
        }
        return parse(yaml);
    }

    public RulesConfig parse(String yaml) {
        return yaml.isEmpty() ? RulesConfigLoader.builtIn() : RulesConfigLoader.fromYaml(yaml, uri);
    }
}
