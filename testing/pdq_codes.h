// PDQ codes for index tests and benchmarks: random and clustered codes, bit
// flips, an independent brute-force Hamming distance (not the code under
// test) and a PDQ HashEntry.
#ifndef CLEARMATCH_TESTING_PDQ_CODES_H_
#define CLEARMATCH_TESTING_PDQ_CODES_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bank/hash_entry.h"
#include "hashing/pdq_hash.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch::testing {

inline PdqHash RandomCode(std::mt19937_64& rng) {
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t word = rng();
    std::memcpy(bytes.data() + i, &word, 8);
  }
  return PdqHash(bytes);
}

// `code` with exactly `bits` distinct bits flipped.
inline PdqHash FlipBits(const PdqHash& code, int bits, std::mt19937_64& rng) {
  std::array<int, PdqHash::kBits> positions;
  std::iota(positions.begin(), positions.end(), 0);
  std::shuffle(positions.begin(), positions.end(), rng);
  std::array<uint8_t, PdqHash::kBytes> bytes = code.bytes();
  for (int i = 0; i < bits; ++i) {
    bytes[positions[i] / 8] ^= uint8_t(1u << (positions[i] % 8));
  }
  return PdqHash(bytes);
}

inline int BruteDistance(const PdqHash& a, const PdqHash& b) {
  int distance = 0;
  for (int i = 0; i < PdqHash::kBytes; ++i) {
    distance += std::popcount(static_cast<unsigned>(a.data()[i] ^ b.data()[i]));
  }
  return distance;
}

inline HashEntry PdqEntry(const PdqHash& code, std::string id,
                          std::string bank = "bank",
                          std::string feed = "feed") {
  HashEntry entry;
  entry.type = HashType::kPdq;
  entry.pdq = code;
  entry.entry_id = std::move(id);
  entry.bank = std::move(bank);
  entry.source_feed = std::move(feed);
  entry.added_at = 1700000000;
  return entry;
}

// A vPDQ entry of the sampled frames `features` (every one, whatever its
// quality).
inline HashEntry VpdqEntry(const std::vector<VpdqFeature>& features,
                           std::string id, std::string bank = "bank") {
  HashEntry entry;
  entry.type = HashType::kVpdq;
  entry.entry_id = std::move(id);
  entry.bank = std::move(bank);
  for (const VpdqFeature& f : features) {
    entry.frames.push_back(
        {f.hash, static_cast<int32_t>(f.frame_number), f.seconds});
  }
  return entry;
}

// `centres` random centres, each with members up to `max_bits` bits away.
inline std::vector<PdqHash> ClusteredCodes(int count, int centres, int max_bits,
                                           std::mt19937_64& rng) {
  std::vector<PdqHash> centre_codes;
  for (int i = 0; i < centres; ++i) centre_codes.push_back(RandomCode(rng));
  std::vector<PdqHash> codes;
  for (int i = 0; i < count; ++i) {
    codes.push_back(FlipBits(centre_codes[rng() % centres],
                             static_cast<int>(rng() % (max_bits + 1)), rng));
  }
  return codes;
}

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_PDQ_CODES_H_
