// Sharded rescans: `clearmatch rescan --shard I/N` takes the items of a
// listing whose content id falls in shard I of N. The split depends only on
// the content id (the first 8 bytes of its SHA-256, big-endian, modulo N),
// so it is the same on every run and every machine, and N processes with
// I = 0..N-1 (an indexed Kubernetes Job) cover a listing exactly once,
// whatever order its lines are in.
//
//   CM_ASSIGN_OR_RETURN(RescanShard shard, ParseRescanShard("2/8"));
//   CM_ASSIGN_OR_RETURN(bool mine, shard.Contains(content_id));
//
// A value type.
#ifndef CLEARMATCH_CLI_RESCAN_SHARD_H_
#define CLEARMATCH_CLI_RESCAN_SHARD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch::cli {

struct RescanShard {
  // Most shards a listing may be split into.
  static constexpr int64_t kMaxShards = 1 << 20;

  int64_t index = 0;  // 0 .. count-1
  int64_t count = 1;  // 1: the whole listing

  // Which shard of `count` a content id belongs to. INTERNAL only if
  // OpenSSL fails to hash (never silently a wrong shard).
  static absl::StatusOr<int64_t> Of(absl::string_view content_id,
                                    int64_t count);
  absl::StatusOr<bool> Contains(absl::string_view content_id) const;
  // "I/N", as given.
  std::string ToString() const;
};

// "I/N" with 0 <= I < N <= kMaxShards; INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<RescanShard> ParseRescanShard(absl::string_view text);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_SHARD_H_
