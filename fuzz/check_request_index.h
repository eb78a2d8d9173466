// The small fixed index check_request_fuzzer matches requests against, and
// the hashes of its entries (the target's seeds use them too).
#ifndef CLEARMATCH_FUZZ_CHECK_REQUEST_INDEX_H_
#define CLEARMATCH_FUZZ_CHECK_REQUEST_INDEX_H_

#include <memory>

#include "absl/status/statusor.h"
#include "index/index_snapshot.h"

namespace clearmatch::fuzz {

inline constexpr char kPdqBlock[] =
    "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
inline constexpr char kPdqReview[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
inline constexpr char kPdqShadow[] =
    "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";
inline constexpr char kMd5Block[] = "0123456789abcdef0123456789abcdef";
inline constexpr char kSha1Review[] =
    "0123456789abcdef0123456789abcdef01234567";
inline constexpr char kSha256Shadow[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// PDQ entries of kPdqBlock, kPdqReview and kPdqShadow, a digest entry of
// each digest above, all in the bank their name says ("block", "review",
// "shadow"), and a vPDQ entry in "block" whose frames 0, 1, 2 (at 0, 1 and
// 2 s) are the three PDQ hashes.
absl::StatusOr<std::shared_ptr<const IndexSnapshot>> BuildCheckRequestIndex();

}  // namespace clearmatch::fuzz

#endif  // CLEARMATCH_FUZZ_CHECK_REQUEST_INDEX_H_
