// Feed entries made from media files, for `clearmatch feed publish
// --add-media`: each file is hashed with MediaFingerprinter (images -> PDQ,
// videos -> vPDQ frames) plus its MD5, and becomes the entries
// "<file name>-pdq" (or "-vpdq") and "<file name>-md5"; media with uniform
// borders or letterbox bars of its own (hashing/border_detector.h) also
// "<file name>-pdq-trimmed" (or "-vpdq-trimmed"): the content inside them
// (when its hash is more than 31 bits from the whole's, in some frame), so
// that a copy re-posted with more bars of the same colour, which a Check
// can only trim down to that content, still matches.
//
//   MediaEntryOptions options{.bank = "tid", .category = "ncii"};
//   CM_ASSIGN_OR_RETURN(std::vector<FeedEntry> entries,
//                       MediaFeedEntries({"a.jpg", "clip.mp4"}, options));
//
// Not thread-safe across calls sharing state: none is shared (each call makes
// its own fingerprinter).
#ifndef CLEARMATCH_CLI_FEED_MEDIA_ENTRIES_H_
#define CLEARMATCH_CLI_FEED_MEDIA_ENTRIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"
#include "feed/feed_entry.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch::cli {

// The suffix of the entry id of a file's trimmed content.
inline constexpr char kTrimmedEntrySuffix[] = "-trimmed";

struct MediaEntryOptions {
  std::string bank;
  std::string category;
  int64_t added_at = 0;  // unix seconds, stored in every entry
};

// The frames of a vPDQ hash as a bank keeps them: frames with a quality
// below the matcher's minimum (50) are dropped (bank frames count as fully
// reliable). INVALID_ARGUMENT starting with `what` if none is left or a
// frame number does not fit in 32 bits.
absl::StatusOr<std::vector<VpdqFrame>> BankFrames(
    const std::vector<VpdqFeature>& features, absl::string_view what);

// Two entries per file (three with a trimmed one), in file order. Errors start
// with the file's path: NOT_FOUND / PERMISSION_DENIED unreadable,
// INVALID_ARGUMENT not media (or a video without usable frames),
// RESOURCE_EXHAUSTED over a decode limit; INVALID_ARGUMENT when two files have
// the same name (same entry ids).
absl::StatusOr<std::vector<FeedEntry>> MediaFeedEntries(
    const std::vector<std::string>& files, const MediaEntryOptions& options);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_FEED_MEDIA_ENTRIES_H_
