// The CSV that `clearmatch feed publish --add/--remove` reads: the bank CSV
// (bank/bank_csv.h) plus vPDQ rows whose second column names a frames file:
//
//   # hash_type,hash,entry_id,bank,category
//   pdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,e1,tid,ncii
//   vpdq,clip.vpdq.txt,clip-1,tid,ncii
//
// A frames file holds one "frame,quality,hash,seconds" line per frame (the
// form of Meta's vpdq-hash-video and of tests/testdata/vpdq/reference_r1);
// a relative path is relative to the CSV's directory. Frames below quality
// 50 are dropped (bank/feed frames count as fully reliable). In a --remove
// CSV only the entry id of a vpdq row is used (the frames file is not read).
// Pure functions of the files; thread-safe.
#ifndef CLEARMATCH_CLI_FEED_PUBLISH_CSV_H_
#define CLEARMATCH_CLI_FEED_PUBLISH_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feed/feed_entry.h"

namespace clearmatch::cli {

// The changes of `path`, all with `op`, in line order, each entry stamped
// `added_at`. Errors start with the path and name the line (and the frames
// file, for a bad one).
absl::StatusOr<std::vector<FeedChange>> ReadPublishCsv(const std::string& path,
                                                       FeedChange::Op op,
                                                       int64_t added_at);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_FEED_PUBLISH_CSV_H_
