import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The container's own ceiling for the benchmark: answers every request with the body "1". */
public final class TrivialServlet extends HttpServlet {
  private static final byte[] ONE = {'1'};

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain;charset=UTF-8");
    response.setContentLength(1);
    response.getOutputStream().write(ONE);
  }
}
