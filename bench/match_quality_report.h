// The results of the match-quality evaluation (bench/match_quality.cc) and
// their Markdown tables: recall per edit, false matches among unrelated
// pairs per review_distance, the recommended band.
#ifndef CLEARMATCH_BENCH_MATCH_QUALITY_REPORT_H_
#define CLEARMATCH_BENCH_MATCH_QUALITY_REPORT_H_

#include <string>
#include <vector>

#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch::bench {

// A match of a query to an original it was not made from.
struct UnrelatedMatch {
  int original = 0;
  int distance = 0;
  v1::Decision decision = v1::ALLOW;
  std::string transform;  // "" (the original hash), "trimmed", "flipy"...
};

// What Check reported for one query under one review_distance.
struct RadiusOutcome {
  v1::Match own;  // the match to its own original; decision ALLOW if none
  std::vector<UnrelatedMatch> unrelated;
};

// The true time ranges of a video clip or embedding, in seconds.
struct VideoTruth {
  bool known = false;
  double query_start = 0, query_end = 0;
  double target_start = 0, target_end = 0;
};

struct QueryOutcome {
  std::string edit;
  int original = 0;
  std::vector<RadiusOutcome> per_radius;  // aligned with the radii
  // Images: the smallest distance of any hash the Check looked up to its
  // own original, and to each other original (brute force, every pair).
  int own_distance = -1;
  std::vector<int> unrelated_distances;
  // The quality of the query's hash at those distances (the closest one).
  int own_quality = 0;
  std::vector<int> unrelated_qualities;
  // The same over the hashes a Check counts (quality >= review_min_quality).
  std::vector<int> unrelated_counted_distances;
  int quality = 100;  // images: PDQ quality of the query's hash
  VideoTruth truth;   // videos
};

struct EditInfo {
  std::string name;
  std::string description;
};

struct EvaluationSet {
  std::vector<std::string> originals;  // paths or names
  std::vector<int> original_quality;   // images: PDQ quality
  std::vector<EditInfo> edits;
  std::vector<QueryOutcome> queries;
};

// Writes every table to stdout. radii[0] must be the default (31).
void PrintReport(const std::vector<int>& radii, const EvaluationSet& images,
                 const EvaluationSet& videos);

}  // namespace clearmatch::bench

#endif  // CLEARMATCH_BENCH_MATCH_QUALITY_REPORT_H_
