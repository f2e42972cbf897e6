package io.layerwatch.pipeline;

import io.layerwatch.event.decode.PayloadDecoder;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Paths;

/**
 * Reads the files that file payloads name, file after file into one array, for a reader that is
 * done with each file's bytes before it reads the next (the decoder: what it emits holds copies):
 * no new array, zeroed by the JVM, per file. A file over {@value #REUSED_UP_TO} bytes gets an array
 * of its own, so one big file does not pin it. Local files are read here, others (S3) by the {@link
 * Remote} given. Not thread-safe.
 */
public final class FileReader {
    static final int REUSED_UP_TO = 8 << 20;
    private final Remote remote;
    private byte[] buffer = new byte[64 << 10];
    private byte[] bytes;
    private int length;

    /**
     * Files that are not local (S3 objects): serializable with the job, closed with its decoder.
     */
    public interface Remote extends Serializable, AutoCloseable {
        /** Local files only. */
        Remote NONE = new LocalOnly();

        /** Whether {@code location} is one of its files. */
        boolean holds(String location);

        /**
         * The file's bytes.
         *
         * @throws PayloadDecoder.TooLarge when it has more than {@code maxBytes}
         */
        byte[] read(String location, long maxBytes) throws IOException;

        @Override
        void close();
    }

    public FileReader(Remote remote) {
        this.remote = remote;
    }

    /**
     * Reads {@code location}; then see {@link #bytes}, {@link #length}.
     *
     * @throws PayloadDecoder.TooLarge when it has more than {@code maxBytes}
     *     (input.maxInflatedBytes)
     */
    public void read(String location, long maxBytes) throws IOException {
        if (remote.holds(location)) {
            bytes = remote.read(location, maxBytes);
            length = bytes.length;
            return;
        }
        try (FileChannel in = FileChannel.open(Paths.get(location))) {
            long size = in.size();
            checkSize(size, maxBytes);
            if (size > buffer.length) {
                bytes = new byte[(int) size];
                if (size <= REUSED_UP_TO) {
                    buffer = bytes;
                }
            } else {
                bytes = buffer;
            }
            ByteBuffer into = ByteBuffer.wrap(bytes, 0, (int) size);
            while (into.hasRemaining() && in.read(into) >= 0) {
                // until the size it had when opened
            }
            length = into.position();
        }
    }

    /** The last file's bytes: [0, {@link #length}). Overwritten by the next read. */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    /**
     * Refuses a payload larger than the limit.
     *
     * @throws PayloadDecoder.TooLarge when {@code size} is over {@code maxBytes}
     */
    public static void checkSize(long size, long maxBytes) throws IOException {
        if (size > maxBytes) {
            throw new PayloadDecoder.TooLarge(PayloadDecoder.larger(size, maxBytes));
        }
    }

    private static final class LocalOnly implements Remote {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean holds(String location) {
            return false;
        }

        @Override
        public byte[] read(String location, long maxBytes) throws IOException {
            throw new IOException("not a local file, and no remote files here: " + location);
        }

        @Override
        public void close() {}
    }
}
