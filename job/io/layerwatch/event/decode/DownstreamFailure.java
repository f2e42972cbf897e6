package io.layerwatch.event.decode;

/**
 * A failure of the receiver of decoded output, not of the input: never mistaken for undecodable
 * input.
 */
public final class DownstreamFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RuntimeException failure;

    private DownstreamFailure(RuntimeException failure) {
        super(null, null, false, false);
        this.failure = failure;
    }

    /** The receiver's own exception, to rethrow to the decoder's caller. */
    public RuntimeException failure() {
        return failure;
    }

    /** Runs one delivery to the receiver; its failure comes out wrapped. */
    public static void guard(Runnable delivery) {
        try {
            delivery.run();
        } catch (RuntimeException e) {
            throw new DownstreamFailure(e);
        }
    }
}
