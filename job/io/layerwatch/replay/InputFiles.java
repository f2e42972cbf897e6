package io.layerwatch.replay;

import io.layerwatch.generate.Generator;
import io.layerwatch.pipeline.FileReader;
import io.layerwatch.pipeline.InputScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands replay arguments into files: plain files, directories (recursive, e.g. the CloudTrail S3
 * layout AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/), {@code s3://bucket/prefix} (see {@link
 * S3Inputs}) and "-" for standard input. Walks and listings pass over hidden files and a generated
 * trail's labels.jsonl and rules.yaml. Files the scope rules out by their location (delivered
 * before {@code from} or well after {@code to}, other accounts or regions, digests) are skipped
 * unopened. The rest is ordered by the delivery stamp of CloudTrail file names, so events arrive
 * roughly in event time; files without a stamp come first. Only paths are kept: contents are read
 * by the job, one file per decoder at a time.
 */
public final class InputFiles {
    private static final Comparator<InputFile> DELIVERY_ORDER =
            Comparator.comparingLong(InputFile::deliveredAt).thenComparing(InputFile::location);

    private InputFiles() {}

    public static List<InputFile> expand(
            List<String> args, InputScope scope, InputStream stdin, S3Inputs s3)
            throws IOException {
        List<InputFile> files = new ArrayList<>();
        for (String arg : args) {
            if ("-".equals(arg)) {
                Path tmp = Files.createTempFile("layerwatch-stdin", ".input");
                tmp.toFile().deleteOnExit();
                Files.copy(stdin, tmp, StandardCopyOption.REPLACE_EXISTING);
                files.add(local(tmp));
            } else if (S3Inputs.isS3(arg)) {
                files.addAll(s3.list(arg, scope));
            } else {
                Path p = Paths.get(arg);
                if (Files.isDirectory(p)) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        for (Path f :
                                (Iterable<Path>)
                                        walk.filter(Files::isRegularFile)
                                                        .filter(
                                                                f ->
                                                                        !skipped(
                                                                                f.getFileName()
                                                                                        .toString()))
                                                ::iterator) {
                            files.add(local(f));
                        }
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(local(p));
                } else {
                    throw new NoSuchFileException(arg, null, "no such file or directory");
                }
            }
        }
        List<InputFile> kept = new ArrayList<>();
        for (InputFile f : files) {
            if (TrailPath.of(f.location()).in(scope)) {
                kept.add(f);
            }
        }
        kept.sort(DELIVERY_ORDER);
        return kept;
    }

    /** Local files as given, in delivery order. */
    public static List<InputFile> local(List<Path> paths) throws IOException {
        List<InputFile> files = new ArrayList<>();
        for (Path p : paths) {
            files.add(local(p));
        }
        files.sort(DELIVERY_ORDER);
        return files;
    }

    /**
     * Files a directory walk or an S3 listing passes over: hidden files, and the labels.jsonl and
     * rules.yaml that {@code layerwatch generate} writes beside its trail (named on the command
     * line, they are read).
     */
    public static boolean skipped(String name) {
        return name.startsWith(".")
                || name.equals(Generator.LABELS)
                || name.equals(Generator.RULES);
    }

    private static InputFile local(Path file) throws IOException {
        return InputFile.of(file.toString(), Files.size(file));
    }

    /**
     * The bytes of a local file or an s3:// object; one of more than {@code maxBytes}
     * (input.maxInflatedBytes: a decoder holds one file and its inflated text in memory) is not
     * read.
     *
     * @throws PayloadDecoder.TooLarge when it has more
     */
    static byte[] read(String location, S3Inputs s3, long maxBytes) throws IOException {
        if (S3Inputs.isS3(location)) {
            return s3.read(location, maxBytes);
        }
        Path file = Paths.get(location);
        FileReader.checkSize(Files.size(file), maxBytes);
        return Files.readAllBytes(file);
    }
}
