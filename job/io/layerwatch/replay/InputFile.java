package io.layerwatch.replay;

import io.layerwatch.pipeline.Payload;

/**
 * One file to replay: a local path or an {@code s3://bucket/key} object.
 *
 * @param size bytes (compressed, as stored); progress and ETA use it
 * @param deliveredAt the CloudTrail delivery stamp of its name (epoch ms), or {@link
 *     Long#MIN_VALUE}
 */
public record InputFile(String location, long size, long deliveredAt) {

    static InputFile of(String location, long size) {
        return new InputFile(location, size, TrailPath.of(location).deliveredAt());
    }

    Payload payload() {
        return Payload.ofFile(location, deliveredAt);
    }
}
