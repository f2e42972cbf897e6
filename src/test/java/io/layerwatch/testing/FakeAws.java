package io.layerwatch.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.Extension;
import io.layerwatch.sinks.aws.AwsClientSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake AWS for the tests of a class: a WireMock server on a free port standing in for the AWS
 * endpoints, and fake credentials for the SDK's default chain (the system properties {@code
 * aws.accessKeyId} / {@code aws.secretAccessKey}; {@code aws.sessionToken} cleared).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FakeAws AWS = new FakeAws();
 * }</pre>
 *
 * Before all tests of the class it starts WireMock and sets the credentials; before each test it
 * resets WireMock (stubs, request journal, scenarios), so a test stubs what it needs (in a
 * {@code @BeforeEach} method too: those run after this reset); after all tests it stops WireMock
 * and restores the properties as they were.
 */
public final class FakeAws implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    public static final String ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    public static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public static final String REGION = "us-east-1";

    private static final String[][] CREDENTIALS = {
        {"aws.accessKeyId", ACCESS_KEY_ID},
        {"aws.secretAccessKey", SECRET_ACCESS_KEY},
        {"aws.sessionToken", null},
        // the Kinesis connector's shaded SDK v1 reads the secret under this name
        {"aws.secretKey", SECRET_ACCESS_KEY}
    };

    private final WireMockServer server;
    private final Map<String, String> saved = new LinkedHashMap<>();

    /** Classes (the registering one and its @Nested ones) currently inside beforeAll..afterAll. */
    private int active;

    /**
     * WireMock with these extensions (response transformers and the like) plus fake credentials.
     */
    public FakeAws(Extension... extensions) {
        this(new WireMockServer(wireMockConfig().dynamicPort().extensions(extensions)));
    }

    private FakeAws(WireMockServer server) {
        this.server = server;
    }

    /**
     * The fake credentials only, no WireMock: for tests talking to another stand-in (an emulator).
     */
    public static FakeAws credentialsOnly() {
        return new FakeAws((WireMockServer) null);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (active++ > 0) {
            return;
        }
        for (String[] p : CREDENTIALS) {
            saved.put(p[0], System.getProperty(p[0]));
            set(p[0], p[1]);
        }
        if (server != null) {
            server.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server != null) {
            server.resetAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--active > 0) {
            return;
        }
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            saved.forEach(FakeAws::set);
            saved.clear();
        }
    }

    private static void set(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    public WireMockServer server() {
        if (server == null) {
            throw new IllegalStateException("FakeAws.credentialsOnly() has no WireMock server");
        }
        return server;
    }

    /** WireMock's port; only while it runs. */
    public int port() {
        return server().port();
    }

    /**
     * {@code http://localhost:PORT}, the endpoint override that sends every AWS client to WireMock.
     */
    public String endpoint() {
        return "http://localhost:" + port();
    }

    /**
     * Client settings for {@value #REGION} at {@link #endpoint()} with this attempt timeout (also
     * the connect and socket timeout) and the default call timeout; the SDK does no retries.
     */
    public AwsClientSettings settings(Duration attemptTimeout) {
        return new AwsClientSettings(
                REGION, endpoint(), AwsClientSettings.DEFAULTS.callTimeout(), attemptTimeout);
    }

    /** {@link AwsClientSettings#DEFAULTS} in {@value #REGION} at {@link #endpoint()}. */
    public AwsClientSettings settings() {
        return settings(AwsClientSettings.DEFAULTS.attemptTimeout());
    }
}
