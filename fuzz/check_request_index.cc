// The fixed index of check_request_fuzzer.
#include "fuzz/check_request_index.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bank/hash_entry.h"
#include "common/hex.h"
#include "common/status_macros.h"
#include "hashing/pdq_hash.h"
#include "index/index_builder.h"

namespace clearmatch::fuzz {
namespace {

HashEntry Entry(HashType type, std::string id, std::string bank) {
  HashEntry entry;
  entry.type = type;
  entry.entry_id = std::move(id);
  entry.bank = std::move(bank);
  entry.source_feed = "fuzz";
  return entry;
}

absl::StatusOr<HashEntry> PdqEntry(const char* hex, std::string id,
                                   std::string bank) {
  HashEntry entry = Entry(HashType::kPdq, std::move(id), std::move(bank));
  CM_ASSIGN_OR_RETURN(entry.pdq, PdqHash::FromHex(hex));
  return entry;
}

absl::StatusOr<HashEntry> DigestEntry(HashType type, const char* hex,
                                      std::string id, std::string bank) {
  HashEntry entry = Entry(type, std::move(id), std::move(bank));
  CM_ASSIGN_OR_RETURN(entry.digest,
                      ParseHexBytes(hex, DigestLength(type), "digest"));
  return entry;
}

absl::StatusOr<HashEntry> VideoEntry() {
  HashEntry entry = Entry(HashType::kVpdq, "vpdq-block", "block");
  int32_t frame = 0;
  for (const char* hex : {kPdqBlock, kPdqReview, kPdqShadow}) {
    CM_ASSIGN_OR_RETURN(PdqHash hash, PdqHash::FromHex(hex));
    entry.frames.push_back(VpdqFrame{hash, frame, static_cast<double>(frame)});
    ++frame;
  }
  return entry;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> BuildCheckRequestIndex() {
  absl::StatusOr<HashEntry> made[] = {
      PdqEntry(kPdqBlock, "pdq-block", "block"),
      PdqEntry(kPdqReview, "pdq-review", "review"),
      PdqEntry(kPdqShadow, "pdq-shadow", "shadow"),
      DigestEntry(HashType::kMd5, kMd5Block, "md5-block", "block"),
      DigestEntry(HashType::kSha1, kSha1Review, "sha1-review", "review"),
      DigestEntry(HashType::kSha256, kSha256Shadow, "sha256-shadow", "shadow"),
      VideoEntry(),
  };
  std::vector<HashEntry> entries;
  for (absl::StatusOr<HashEntry>& entry : made) {
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  return IndexBuilder({}).Build(std::move(entries), /*version=*/1);
}

}  // namespace clearmatch::fuzz
