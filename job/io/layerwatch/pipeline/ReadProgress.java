package io.layerwatch.pipeline;

import java.io.Serializable;

/** Where the decoder tells how far it has read: a local replay's progress bar. */
public interface ReadProgress {
    void records(long n);

    void fileDone(long bytes);

    /**
     * Finds the progress from inside the task (serialized with the job); null when there is none
     * there.
     */
    interface Locator extends Serializable {
        /** No progress to tell. */
        Locator NONE = () -> null;

        ReadProgress find();
    }
}
