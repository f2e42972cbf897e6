package io.layerwatch.sinks.delivery;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.util.Json;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Dead letters sent to an SQS queue, one message each, with the sink as a message attribute. */
public record SqsDeadLetters(String queueUrl, AwsClientSettings aws) implements DeadLetterDestination {

    @Override
    public Writer open() {
        SqsClient sqs = aws.build(SqsClient.builder());
        return new Writer() {
            @Override
            public void write(SinkDeadLetter d) {
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(d))
                        .messageAttributes(java.util.Map.of("sink",
                                MessageAttributeValue.builder().dataType("String").stringValue(d.sink()).build())));
            }

            @Override
            public void close() {
                sqs.close();
            }
        };
    }
}
