package io.layerwatch.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Expands replay arguments into files: plain files, directories (recursive, e.g. the CloudTrail S3
 * layout AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/), and "-" for standard input. Files are
 * ordered by the delivery time in CloudTrail file names, so events arrive roughly in event time,
 * directory walks skip hidden files and the labels.jsonl and rules.yaml of a generated trail,
 * and files delivered before {@code from} or well after {@code to} are skipped unopened.
 */
public final class InputFiles {
    /** CloudTrail names files ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz. */
    private static final Pattern DELIVERY = Pattern.compile("_(\\d{8}T\\d{4})Z_");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm");
    /** Records are delivered within minutes; a file may hold records up to this long before its stamp. */
    private static final long DELIVERY_SLACK_MILLIS = 3_600_000L;
    private static final java.util.Set<String> GENERATED_SIDE_FILES =
            java.util.Set.of(io.layerwatch.generate.Generator.LABELS, io.layerwatch.generate.Generator.RULES);

    private InputFiles() {}

    public static List<Path> expand(List<String> args, Instant from, Instant to, InputStream stdin) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String arg : args) {
            if ("-".equals(arg)) {
                Path tmp = Files.createTempFile("layerwatch-stdin", ".input");
                tmp.toFile().deleteOnExit();
                Files.copy(stdin, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                files.add(tmp);
                continue;
            }
            Path p = Paths.get(arg);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(InputFiles::isInput).forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new java.nio.file.NoSuchFileException(arg, null, "no such file or directory");
            }
        }
        List<Path> kept = new ArrayList<>();
        for (Path f : files) {
            Long delivered = deliveryTime(f);
            boolean before = delivered != null && from != null && delivered < from.toEpochMilli();
            boolean after = delivered != null && to != null && delivered - DELIVERY_SLACK_MILLIS > to.toEpochMilli();
            if (!before && !after) {
                kept.add(f);
            }
        }
        kept.sort(Comparator.comparing((Path f) -> {
            Long t = deliveryTime(f);
            return t == null ? Long.MIN_VALUE : t;
        }).thenComparing(Path::toString));
        return kept;
    }

    /**
     * Whether a directory walk reads {@code f}: not hidden files, nor the labels and rules file that
     * {@code layerwatch generate} writes beside its trail (named on the command line, they are read).
     */
    static boolean isInput(Path f) {
        String name = f.getFileName().toString();
        return !name.startsWith(".") && !GENERATED_SIDE_FILES.contains(name);
    }

    static Long deliveryTime(Path file) {
        Matcher m = DELIVERY.matcher(file.getFileName().toString());
        if (!m.find()) {
            return null;
        }
        try {
            return LocalDateTime.parse(m.group(1), STAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (RuntimeException e) {
            return null;
        }
    }

}
