/*
 * Golden KLL doubles sketches written by the Apache DataSketches Java library: datasketches-java
 * 6.2.0 (the last release built for Java 8, so it runs on Java 17 without incubator modules)
 * with its dependency datasketches-memory 3.0.2. Not part of the build; run it by hand, from
 * this directory:
 *
 *   CP=datasketches-java-6.2.0.jar:datasketches-memory-3.0.2.jar
 *   javac -cp $CP -d /tmp/gen_kll_java GenKllJava.java
 *   java -cp $CP:/tmp/gen_kll_java GenKllJava
 *
 * (the two jars from Maven Central, org.apache.datasketches:datasketches-java:6.2.0 and
 * org.apache.datasketches:datasketches-memory:3.0.2; or built with javac from the git tags 6.2.0
 * of apache/datasketches-java and 3.0.2 of apache/datasketches-memory, the latter as
 * datasketches-memory-java8/src/main/java overlaid with datasketches-memory-java11/src/main/java,
 * compiled with --add-exports java.base/{jdk.internal.ref,jdk.internal.misc,sun.nio.ch}=ALL-UNNAMED;
 * that is how the committed files were made, with OpenJDK 17). Heap sketches need no JVM flags.
 * datasketches-java 7.0.1 with datasketches-memory 4.1.0 (Java 17, javac and java given
 * --add-modules jdk.incubator.foreign) writes the identical files.
 *
 * Writes java_<name>.bin (KllDoublesSketch.toByteArray(), the compact format) and
 * java_kll_cases.json: for each case what the Java library answers (n, k, min k, retained items,
 * min, max, quantiles at ranks 0.01 .. 0.99 inclusive and exclusive, ranks, PMF and CDF at split
 * points, rank errors). Every double in the JSON is its IEEE-754 bit pattern as 16 hex digits,
 * so nothing depends on decimal parsing. (At some ranks Java's quantiles are not C++'s: Java
 * rounds rank * n to 7 decimals first; see java_natural_rank in tests/kll_datasketches.rs.)
 *
 * Data: each part is tests/data/_samples.py's sample(seed * 1000 + i, size, ties, 0.0)
 * (SplitMix64; mirrored in tests/common/mod.rs), so the Rust test can regenerate it. The
 * compaction coins come from the library's one static java.util.Random, KllSketch.random, which
 * has no public seed; it is reseeded (by reflection) with the case's seed before each case so the
 * bytes are the same on every run.
 */

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

public class GenKllJava {
  static final QuantileSearchCriteria IN = QuantileSearchCriteria.INCLUSIVE;
  static final QuantileSearchCriteria EX = QuantileSearchCriteria.EXCLUSIVE;
  static final double[] SPLITS = {-2.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5, 10.0, 25.0, 49.0};

  /** One golden sketch: one part is plain updates; several are one sketch each, merged. */
  static final class Case {
    final String name;
    final int k;
    final int[] partK;
    final int[] parts;
    final long seed;
    final long ties;
    final boolean queried;

    Case(String name, int k, int[] partK, int[] parts, long seed, long ties, boolean queried) {
      this.name = name;
      this.k = k;
      this.partK = partK;
      this.parts = parts;
      this.seed = seed;
      this.ties = ties;
      this.queried = queried;
    }
  }

  static int[] repeat(int x, int times) {
    int[] a = new int[times];
    java.util.Arrays.fill(a, x);
    return a;
  }

  // queried: a quantile is asked before serializing, so the library sorts level 0 in place and
  // sets the level-zero-sorted flag in the bytes.
  static final Case[] CASES = {
    new Case("empty", 200, new int[] {200}, new int[] {0}, 1, 0, false),
    new Case("one", 200, new int[] {200}, new int[] {1}, 2, 0, false),
    new Case("one_sorted", 200, new int[] {200}, new int[] {1}, 2, 0, true),
    new Case("n100", 200, new int[] {200}, new int[] {100}, 3, 0, false),
    new Case("n10k_sorted", 200, new int[] {200}, new int[] {10_000}, 6, 0, true),
    new Case("n1m", 200, new int[] {200}, new int[] {1_000_000}, 8, 0, false),
    new Case("k64_ties100k", 64, new int[] {64}, new int[] {100_000}, 12, 50, false),
    new Case("merged16", 200, repeat(200, 16), repeat(20_000, 16), 11, 0, false),
    new Case("merged_k64_into_k200", 200, new int[] {200, 64}, new int[] {50_000, 30_000}, 13, 0,
        false),
  };

  /** tests/data/_samples.py's sample(): SplitMix64, approximately normal or integer ties. */
  static double[] sample(long seed, int n, long ties, double shift) {
    long[] state = {seed};
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      if (ties > 0) {
        out[j] = (double) Long.remainderUnsigned(next(state), ties) + shift;
      } else {
        double s = 0.0;
        for (int u = 0; u < 4; u++) {
          s += (double) (next(state) >>> 11) * (1.0 / (double) (1L << 53));
        }
        out[j] = (s - 2.0) * Math.sqrt(3.0) + shift;
      }
    }
    return out;
  }

  static long next(long[] state) {
    state[0] += 0x9E3779B97F4A7C15L;
    long z = state[0];
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static KllDoublesSketch build(Case c) {
    if (c.parts.length == 1) {
      KllDoublesSketch s = KllDoublesSketch.newHeapInstance(c.k);
      for (double x : sample(c.seed * 1000, c.parts[0], c.ties, 0.0)) {
        s.update(x);
      }
      return s;
    }
    KllDoublesSketch union = KllDoublesSketch.newHeapInstance(c.k);
    for (int i = 0; i < c.parts.length; i++) {
      KllDoublesSketch part = KllDoublesSketch.newHeapInstance(c.partK[i]);
      for (double x : sample(c.seed * 1000 + i, c.parts[i], c.ties, 0.0)) {
        part.update(x);
      }
      union.merge(part);
    }
    return union;
  }

  static String hex(double x) {
    return String.format("\"%016x\"", Double.doubleToRawLongBits(x));
  }

  static String hexes(double[] xs) {
    List<String> out = new ArrayList<>();
    for (double x : xs) {
      out.add(hex(x));
    }
    return "[" + String.join(", ", out) + "]";
  }

  static String ints(int[] xs) {
    List<String> out = new ArrayList<>();
    for (int x : xs) {
      out.add(Integer.toString(x));
    }
    return "[" + String.join(", ", out) + "]";
  }

  public static void main(String[] args) throws Exception {
    Field randomField = KllSketch.class.getDeclaredField("random");
    randomField.setAccessible(true);
    Random random = (Random) randomField.get(null);
    Method minK = KllSketch.class.getDeclaredMethod("getMinK");
    minK.setAccessible(true);

    double[] ranks = new double[99];
    for (int i = 1; i < 100; i++) {
      ranks[i - 1] = i / 100.0;
    }
    List<String> cases = new ArrayList<>();
    for (Case c : CASES) {
      random.setSeed(c.seed);
      KllDoublesSketch s = build(c);
      if (c.queried) {
        s.getQuantile(0.5, IN);
      }
      byte[] bytes = s.toByteArray();
      try (FileOutputStream out = new FileOutputStream("java_" + c.name + ".bin")) {
        out.write(bytes);
      }
      List<String> f = new ArrayList<>();
      f.add("\"name\": \"" + c.name + "\"");
      f.add("\"k\": " + c.k);
      f.add("\"part_k\": " + ints(c.partK));
      f.add("\"parts\": " + ints(c.parts));
      f.add("\"seed\": " + c.seed);
      f.add("\"ties\": " + c.ties);
      f.add("\"queried\": " + c.queried);
      f.add("\"n\": " + s.getN());
      f.add("\"min_k\": " + minK.invoke(s));
      f.add("\"num_retained\": " + s.getNumRetained());
      f.add("\"estimation_mode\": " + s.isEstimationMode());
      f.add("\"bytes\": " + bytes.length);
      f.add("\"rank_error\": " + hex(s.getNormalizedRankError(false)));
      f.add("\"rank_error_pmf\": " + hex(s.getNormalizedRankError(true)));
      if (!s.isEmpty()) {
        double[] rIn = new double[SPLITS.length];
        double[] rEx = new double[SPLITS.length];
        for (int i = 0; i < SPLITS.length; i++) {
          rIn[i] = s.getRank(SPLITS[i], IN);
          rEx[i] = s.getRank(SPLITS[i], EX);
        }
        f.add("\"min\": " + hex(s.getMinItem()));
        f.add("\"max\": " + hex(s.getMaxItem()));
        f.add("\"quantiles_inclusive\": " + hexes(s.getQuantiles(ranks, IN)));
        f.add("\"quantiles_exclusive\": " + hexes(s.getQuantiles(ranks, EX)));
        f.add("\"ranks_inclusive\": " + hexes(rIn));
        f.add("\"ranks_exclusive\": " + hexes(rEx));
        f.add("\"pmf_inclusive\": " + hexes(s.getPMF(SPLITS, IN)));
        f.add("\"cdf_exclusive\": " + hexes(s.getCDF(SPLITS, EX)));
      }
      cases.add("  {\n   " + String.join(",\n   ", f) + "\n  }");
    }
    try (Writer w = new OutputStreamWriter(new FileOutputStream("java_kll_cases.json"),
        StandardCharsets.UTF_8)) {
      w.write("{\n");
      w.write(" \"library\": \"datasketches-java 6.2.0, datasketches-memory 3.0.2\",\n");
      w.write(" \"ranks\": " + hexes(ranks) + ",\n");
      w.write(" \"splits\": " + hexes(SPLITS) + ",\n");
      w.write(" \"cases\": [\n" + String.join(",\n", cases) + "\n ]\n}\n");
    }
  }
}
