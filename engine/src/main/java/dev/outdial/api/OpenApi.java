package dev.outdial.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.outdial.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The native API's OpenAPI 3.1 document. It is written by hand in YAML ({@code openapi.yaml}, next
 * to the code it describes, and easier to read and review than JSON) and served as JSON at
 * {@code /openapi.json}. OpenApiTest checks real answers against it, so it cannot drift unnoticed.
 */
public final class OpenApi {
    private OpenApi() {
    }

    /** The document as a tree, read from the classpath. */
    public static JsonNode document() {
        try (InputStream in = OpenApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) throw new IllegalStateException("openapi.yaml is missing from the classpath");
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml cannot be read", e);
        }
    }

    /** The document as JSON bytes, as served. */
    static byte[] json() {
        return Json.writeBytes(document());
    }
}
