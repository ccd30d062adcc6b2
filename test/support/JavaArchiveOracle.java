import java.io.InputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Reads each archive named on the command line the way the JDK does and prints, one tab-separated
 * line each: every pom.properties entry as java.util.Properties loads it, and every main attribute
 * of the manifest as java.util.jar.Manifest parses it. Tabs, newlines and backslashes are escaped.
 */
public class JavaArchiveOracle {
  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    for (String path : args) {
      try (JarFile jar = new JarFile(path, false)) {
        for (JarEntry entry : Collections.list(jar.entries())) {
          String name = entry.getName();
          if (entry.isDirectory() || !(name.equals("pom.properties") || name.endsWith("/pom.properties"))) continue;
          Properties properties = new Properties();
          try (InputStream in = jar.getInputStream(entry)) {
            properties.load(in);
          }
          out.println(String.join("\t", "properties", path, escape(name), field(properties, "groupId"), field(properties, "artifactId"), field(properties, "version")));
        }
        if (jar.getManifest() != null) {
          for (Map.Entry<Object, Object> attribute : jar.getManifest().getMainAttributes().entrySet()) {
            Attributes.Name key = (Attributes.Name) attribute.getKey();
            out.println(String.join("\t", "manifest", path, escape(key.toString()), escape(String.valueOf(attribute.getValue()))));
          }
        }
      }
    }
    out.flush();
  }

  private static String field(Properties properties, String key) {
    return escape(properties.getProperty(key, ""));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }
}
