package dev.throng.bench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PipelinedClientTest {

    private static InputStream responses(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsPipelinedResponsesInOrder() throws IOException {
        InputStream in = responses("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                + "HTTP/1.1 413 Payload Too Large\r\ncontent-length: 5\r\n\r\nlarge"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                + "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(200);
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(413);
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(200);
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(400);
        assertThatThrownBy(() -> PipelinedClient.readResponse(in)).isInstanceOf(EOFException.class);
    }

    @Test
    void aResponseThatClosesTheConnectionComesBackNegated() throws IOException {
        InputStream in = responses("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(-200);
    }

    @Test
    void soketisErrorsAnsweredWith200CountAsTheirCode() throws IOException {
        InputStream in = responses("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 55\r\n\r\n"
                + "{\"error\":\"The secret authentication failed\",\"code\":401}");
        assertThat(PipelinedClient.readResponse(in)).isEqualTo(-401);
    }

    @Test
    void aResponseWithoutLengthEndsTheConnection() {
        assertThatThrownBy(() -> PipelinedClient.readResponse(responses("HTTP/1.1 200 OK\r\n\r\n{}")))
                .isInstanceOf(EOFException.class);
    }
}
