package org.playcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link and image in README.md and src/site/markdown/*.md points to a file that
 * exists, and every {@code #anchor} to a heading of its page (GitHub's heading slugs).
 */
class DocsLinksTest {

  /** {@code [text](target)} and {@code ![alt](target "title")}. */
  private static final Pattern MARKDOWN_LINK =
      Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern IMG_SRC =
      Pattern.compile("<img\\b[^>]*\\bsrc\\s*=\\s*[\"']([^\"']+)[\"']", Pattern.CASE_INSENSITIVE);
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

  private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

  @Test
  void everyRelativeLinkInTheDocsPointsToAFileAndAHeadingThatExist() {
    List<Path> docs = docs(ROOT);
    assertTrue(docs.size() > 1, "no docs found under " + ROOT);
    List<String> broken = new ArrayList<>();
    for (Path doc : docs) {
      broken.addAll(brokenLinks(ROOT, doc));
    }
    assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
  }

  @Test
  void theReadmeLinksEveryPageOfTheDocs() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (Path page : docs(ROOT)) {
      String name = ROOT.relativize(page).toString().replace('\\', '/');
      if (!name.equals("README.md")) {
        assertTrue(readme.contains("(" + name), "README.md does not link " + name);
      }
    }
  }

  @Test
  void aBrokenLinkIsNamedWithFileLineAndTarget(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("src/site/markdown"));
    Files.createDirectories(dir.resolve("src/site/resources/images"));
    Files.writeString(dir.resolve("src/site/resources/images/a.svg"), "<svg/>");
    Files.writeString(dir.resolve("src/site/markdown/api.md"), "# API\n\n## Song ids\n");
    Files.writeString(dir.resolve("README.md"), String.join("\n",
        "# Title",
        "[api](src/site/markdown/api.md#song-ids) and [web](https://example.org/x.md)",
        "![chart](src/site/resources/images/a.svg) <img src=\"missing.png\">",
        "[gone](src/site/markdown/nothing.md) and `[code](not-checked.md)`",
        "[bad anchor](src/site/markdown/api.md#song-id) [here](#title) [there](#nowhere)",
        "    [indented code](not-checked-either.md)",
        "```",
        "[fenced code](not-checked-either.md)",
        "```",
        ""));

    List<String> broken = brokenLinks(dir, dir.resolve("README.md"));

    assertEquals(List.of(
        "README.md:3: missing.png (no such file)",
        "README.md:4: src/site/markdown/nothing.md (no such file)",
        "README.md:5: src/site/markdown/api.md#song-id (no heading with that anchor)",
        "README.md:5: #nowhere (no heading with that anchor)"), broken);
  }

  @Test
  void headingSlugsFollowGitHub() {
    assertEquals("soak-2000-connections", slug("Soak: 2,000 connections"));
    assertEquals("measuring-without-the-hosts-drift", slug("Measuring without the host's drift"));
    assertEquals("what-an-idempotency-key-costs", slug("What an `Idempotency-Key` costs"));
    assertEquals("tomcat-101-and-110", slug("Tomcat 10.1 and 11.0"));
    assertFalse(anchors(List.of("# A", "## A", "    # code")).contains("a-2"));
    assertTrue(anchors(List.of("# A", "## A")).contains("a-1"));
  }

  /** README.md and the pages of src/site/markdown. */
  static List<Path> docs(Path root) {
    List<Path> docs = new ArrayList<>();
    docs.add(root.resolve("README.md"));
    Path site = root.resolve("src/site/markdown");
    if (Files.isDirectory(site)) {
      try (Stream<Path> pages = Files.list(site)) {
        pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return docs;
  }

  /** "file:line: target (reason)" for each link of {@code doc} that leads nowhere. */
  static List<String> brokenLinks(Path root, Path doc) {
    List<String> lines = read(doc);
    Map<Path, Set<String>> anchorsByFile = new HashMap<>();
    List<String> broken = new ArrayList<>();
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced || line.startsWith("    ") || line.startsWith("\t")) {
        continue;
      }
      String text = INLINE_CODE.matcher(line).replaceAll("");
      for (String target : targets(text)) {
        String problem = problem(doc, target, anchorsByFile);
        if (problem != null) {
          String name = root.relativize(doc).toString().replace('\\', '/');
          broken.add(name + ":" + (i + 1) + ": " + target + " (" + problem + ")");
        }
      }
    }
    return broken;
  }

  private static List<String> targets(String text) {
    List<String> targets = new ArrayList<>();
    for (Pattern pattern : List.of(MARKDOWN_LINK, IMG_SRC)) {
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /** Why {@code target}, linked from {@code doc}, leads nowhere; null when it leads somewhere. */
  private static String problem(Path doc, String target, Map<Path, Set<String>> anchorsByFile) {
    if (SCHEME.matcher(target).find()) {
      return null; // http, https, mailto: not ours to check
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (anchor != null && file.toString().endsWith(".md")
        && !anchorsByFile.computeIfAbsent(file, f -> anchors(read(f))).contains(anchor)) {
      return "no heading with that anchor";
    }
    return null;
  }

  /** The anchors GitHub gives the headings of a Markdown file: repeats get -1, -2, ... */
  static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
      }
      Matcher m = HEADING.matcher(line);
      if (fenced || !m.matches()) {
        continue;
      }
      String slug = slug(m.group(1));
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }

  /** GitHub's heading slug: lower case, punctuation dropped but - and _, spaces to -. */
  static String slug(String heading) {
    String text = heading.replace("`", "").toLowerCase(Locale.ROOT).trim();
    StringBuilder slug = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        slug.appendCodePoint(c);
      } else if (c == ' ') {
        slug.append('-');
      }
    });
    return slug.toString();
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
