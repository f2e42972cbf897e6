package io.layerwatch.sinks.delivery;

import java.io.Serializable;

/** Where undeliverable findings go: a local file, an S3 prefix or an SQS queue. */
public interface DeadLetterDestination extends Serializable {

    /** Opens a writer on the task manager; writers must be safe to call from several threads. */
    Writer open() throws Exception;

    interface Writer extends AutoCloseable {
        void write(SinkDeadLetter deadLetter) throws Exception;

        @Override
        default void close() throws Exception {}
    }
}
