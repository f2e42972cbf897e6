package io.layerwatch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.DecodeOutput;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.rules.FirstSeenPuller;
import io.layerwatch.util.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Spreads the generated ECR calls of role sessions over about {@code n} principals: each call's
 * role becomes {@code eks-node-bench-pK} of its own account, K from its event id ({@code n /
 * accounts} values per account), a name the generated rules expect to download layers. Counts what
 * the keyed state will hold: distinct principals of ECR calls, (repository, principal) pairs of
 * pulls, and a sample of the events for serialized sizes.
 */
final class PrincipalSpread {
    private static final byte[] ECR =
            "\"eventSource\":\"ecr.amazonaws.com\"".getBytes(StandardCharsets.US_ASCII);
    private static final int SAMPLE = 20_000;

    private final int perAccount;
    private final ObjectMapper mapper = new ObjectMapper();
    private final PayloadDecoder decoder = new PayloadDecoder();
    final Set<String> principals = new HashSet<>();
    final Set<String> pulls = new HashSet<>();
    final List<EcrEvent> sample = new ArrayList<>();
    long ecrCalls;

    /**
     * @param accounts how many accounts the trail's calls come from
     */
    PrincipalSpread(int n, int accounts) {
        this.perAccount = Math.max(1, (n + accounts - 1) / accounts);
    }

    byte[] rewrite(byte[] record) {
        if (!Bytes.contains(record, ECR)) {
            return record;
        }
        try {
            ObjectNode r = (ObjectNode) mapper.readTree(record);
            JsonNode identity = r.path("userIdentity");
            JsonNode issuer = identity.path("sessionContext").path("sessionIssuer");
            String role = issuer.path("userName").asText(null);
            byte[] out = record;
            if ("AssumedRole".equals(identity.path("type").asText()) && role != null) {
                String renamed =
                        "eks-node-bench-p"
                                + Math.floorMod(r.path("eventID").asText().hashCode(), perAccount);
                ((ObjectNode) issuer).put("userName", renamed);
                String account = identity.path("accountId").asText();
                ((ObjectNode) issuer)
                        .put("arn", "arn:aws:iam::" + account + ":role/" + renamed); // no path
                ((ObjectNode) identity)
                        .put(
                                "arn",
                                identity.path("arn")
                                        .asText()
                                        .replace(
                                                "assumed-role/" + role + "/",
                                                "assumed-role/" + renamed + "/"));
                out = mapper.writeValueAsBytes(r);
            }
            count(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void count(byte[] record) {
        decoder.decode(
                record,
                "bench",
                new DecodeOutput() {
                    @Override
                    public void event(EcrEvent e) {
                        if (!e.isEcrApiCall()) {
                            return;
                        }
                        ecrCalls++;
                        principals.add(e.principal().arn());
                        if (FirstSeenPuller.isPull(e)) {
                            pulls.add(e.repositoryKey() + "|" + e.principal().arn());
                        }
                        if (sample.size() < SAMPLE) {
                            sample.add(e);
                        }
                    }

                    @Override
                    public void deadLetter(DeadLetter d) {}
                });
    }
}
