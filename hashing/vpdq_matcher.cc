// vPDQ matching rule (see vpdq_matcher.h).
#include "hashing/vpdq_matcher.h"

#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_set.h"

namespace clearmatch {
namespace {

// Distinct hashes of the reliable features, in first-seen order.
std::vector<PdqHash> UniqueReliableHashes(
    const std::vector<VpdqFeature>& features, int min_quality) {
  absl::flat_hash_set<PdqHash> seen;
  std::vector<PdqHash> unique;
  for (const VpdqFeature& feature : features) {
    if (feature.quality >= min_quality && seen.insert(feature.hash).second) {
      unique.push_back(feature.hash);
    }
  }
  return unique;
}

// Runs of consecutive features for which `matched(feature)` holds.
template <typename Predicate>
std::vector<VpdqTimeRange> MatchedRanges(
    const std::vector<VpdqFeature>& features, Predicate matched) {
  std::vector<VpdqTimeRange> ranges;
  bool in_run = false;
  for (const VpdqFeature& feature : features) {
    if (!matched(feature)) {
      in_run = false;
      continue;
    }
    if (in_run) {
      ranges.back().end_seconds = feature.seconds;
    } else {
      ranges.push_back({feature.seconds, feature.seconds});
      in_run = true;
    }
  }
  return ranges;
}

double Percent(int part, int whole) {
  return whole == 0 ? 0.0 : 100.0 * part / whole;
}

}  // namespace

VpdqMatchResult MatchVpdq(const std::vector<VpdqFeature>& query,
                          const std::vector<VpdqFeature>& target,
                          const VpdqMatchOptions& options) {
  const std::vector<PdqHash> query_hashes =
      UniqueReliableHashes(query, options.min_quality);
  const std::vector<PdqHash> target_hashes =
      UniqueReliableHashes(target, options.min_quality);

  std::vector<bool> query_matched(query_hashes.size(), false);
  std::vector<bool> target_matched(target_hashes.size(), false);
  for (size_t q = 0; q < query_hashes.size(); ++q) {
    for (size_t t = 0; t < target_hashes.size(); ++t) {
      if (query_hashes[q].DistanceTo(target_hashes[t]) <=
          options.max_distance) {
        query_matched[q] = true;
        target_matched[t] = true;
      }
    }
  }

  absl::flat_hash_set<PdqHash> matched_query_set;
  absl::flat_hash_set<PdqHash> matched_target_set;
  for (size_t q = 0; q < query_hashes.size(); ++q) {
    if (query_matched[q]) matched_query_set.insert(query_hashes[q]);
  }
  for (size_t t = 0; t < target_hashes.size(); ++t) {
    if (target_matched[t]) matched_target_set.insert(target_hashes[t]);
  }

  VpdqMatchResult result;
  result.unique_query_hashes = static_cast<int>(query_hashes.size());
  result.unique_target_hashes = static_cast<int>(target_hashes.size());
  result.matched_query_hashes = static_cast<int>(matched_query_set.size());
  result.matched_target_hashes = static_cast<int>(matched_target_set.size());
  result.query_pct =
      Percent(result.matched_query_hashes, result.unique_query_hashes);
  result.target_pct =
      Percent(result.matched_target_hashes, result.unique_target_hashes);
  result.is_match = !query_hashes.empty() && !target_hashes.empty() &&
                    result.query_pct >= options.query_pct_threshold &&
                    result.target_pct >= options.target_pct_threshold;
  const int min_quality = options.min_quality;
  result.query_ranges = MatchedRanges(query, [&](const VpdqFeature& f) {
    return f.quality >= min_quality && matched_query_set.contains(f.hash);
  });
  result.target_ranges = MatchedRanges(target, [&](const VpdqFeature& f) {
    return f.quality >= min_quality && matched_target_set.contains(f.hash);
  });
  return result;
}

VpdqImageMatch MatchImageToVpdq(const PdqHash& image_hash, int image_quality,
                                const std::vector<VpdqFeature>& video,
                                const VpdqMatchOptions& options) {
  VpdqImageMatch match;
  if (image_quality < options.min_quality) return match;
  auto matched = [&](const VpdqFeature& f) {
    return f.quality >= options.min_quality &&
           f.hash.DistanceTo(image_hash) <= options.max_distance;
  };
  std::copy_if(video.begin(), video.end(), std::back_inserter(match.frames),
               matched);
  match.ranges = MatchedRanges(video, matched);
  return match;
}

}  // namespace clearmatch
