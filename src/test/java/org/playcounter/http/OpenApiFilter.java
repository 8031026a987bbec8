package org.playcounter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.JoniRegularExpressionFactory;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A REST Assured filter that holds every answer it sees to the OpenAPI document: the request is
 * matched to a path and method of the document (else to its {@code x-playcounter-other-paths} or
 * {@code x-playcounter-other-methods}), and the status, the headers the document names, the
 * content type and the body (JSON parsed, text as a JSON string) must be as documented; an
 * answer that is not fails the request with an {@link AssertionError} saying what differs.
 * Thread-safe: the suites' racing clients share one.
 */
final class OpenApiFilter implements Filter {
  /** Where the document is on the classpath: the WAR's own copy. */
  static final String RESOURCE = "/org/playcounter/server/openapi.json";
  private static final String DOCUMENT_URI = "https://playcounter.invalid/openapi.json";
  private static final String INLINE_URI = "https://playcounter.invalid/answer.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS =
      List.of("get", "head", "post", "put", "delete", "options", "patch", "trace");

  private final JsonNode document;
  private final List<String> contextPaths;
  private final Map<String, Pattern> paths = new LinkedHashMap<>();
  /** Every response header the document names somewhere, lower case. */
  private final Set<String> namedHeaders = new TreeSet<>();
  private final JsonSchemaFactory factory;
  private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
      .regularExpressionFactory(JoniRegularExpressionFactory.getInstance()).build();
  private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

  /**
   * A filter for {@code document}, for deployments at {@code /} and at each of
   * {@code contextPaths}.
   */
  OpenApiFilter(JsonNode document, String... contextPaths) {
    this.document = document;
    this.contextPaths = List.of(contextPaths);
    List<String> templates = new ArrayList<>();
    document.path("paths").fieldNames().forEachRemaining(templates::add);
    // Literal paths before templates, so that /drains is never taken for /drains/{n}.
    templates.sort(Comparator.comparing((String path) -> path.contains("{")));
    for (String template : templates) {
      paths.put(template, Pattern.compile(
          Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]*\\\\Q")));
    }
    // Also the names of the header components, which no answer carries.
    for (JsonNode headers : document.findValues("headers")) {
      headers.fieldNames().forEachRemaining(name ->
          namedHeaders.add(name.toLowerCase(Locale.ROOT)));
    }
    String text = document.toString();
    factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
        builder -> builder.schemaLoaders(loaders -> loaders.schemas(Map.of(DOCUMENT_URI, text))));
  }

  /** A filter for the document the WAR serves. */
  static OpenApiFilter served(String... contextPaths) {
    return new OpenApiFilter(served(), contextPaths);
  }

  /** The document the WAR serves, parsed. */
  static JsonNode served() {
    try (InputStream in = OpenApiFilter.class.getResourceAsStream(RESOURCE)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Response filter(FilterableRequestSpecification request,
      FilterableResponseSpecification expected, FilterContext context) {
    Response response = context.next(request, expected);
    Map<String, String> headers = new HashMap<>();
    for (Header header : response.getHeaders()) {
      headers.merge(header.getName().toLowerCase(Locale.ROOT), header.getValue(),
          (a, b) -> a + ", " + b);
    }
    String method = request.getMethod();
    String body = method.equals("HEAD") ? "" : response.asString();
    List<String> problems = problems(method, path(request.getURI()), response.statusCode(),
        headers, body);
    if (!problems.isEmpty()) {
      throw new AssertionError("OpenAPI document: " + method + " " + excerpt(request.getURI())
          + " answered " + response.statusLine() + " " + headers.get("content-type") + " \""
          + excerpt(body) + "\": " + String.join("; ", problems));
    }
    return response;
  }

  /**
   * What is wrong with an answer of {@code status} with {@code headers} (names in lower case)
   * and {@code body} to {@code method} on {@code path} (within the deployment); empty when the
   * document describes it.
   */
  List<String> problems(String method, String path, int status, Map<String, String> headers,
      String body) {
    String where = method + " " + path;
    JsonNode responses = responsesFor(method, path);
    JsonNode answer = responses.path(Integer.toString(status));
    if (answer.isMissingNode()) {
      answer = responses.path(status / 100 + "XX");
    }
    if (answer.isMissingNode()) {
      answer = responses.path("default");
    }
    if (answer.isMissingNode()) {
      return List.of("status " + status + " is not documented for " + where + " (documented: "
          + names(responses) + ")");
    }
    answer = resolve(answer);
    List<String> problems = new ArrayList<>();
    checkHeaders(answer.path("headers"), headers, problems);
    checkContent(method, answer.path("content"), headers.get("content-type"), body, problems);
    return problems;
  }

  /** The responses the document gives {@code method} on {@code path}. */
  private JsonNode responsesFor(String method, String path) {
    for (Map.Entry<String, Pattern> template : paths.entrySet()) {
      if (template.getValue().matcher(path).matches()) {
        JsonNode operation = document.path("paths").path(template.getKey())
            .path(method.toLowerCase(Locale.ROOT));
        return operation.isMissingNode() || !METHODS.contains(method.toLowerCase(Locale.ROOT))
            ? document.path("x-playcounter-other-methods").path("responses")
            : operation.path("responses");
      }
    }
    return document.path("x-playcounter-other-paths").path("responses");
  }

  private void checkHeaders(JsonNode documented, Map<String, String> headers,
      List<String> problems) {
    Set<String> names = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = documented.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey().toLowerCase(Locale.ROOT);
      names.add(name);
      JsonNode header = resolve(entry.getValue());
      String value = headers.get(name);
      if (value == null) {
        if (header.path("required").asBoolean()) {
          problems.add("header " + entry.getKey() + " is missing");
        }
      } else {
        validate("header " + entry.getKey(), header.path("schema"), new TextNode(value),
            problems);
      }
    }
    for (String name : namedHeaders) {
      if (headers.containsKey(name) && !names.contains(name)) {
        problems.add("header " + name + " is not documented for this answer");
      }
    }
  }

  private void checkContent(String method, JsonNode content, String contentType, String body,
      List<String> problems) {
    if (content.isMissingNode() || content.isEmpty()) {
      if (!body.isEmpty()) {
        problems.add("a body where none is documented");
      }
      return;
    }
    String type = contentType == null ? "" : baseType(contentType);
    JsonNode media = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (baseType(entry.getKey()).equals(type)) {
        media = entry.getValue();
      }
    }
    if (media == null) {
      problems.add("content type " + contentType + " is not documented (documented: "
          + names(content) + ")");
      return;
    }
    if (method.equals("HEAD")) {
      return; // the headers of a GET, and no body to check
    }
    JsonNode instance;
    if (type.equals("application/json")) {
      try {
        instance = JSON.readTree(body);
      } catch (IOException e) {
        problems.add("the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        return;
      }
      if (instance == null || instance.isMissingNode()) {
        problems.add("the body is not JSON: it is empty");
        return;
      }
    } else {
      instance = new TextNode(body);
    }
    validate("body", media.path("schema"), instance, problems);
  }

  private void validate(String what, JsonNode schema, JsonNode instance,
      List<String> problems) {
    if (schema.isMissingNode()) {
      return;
    }
    JsonSchema compiled = schemas.computeIfAbsent(schema.toString(), key -> {
      // Its own location: at the document's, it would stand for the whole document.
      JsonSchema made = factory.getSchema(SchemaLocation.of(INLINE_URI),
          absoluteRefs(schema.deepCopy()), config);
      made.initializeValidators();
      return made;
    });
    for (ValidationMessage message : compiled.validate(instance)) {
      problems.add(what + ": " + message.getMessage() + " (schema " + schema + ")");
    }
  }

  /**
   * {@code schema} with each reference into the document made absolute, so that the validator
   * finds it in the whole document, not in the schema it was written in.
   */
  private static JsonNode absoluteRefs(JsonNode schema) {
    if (schema instanceof ObjectNode object) {
      JsonNode ref = object.path("$ref");
      if (ref.isTextual() && ref.asText().startsWith("#")) {
        object.put("$ref", DOCUMENT_URI + ref.asText());
      }
    }
    schema.forEach(OpenApiFilter::absoluteRefs);
    return schema;
  }

  /** A response or header object, its {@code $ref} followed within the document. */
  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.path("$ref");
    return ref.isTextual() && ref.asText().startsWith("#")
        ? resolve(document.at(ref.asText().substring(1))) : node;
  }

  /** The path of {@code uri} within its deployment: the context path and the query cut off. */
  String path(String uri) {
    String path = uri.replaceFirst("^[a-z]+://[^/]*", "");
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    for (String context : contextPaths) {
      if (path.equals(context) || path.startsWith(context + "/")) {
        path = path.substring(context.length());
      }
    }
    return path.isEmpty() ? "/" : path;
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String baseType(String mediaType) {
    return mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  private static String excerpt(String text) {
    return (text.length() > 200 ? text.substring(0, 200) + "..." : text).replace("\n", "\\n");
  }
}
