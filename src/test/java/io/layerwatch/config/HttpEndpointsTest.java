package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpEndpointsTest {

    @Test
    void acceptsHttpsOrLoopbackHttp() {
        assertThat(HttpEndpoints.urlProblem("https://hooks.slack.com/services/T0/B0/s3cret"))
                .isNull();
        assertThat(HttpEndpoints.urlProblem("http://localhost:8080/x")).isNull();
        assertThat(HttpEndpoints.urlProblem("http://127.3.2.1/x")).isNull();
        assertThat(HttpEndpoints.urlProblem("http://[::1]:9000/x")).isNull();
    }

    @Test
    void refusesOtherUrlsWithoutQuotingThem() {
        assertThat(HttpEndpoints.urlProblem("ftp://files.example/s3cret"))
                .startsWith("must be https")
                .endsWith("not ftp")
                .doesNotContain("s3cret");
        assertThat(HttpEndpoints.urlProblem("http://hooks.example/s3cret"))
                .startsWith("must be https");
        assertThat(HttpEndpoints.urlProblem("http://127.0.0.1.evil.example/"))
                .startsWith("must be https");
        assertThat(HttpEndpoints.urlProblem("http://127.0.0.300/")).isNotNull();
        assertThat(HttpEndpoints.urlProblem("http://localhost@evil.example/")).isNotNull();
        assertThat(HttpEndpoints.urlProblem("https://user:s3cret@hooks.example/"))
                .isEqualTo("must not carry credentials before the host");
        assertThat(HttpEndpoints.urlProblem("not a url")).isEqualTo("is not a well-formed URL");
        assertThat(HttpEndpoints.urlProblem("hooks.example/s3cret"))
                .isEqualTo("is not an absolute http(s) URL");
        assertThat(HttpEndpoints.urlProblem("mailto:s3cret@example.com"))
                .isEqualTo("is not an absolute http(s) URL");
        assertThat(HttpEndpoints.urlProblem("https:///path")).isEqualTo("has no host");
        assertThat(HttpEndpoints.urlProblem("")).isEqualTo("is empty");
    }

    @Test
    void headerValuesWithLineBreaksAreRefusedWithoutQuotingThem() {
        assertThat(HttpEndpoints.headerProblem("Authorization", "Bearer t0k\tx")).isNull();
        assertThat(HttpEndpoints.headerProblem("Authorization", "Bearer t0k\r\nX-Evil: 1"))
                .isEqualTo(
                        "header Authorization has a control character (CR, LF, ...) in its value");
        assertThat(HttpEndpoints.headerProblem("Authorization", "Bearer t0k\n"))
                .doesNotContain("t0k");
        assertThat(HttpEndpoints.headerProblem("X-A\nB", "v"))
                .isEqualTo("a header name is not a valid HTTP token");
        assertThat(HttpEndpoints.headerProblem("X-Esc", "a\u001b[2Jb"))
                .contains("control character");
    }
}
