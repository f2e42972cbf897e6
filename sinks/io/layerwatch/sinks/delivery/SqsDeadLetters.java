package io.layerwatch.sinks.delivery;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.util.Json;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Dead letters sent to an SQS queue, one JSON message each (the sink, error and finding inside).
 */
public record SqsDeadLetters(String queueUrl, AwsClientSettings aws)
        implements DeadLetterDestination {

    @Override
    public Writer open() {
        SqsClient sqs = aws.build(SqsClient.builder());
        return new Writer() {
            @Override
            public void write(SinkDeadLetter d) {
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(d)));
            }

            @Override
            public void close() {
                sqs.close();
            }
        };
    }
}
