package io.layerwatch.pipeline;

/**
 * One unit of input: bytes as received (a Kinesis record, a stdin chunk) or a file to read
 * (a CloudTrail log file). The decoder detects the shape from the content.
 *
 * @param source where it came from, for dead letters (file path, stream/shard)
 * @param bytes the payload, or null when {@code path} names a file to read
 * @param path a local file to read, or null
 */
public record Payload(String source, byte[] bytes, String path) {

    public static Payload ofBytes(String source, byte[] bytes) {
        return new Payload(source, bytes, null);
    }

    public static Payload ofFile(String path) {
        return new Payload(path, null, path);
    }
}
