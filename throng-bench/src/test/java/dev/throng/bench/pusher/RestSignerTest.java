package dev.throng.bench.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pusher's published signature examples (docs: /work/notes/pusher-spec.md §8 and §13, vectors T4, T5, T6, T8). */
class RestSignerTest {

    private static final String KEY = "278d425bdf160c739803";
    private static final String SECRET = "7ad3773142a6692b25b8";
    private static final long TIMESTAMP = 1353088179;

    @Test
    void signsPushersPublishedTriggerExample() { // T4, DOC-REST "Worked authentication example"
        byte[] body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"
                .getBytes(StandardCharsets.UTF_8);
        String query = new RestSigner(KEY, SECRET).signedQuery("POST", "/apps/3/events", Map.of(), body, TIMESTAMP);
        assertThat(query)
                .isEqualTo("auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                        + "&body_md5=ec365a775a4cd0599faeb73354201b6f"
                        + "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
    }

    @Test
    void signsTheSignatureGemExampleWithLowerCasedSortedKeys() { // T5, mloughran/signature spec
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Query", "params");
        params.put("GO", "here");
        String query = new RestSigner("key", "secret").signedQuery("post", "/some/path", params, null, 1234);
        assertThat(query)
                .isEqualTo("auth_key=key&auth_timestamp=1234&auth_version=1.0&go=here&query=params"
                        + "&auth_signature=3b237953a5ba6619875cbb2a2d43e8da9ef5824e8a2c689f6284ac85bc1ea0db");
    }

    @Test
    void signsValuesUnescaped() { // T6: the node SDK's GET channel info, commas left as they are
        String query = new RestSigner(KEY, SECRET)
                .signedQuery(
                        "GET",
                        "/apps/3/channels/presence-foobar",
                        Map.of("info", "user_count,subscription_count"),
                        null,
                        TIMESTAMP);
        assertThat(query)
                .endsWith("&info=user_count,subscription_count"
                        + "&auth_signature=377ee9260ea002a70c0d40cd887d55cb36db9f7f821297f5efacbcce66be356d");
    }

    @Test
    void signsAnEmptyObjectBodyWithItsMd5() { // T8: terminate_connections with body {}
        String query = new RestSigner(KEY, SECRET)
                .signedQuery(
                        "POST",
                        "/apps/3/users/12345/terminate_connections",
                        Map.of(),
                        "{}".getBytes(StandardCharsets.UTF_8),
                        TIMESTAMP);
        assertThat(query)
                .isEqualTo("auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                        + "&body_md5=99914b932bd37a50b983c5e7c90ae93b"
                        + "&auth_signature=01fa634edeb0cae84115307cad5c23f65a46cd286461b1c89637a3b5871a8f0e");
    }
}
