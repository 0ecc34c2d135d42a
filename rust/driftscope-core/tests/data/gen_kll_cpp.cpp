// Golden KLL sketches from datasketches-cpp built with KLL_VALIDATION, where the compaction
// coin is not random but alternates 0, 1, 0, 1, ... (DataSketches' own validation mode). With
// the same alternating coins our sketch must produce these bytes exactly, which pins the whole
// algorithm (level capacities, which level compacts, halving, merging, growth), not only the
// serialized layout.
//
// Build against the datasketches-cpp headers (header-only; not part of this repository):
//   g++ -O2 -std=c++17 -DKLL_VALIDATION -I<cpp>/common/include -I<cpp>/kll/include \
//       gen_kll_cpp.cpp -o /tmp/gen_kll_cpp && (cd tests/data && /tmp/gen_kll_cpp)
// Writes kll_cpp_<name>.bin. Data: value (i * MULT + offset) % modulus at position i, exact in
// any language. Each sketch restarts the coin at 0 before it is built; merges restart it once
// before the first merge into the union.

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "kll_sketch.hpp"

namespace datasketches {
uint32_t kll_next_offset = 0;
}

using sketch = datasketches::kll_sketch<double>;

static const uint64_t MULT = 100003;

static void fill(sketch& s, uint64_t n, uint64_t offset, uint64_t modulus) {
  for (uint64_t i = 0; i < n; ++i) s.update(static_cast<double>((i * MULT + offset) % modulus));
}

static void write(const std::string& name, const sketch& s) {
  const auto bytes = s.serialize();
  std::ofstream out("kll_cpp_" + name + ".bin", std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

static sketch single(uint16_t k, uint64_t n, uint64_t offset, uint64_t modulus) {
  datasketches::kll_next_offset = 0;
  sketch s(k);
  fill(s, n, offset, modulus);
  return s;
}

int main() {
  write("k200_n10k", single(200, 10000, 0, 10000));
  write("k200_n1m", single(200, 1000000, 7, 1000000));
  write("k8_n5k", single(8, 5000, 3, 5000));
  write("k64_ties", single(64, 100000, 1, 50));

  // 16 partitions of 20,000 values, each its own sketch, merged into one (k = 200), and a
  // k = 64 estimation-mode sketch merged into a k = 200 one (min k rule).
  std::vector<sketch> parts;
  for (uint64_t p = 0; p < 16; ++p) parts.push_back(single(200, 20000, p, 320000));
  datasketches::kll_next_offset = 0;
  sketch merged(200);
  for (const auto& p : parts) merged.merge(p);
  write("merged16", merged);

  sketch small = single(64, 30000, 5, 30000);
  sketch big = single(200, 50000, 9, 50000);
  datasketches::kll_next_offset = 0;
  big.merge(small);
  write("merged_k64_into_k200", big);
  return 0;
}
