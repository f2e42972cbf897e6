package io.layerwatch.sinks.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Retry or give up: throttling, 429, 5xx, timeouts and connection failures are retryable;
 * validation and authorization errors (other 4xx) are final for that entry.
 */
public final class ErrorClassifier {
    private ErrorClassifier() {}

    public static EntryResult classify(Throwable t) {
        Throwable e = unwrap(t);
        String message = describe(e);
        if (e instanceof AwsServiceException ase) {
            int status = ase.statusCode();
            return ase.isThrottlingException() || status == 429 || status >= 500
                    ? EntryResult.retry(message)
                    : EntryResult.rejected(message);
        }
        if (e instanceof ApiCallTimeoutException
                || e instanceof ApiCallAttemptTimeoutException
                || e instanceof SdkClientException
                || e instanceof IOException
                || e instanceof UncheckedIOException
                || e instanceof TimeoutException
                || e instanceof HttpTimeoutException) {
            return EntryResult.retry(message);
        }
        return EntryResult.rejected(message);
    }

    /**
     * Classifies an HTTP status of a non-AWS endpoint (webhooks, the assessment API). The body is
     * summarised by its length, never quoted: a server may echo the request's token or URL.
     */
    public static EntryResult classifyHttp(int status, String body) {
        String message =
                "HTTP "
                        + status
                        + (body == null || body.isEmpty()
                                ? ""
                                : " ("
                                        + body.getBytes(StandardCharsets.UTF_8).length
                                        + "-byte body)");
        if (status >= 200 && status < 300) {
            return EntryResult.DELIVERED;
        }
        return status == 429 || status == 408 || status >= 500
                ? EntryResult.retry(message)
                : EntryResult.rejected(message);
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + abbreviate(msg));
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }
}
