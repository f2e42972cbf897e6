package io.layerwatch.pipeline;

/**
 * One unit of input: bytes as received (a Kinesis record, a stdin chunk) or a file to read (a
 * CloudTrail log file, local or {@code s3://}). The decoder detects the shape from the content.
 *
 * @param source where it came from, for dead letters (file path, stream/shard)
 * @param bytes the payload, or null when {@code path} names a file to read
 * @param path a local file or an {@code s3://bucket/key} object to read, or null
 * @param arrivalTime when the stream received it, or when CloudTrail delivered the file (the stamp
 *     in its name) (epoch ms; Long.MIN_VALUE when unknown)
 */
@SuppressWarnings("ArrayRecordComponent") // never compared: a payload is read once
public record Payload(String source, byte[] bytes, String path, long arrivalTime) {

    public static Payload ofBytes(String source, byte[] bytes) {
        return new Payload(source, bytes, null, Long.MIN_VALUE);
    }

    public static Payload ofFile(String path) {
        return ofFile(path, Long.MIN_VALUE);
    }

    public static Payload ofFile(String path, long deliveredAt) {
        return new Payload(path, null, path, deliveredAt);
    }

    public static Payload received(String source, byte[] bytes, long arrivalTime) {
        return new Payload(source, bytes, null, arrivalTime);
    }
}
