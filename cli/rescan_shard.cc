// The shard of a content id: SHA-256 prefix modulo the shard count.
#include "cli/rescan_shard.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "crypto/sha256.h"

namespace clearmatch::cli {

absl::StatusOr<int64_t> RescanShard::Of(absl::string_view content_id,
                                        int64_t count) {
  if (count <= 1) return 0;
  CM_ASSIGN_OR_RETURN(const Sha256::Digest digest, Sha256::Of(content_id));
  uint64_t prefix = 0;
  for (int i = 0; i < 8; ++i) prefix = (prefix << 8) | digest[i];
  return static_cast<int64_t>(prefix % static_cast<uint64_t>(count));
}

absl::StatusOr<bool> RescanShard::Contains(absl::string_view content_id) const {
  CM_ASSIGN_OR_RETURN(const int64_t shard, Of(content_id, count));
  return shard == index;
}

std::string RescanShard::ToString() const {
  return absl::StrCat(index, "/", count);
}

absl::StatusOr<RescanShard> ParseRescanShard(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  RescanShard shard;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &shard.index) ||
      !absl::SimpleAtoi(parts[1], &shard.count)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard must be I/N (e.g. 0/4), not \"", text.substr(0, 40), "\""));
  }
  if (shard.count < 1 || shard.count > RescanShard::kMaxShards) {
    return absl::InvalidArgumentError(absl::StrCat("--shard: N must be 1..",
                                                   RescanShard::kMaxShards,
                                                   ", not ", shard.count));
  }
  if (shard.index < 0 || shard.index >= shard.count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard: I must be 0..", shard.count - 1,
                     " for N = ", shard.count, ", not ", shard.index));
  }
  return shard;
}

}  // namespace clearmatch::cli
