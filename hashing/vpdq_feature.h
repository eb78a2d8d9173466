// VpdqFeature: one hashed video frame of a vPDQ hash (specs/PDQ_VPDQ.md), and
// the reference's text form, one frame per line:
//
//   frame,quality,hash,seconds        e.g. "30,100,df83...8154,1.000"
//
//   absl::StatusOr<std::vector<VpdqFeature>> f = ParseVpdqFeatures(text);
//   std::string text = FormatVpdqFeatures(*f);
//
// Pure functions, thread-safe.
#ifndef CLEARMATCH_HASHING_VPDQ_FEATURE_H_
#define CLEARMATCH_HASHING_VPDQ_FEATURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hashing/pdq_hash.h"

namespace clearmatch {

struct VpdqFeature {
  // Index of the frame among the decoded frames of the video, from 0.
  int64_t frame_number = 0;
  // PDQ quality, 0..100; below 50 the frame never matches.
  int quality = 0;
  PdqHash hash;
  // frame_number / fps (or the frame's timestamp in keyframe-only mode).
  double seconds = 0;

  friend bool operator==(const VpdqFeature&, const VpdqFeature&) = default;
};

// "frame,quality,hash,seconds" with seconds as %.3f (no newline).
std::string FormatVpdqFeature(const VpdqFeature& feature);

// One line per feature, each ending in '\n'.
std::string FormatVpdqFeatures(const std::vector<VpdqFeature>& features);

// Parses one line (surrounding whitespace ignored). INVALID_ARGUMENT naming
// the field that is missing or malformed: frame must be a non-negative
// integer, quality 0..100, hash 64 hex digits, seconds a finite number >= 0.
absl::StatusOr<VpdqFeature> ParseVpdqFeature(std::string_view line);

// Parses a whole file; blank lines are skipped. The error names the line
// number (from 1).
absl::StatusOr<std::vector<VpdqFeature>> ParseVpdqFeatures(
    std::string_view text);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_VPDQ_FEATURE_H_
