package io.layerwatch.replay;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.pipeline.DecodeFunction;
import io.layerwatch.pipeline.InputScope;
import io.layerwatch.pipeline.ReadProgress;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A replay's input without Flink, for commands that need the events but not the rules: the same
 * paths ({@link InputFiles#expand}: files, directories, {@code s3://}, "-") decoded by the same
 * {@link DecodeFunction} (read errors and implausible event times are dead letters), one file at a
 * time on the caller's thread.
 */
public final class InputEvents {
    /** Dead-letter reasons kept for the caller to show. */
    static final int REASONS_KEPT = 5;

    /**
     * What was read.
     *
     * @param reasons the first dead letters' sources and reasons
     */
    public record Counts(int files, long events, long deadLettered, List<String> reasons) {}

    private InputEvents() {}

    /**
     * Decodes every input file, giving each event in {@code scope} to {@code events}; CloudWatch
     * Logs messages count only from {@code senders}; a file over {@code maxInflatedBytes}
     * (input.maxInflatedBytes) is a dead letter.
     */
    public static Counts read(
            List<String> paths,
            InputScope scope,
            InputStream stdin,
            S3Inputs s3,
            CloudWatchLogsSenders senders,
            long maxInflatedBytes,
            Consumer<EcrEvent> events)
            throws IOException {
        List<InputFile> files = InputFiles.expand(paths, scope, stdin, s3);
        DecodeFunction decode =
                new DecodeFunction(
                        s3,
                        ReadProgress.Locator.NONE,
                        DecodeFunction.prefilterOn(),
                        senders,
                        maxInflatedBytes);
        decode.openDecoder();
        long[] counts = new long[2];
        List<String> reasons = new ArrayList<>();
        DecodeFunction.Output output =
                new DecodeFunction.Output() {
                    @Override
                    public void event(EcrEvent event) {
                        if (scope.keeps(event)) {
                            counts[0]++;
                            events.accept(event);
                        }
                    }

                    @Override
                    public void deadLetter(DeadLetter d) {
                        if (counts[1]++ < REASONS_KEPT) {
                            reasons.add(d.source() + ": " + d.reason());
                        }
                    }

                    @Override
                    public void rejected(DeadLetter d) {
                        deadLetter(d);
                    }

                    @Override
                    public void fileDone(long bytes) {}

                    @Override
                    public void prefiltered(long records) {}
                };
        for (InputFile f : files) {
            decode.decode(f.payload(), output);
        }
        return new Counts(files.size(), counts[0], counts[1], List.copyOf(reasons));
    }
}
