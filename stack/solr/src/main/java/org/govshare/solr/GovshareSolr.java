package org.govshare.solr;

import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs one standalone Solr node in this JVM: Jetty + SolrDispatchFilter, as set up by Solr's own
 * JettySolrRunner, which binds to 127.0.0.1 only.
 *
 * <p>Usage: {@code GovshareSolr SOLR_HOME PORT}. Serves {@code http://127.0.0.1:PORT/solr}, loads
 * the cores found under SOLR_HOME (core.properties discovery), and blocks until the JVM is asked to
 * stop (SIGTERM), when Jetty's shutdown hook closes the cores cleanly.
 */
public final class GovshareSolr {
  private GovshareSolr() {}

  // Jersey logs a harmless JUL warning at startup (no jakarta.activation); keep it quiet.
  // A strong reference, or java.util.logging forgets the level.
  private static final java.util.logging.Logger JERSEY =
      java.util.logging.Logger.getLogger("org.glassfish.jersey");

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: GovshareSolr SOLR_HOME PORT");
      System.exit(2);
    }
    JERSEY.setLevel(java.util.logging.Level.SEVERE);
    Path home = Path.of(args[0]).toAbsolutePath().normalize();
    int port = Integer.parseInt(args[1]);
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("GovshareSolr: no solr.xml in " + home);
      System.exit(2);
    }

    Properties nodeProps = new Properties();
    nodeProps.setProperty("host", "127.0.0.1");

    JettyConfig config =
        JettyConfig.builder()
            .setContext("/solr")
            .setPort(port)
            .withPortRetryTime(0) // fail at once when the port is taken
            .stopAtShutdown(true) // SIGTERM -> graceful stop, cores closed
            .waitForLoadingCoresToFinish(120_000L)
            .useOnlyHttp1(true)
            .build();

    JettySolrRunner jetty = new JettySolrRunner(home.toString(), nodeProps, config);
    try {
      jetty.start();
    } catch (Exception e) {
      Throwable t = e;
      while (t != null && !(t instanceof BindException)) t = t.getCause();
      if (t != null) {
        System.err.println("GovshareSolr: cannot bind 127.0.0.1:" + port + ": " + t.getMessage());
      } else {
        System.err.println("GovshareSolr: Solr failed to start: " + e);
        e.printStackTrace();
      }
      System.exit(1);
    }
    System.out.println(
        "GovshareSolr: Solr "
            + org.apache.solr.client.api.util.SolrVersion.LATEST
            + " ready at "
            + jetty.getBaseUrl()
            + " (home "
            + home
            + ")");
    System.out.flush();
    new CountDownLatch(1).await(); // the shutdown hook ends the JVM
  }
}
