// The feed's file formats (docs/FEED_PROTOCOL.md): where the manifest and
// its signature live, the length-delimited FeedRecord stream of delta and
// snapshot files, and the structural checks on a manifest. Pure functions.
//
//   std::string bytes = EncodeFeedRecords(changes);
//   CM_ASSIGN_OR_RETURN(std::vector<FeedChange> back,
//   DecodeFeedRecords(bytes));
#ifndef CLEARMATCH_FEED_FEED_FORMAT_H_
#define CLEARMATCH_FEED_FEED_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/feed.pb.h"
#include "feed/feed_entry.h"

namespace clearmatch {

// Paths relative to the feed's base URL or directory.
inline constexpr absl::string_view kManifestPath = "manifest.pb";
inline constexpr absl::string_view kManifestSignaturePath = "manifest.pb.sig";
inline constexpr uint32_t kFeedFormatVersion = 1;

// Bounds on what a reader accepts before doing more work.
inline constexpr int64_t kMaxManifestBytes = 4 << 20;
inline constexpr int64_t kMaxSignatureBytes = 1024;
inline constexpr int64_t kMaxRecordBytes = 4096;
// A vPDQ record (~85 bytes per frame) up to kMaxFramesPerVideo frames.
inline constexpr int64_t kMaxVpdqRecordBytes = int64_t{96} << 20;
inline constexpr size_t kMaxFeedIdBytes = 128;
inline constexpr int kMaxManifestFiles = 100000;

// Length-delimited FeedRecord stream of `changes`.
std::string EncodeFeedRecords(const std::vector<FeedChange>& changes);

// Parses and validates every record of a delta or snapshot file. Any bad
// record (truncated, oversized, unknown op or hash type, bad hash length or
// hex, empty id, a vPDQ frame list that ValidateFrames refuses) refuses the
// whole file: INVALID_ARGUMENT naming the record
// index and the problem.
absl::StatusOr<std::vector<FeedChange>> DecodeFeedRecords(
    absl::string_view bytes);

// OK if `path` is a safe relative path: 1..256 bytes of [A-Za-z0-9._/-], no
// leading '/', no empty, "." or ".." component.
absl::Status ValidateFeedPath(absl::string_view path);

// OK if `feed_id` is 1..128 bytes of [A-Za-z0-9._-].
absl::Status ValidateFeedId(absl::string_view feed_id);

// Structural checks of a (signature-verified) manifest: format version, feed
// id, times, file paths and digests, deltas contiguous and ending at
// `sequence`, snapshot consistent. INVALID_ARGUMENT naming the problem.
absl::Status ValidateManifest(const v1::FeedManifest& manifest);

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_FORMAT_H_
