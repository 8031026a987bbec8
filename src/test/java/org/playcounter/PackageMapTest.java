package org.playcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map at the top of the development docs is the code's: every package under
 * {@code src/main} is in it, imports only what its line allows, and the arrows have no cycle.
 */
class PackageMapTest {
  private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final Pattern ROW = Pattern.compile(
      "^\\| `org\\.playcounter\\.([a-z.]+)` \\|[^|]*\\| (.*) \\|$");
  private static final Pattern IMPORT = Pattern.compile(
      "^import (?:static )?org\\.playcounter\\.([a-z.]+)\\.[A-Z]", Pattern.MULTILINE);

  @Test
  void everyPackageImportsOnlyWhatTheMapAllowsAndTheMapHasNoCycle() throws IOException {
    Map<String, Set<String>> allowed = map();
    Map<String, Set<String>> imports = imports();
    assertEquals(imports.keySet(), allowed.keySet(), "the packages under src/main");
    imports.forEach((pkg, used) -> {
      Set<String> extra = new TreeSet<>(used);
      extra.removeAll(allowed.get(pkg));
      extra.remove(pkg);
      assertTrue(extra.isEmpty(), pkg + " imports " + extra + ", not in its line of the map");
    });
    for (String pkg : allowed.keySet()) {
      assertTrue(!reaches(allowed, pkg, pkg, new TreeSet<>()), "a cycle through " + pkg);
    }
  }

  private static boolean reaches(Map<String, Set<String>> arrows, String from, String target,
      Set<String> seen) {
    for (String next : arrows.get(from)) {
      if (next.equals(target) || (seen.add(next) && reaches(arrows, next, target, seen))) {
        return true;
      }
    }
    return false;
  }

  /** The map's rows: package, and the packages it may call. */
  private static Map<String, Set<String>> map() throws IOException {
    Map<String, Set<String>> allowed = new TreeMap<>();
    for (String line : Files.readAllLines(ROOT.resolve("src/site/markdown/development.md"))) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        Set<String> calls = new TreeSet<>();
        Matcher name = Pattern.compile("`([a-z.]+)`").matcher(row.group(2));
        while (name.find()) {
          calls.add(name.group(1));
        }
        allowed.put(row.group(1), calls);
      }
    }
    return allowed;
  }

  /** Each package under src/main with the project packages its files import. */
  private static Map<String, Set<String>> imports() throws IOException {
    Path base = ROOT.resolve("src/main/java/org/playcounter");
    Map<String, Set<String>> imports = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(base)) {
      walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
    }
    for (Path file : files) {
      String pkg = base.relativize(file.getParent()).toString().replace('/', '.');
      Set<String> used = imports.computeIfAbsent(pkg, p -> new TreeSet<>());
      Matcher m = IMPORT.matcher(Files.readString(file));
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    return imports;
  }
}
