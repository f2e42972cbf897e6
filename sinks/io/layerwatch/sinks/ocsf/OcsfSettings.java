package io.layerwatch.sinks.ocsf;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeadLetterDestination;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where the OCSF lines of {@link OcsfOutputs} go. Only the fields of the chosen target are used;
 * the factories fill them and the constructor checks them.
 *
 * @param target FILE, STDOUT, KINESIS or FIREHOSE
 * @param path FILE: the JSON-lines file (truncated when the job starts)
 * @param streamName KINESIS: the data stream name (or streamArn)
 * @param streamArn KINESIS: the data stream ARN (or streamName)
 * @param deliveryStream FIREHOSE: the Firehose stream name
 * @param aws KINESIS / FIREHOSE: region and endpoint override (credentials: the default chain)
 * @param deadLetters FIREHOSE: where records go that Firehose rejects or that run out of attempts
 */
public record OcsfSettings(
        Target target,
        String path,
        String streamName,
        String streamArn,
        String deliveryStream,
        AwsClientSettings aws,
        DeadLetterDestination deadLetters)
        implements Serializable {

    public enum Target {
        FILE,
        STDOUT,
        KINESIS,
        FIREHOSE
    }

    public OcsfSettings {
        if (target == null) {
            throw new IllegalArgumentException("an OCSF output needs a target");
        }
        if (aws == null) {
            aws = AwsClientSettings.DEFAULTS;
        }
        switch (target) {
            case FILE -> require(path, "FILE needs a path");
            case KINESIS -> {
                if (blank(streamName) && blank(streamArn)) {
                    throw new IllegalArgumentException("KINESIS needs a stream name or ARN");
                }
            }
            case FIREHOSE -> {
                require(deliveryStream, "FIREHOSE needs a delivery stream name");
                if (deadLetters == null) {
                    throw new IllegalArgumentException("FIREHOSE needs a dead-letter destination");
                }
            }
            default -> {}
        }
    }

    public static OcsfSettings file(Path path) {
        return new OcsfSettings(Target.FILE, path.toString(), null, null, null, null, null);
    }

    public static OcsfSettings stdout() {
        return new OcsfSettings(Target.STDOUT, null, null, null, null, null, null);
    }

    /** A Kinesis data stream by name, or by ARN when {@code nameOrArn} starts with "arn:". */
    public static OcsfSettings kinesis(String nameOrArn, AwsClientSettings aws) {
        boolean arn = nameOrArn != null && nameOrArn.startsWith("arn:");
        return new OcsfSettings(
                Target.KINESIS,
                null,
                arn ? null : nameOrArn,
                arn ? nameOrArn : null,
                null,
                aws,
                null);
    }

    public static OcsfSettings firehose(
            String deliveryStream, AwsClientSettings aws, DeadLetterDestination deadLetters) {
        return new OcsfSettings(
                Target.FIREHOSE, null, null, null, deliveryStream, aws, deadLetters);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static void require(String s, String message) {
        if (blank(s)) {
            throw new IllegalArgumentException(message);
        }
    }
}
