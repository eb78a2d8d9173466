// vPDQ matching (specs/PDQ_VPDQ.md, python-threatexchange's rule): two videos
// match when enough of their reliable, de-duplicated frame hashes lie within
// PDQ distance of each other; an image matches the frames of a video within
// distance of its hash. Matched frames are merged into time ranges so a
// reviewer can jump to the matching segment.
//
//   VpdqMatchOptions options;              // Q = 80, T = 0, distance <= 31
//   VpdqMatchResult r = MatchVpdq(query_features, target_features, options);
//   if (r.is_match) ... r.query_pct, r.target_pct, r.query_ranges ...
//
//   VpdqImageMatch m = MatchImageToVpdq(image_hash, image_quality,
//                                       video_features, options);
//
// Clips and embeddings: FindVpdqSegment finds the longest run of matched
// frames at one consistent time offset between the two videos (a clip of a
// banked video, or a banked video inside a longer one), with its ranges in
// both videos, its length and how much of each video it covers:
//
//   std::optional<VpdqSegment> s = FindVpdqSegment(query, target, options);
//   if (s && s->query_seconds >= 3) ... s->target_coverage_pct ...
//
// Pure functions, thread-safe. Cost: |unique query| x |unique target| Hamming
// distances (an hour at one hash per second: 13 M, a few tens of ms); the
// segment finder up to about 3 x |query| x |target| (static video, where
// every offset matches; a few x |query| for ordinary video).
#ifndef CLEARMATCH_HASHING_VPDQ_MATCHER_H_
#define CLEARMATCH_HASHING_VPDQ_MATCHER_H_

#include <optional>
#include <vector>

#include "hashing/pdq_hash.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch {

struct VpdqMatchOptions {
  // Frames (and images) with a quality below this are dropped first.
  int min_quality = 50;
  // A frame matches another when their PDQ distance is <= this.
  int max_distance = PdqHash::kMatchDistance;
  // A video match needs query_pct >= this (0..100). python-threatexchange
  // uses Q = 80, T = 0; the vPDQ README Q = 0, T = 80.
  double query_pct_threshold = 80;
  // ... and target_pct >= this (0..100).
  double target_pct_threshold = 0;
};

// [start_seconds, end_seconds] of a run of consecutive matched features
// (consecutive in the feature list; an unmatched or low-quality feature
// ends the run). A single matched frame gives start == end.
struct VpdqTimeRange {
  double start_seconds = 0;
  double end_seconds = 0;
  friend bool operator==(const VpdqTimeRange&, const VpdqTimeRange&) = default;
};

struct VpdqMatchResult {
  // Reliable (quality >= min_quality) distinct hashes on each side.
  int unique_query_hashes = 0;
  int unique_target_hashes = 0;
  // Of those, how many are within max_distance of some hash on the other
  // side.
  int matched_query_hashes = 0;
  int matched_target_hashes = 0;
  // 100 * matched / unique; 0 when a side has no reliable hash.
  double query_pct = 0;
  double target_pct = 0;
  // query_pct >= Q and target_pct >= T, and both sides have reliable
  // hashes (an empty or featureless video never matches).
  bool is_match = false;
  // Time ranges of the matched frames in each video, in list order.
  std::vector<VpdqTimeRange> query_ranges;
  std::vector<VpdqTimeRange> target_ranges;
};

VpdqMatchResult MatchVpdq(const std::vector<VpdqFeature>& query,
                          const std::vector<VpdqFeature>& target,
                          const VpdqMatchOptions& options);

struct VpdqImageMatch {
  // Video frames (quality >= min_quality) within max_distance of the image,
  // in list order. Empty when the image's quality is below min_quality.
  std::vector<VpdqFeature> frames;
  // The same frames merged into time ranges.
  std::vector<VpdqTimeRange> ranges;
};

VpdqImageMatch MatchImageToVpdq(const PdqHash& image_hash, int image_quality,
                                const std::vector<VpdqFeature>& video,
                                const VpdqMatchOptions& options);

// The longest contiguous segment two videos share (see FindVpdqSegment).
// Times are the features' `seconds`.
struct VpdqSegment {
  // First and last matched frame of the segment in each video.
  VpdqTimeRange query_range;
  VpdqTimeRange target_range;
  // The segment's length in each video: from its first matched frame to one
  // sampling interval past its last (5 frames one second apart: 5 s).
  double query_seconds = 0;
  double target_seconds = 0;
  // 100 * the segment's length / the video's length (first to one interval
  // past the last feature, reliable or not), at most 100.
  double query_coverage_pct = 0;
  double target_coverage_pct = 0;
  // Query frames in the segment that matched a target frame.
  int matched_frames = 0;
};

// The longest segment (by the shorter of its two lengths, then by matched
// frames; the earliest offset on a tie) in which reliable query frames
// (quality >= min_quality) match reliable target frames (PDQ distance <=
// max_distance) at one time offset: query frame at q matches a target frame
// within one sampling interval of q + offset. Consecutive matched query
// frames may be up to three sampling intervals apart (two unmatched frames
// between them); farther apart, the segment ends. The sampling interval of
// a video is the median gap between its features' times; the pair's is the
// larger of the two (1 s when neither video has two distinct times). The
// percentage thresholds are ignored. nullopt when no frame matches.
std::optional<VpdqSegment> FindVpdqSegment(
    const std::vector<VpdqFeature>& query,
    const std::vector<VpdqFeature>& target, const VpdqMatchOptions& options);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_VPDQ_MATCHER_H_
