// vPDQ matching rule (see vpdq_matcher.h).
#include "hashing/vpdq_matcher.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>

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

// Segment finding (FindVpdqSegment).

struct TimedHash {
  double seconds = 0;
  PdqHash hash;
};

// The reliable features, by time.
std::vector<TimedHash> ReliableByTime(const std::vector<VpdqFeature>& features,
                                      int min_quality) {
  std::vector<TimedHash> frames;
  for (const VpdqFeature& feature : features) {
    if (feature.quality >= min_quality) {
      frames.push_back({feature.seconds, feature.hash});
    }
  }
  std::stable_sort(frames.begin(), frames.end(),
                   [](const TimedHash& a, const TimedHash& b) {
                     return a.seconds < b.seconds;
                   });
  return frames;
}

// Median gap between consecutive distinct feature times; 0 without two.
double SamplingInterval(const std::vector<VpdqFeature>& features) {
  std::vector<double> times;
  times.reserve(features.size());
  for (const VpdqFeature& feature : features) times.push_back(feature.seconds);
  std::sort(times.begin(), times.end());
  std::vector<double> gaps;
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] > times[i - 1]) gaps.push_back(times[i] - times[i - 1]);
  }
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  return gaps[gaps.size() / 2];
}

// First to one interval past the last feature.
double VideoSeconds(const std::vector<VpdqFeature>& features, double interval) {
  if (features.empty()) return 0;
  const auto [first, last] =
      std::minmax_element(features.begin(), features.end(),
                          [](const VpdqFeature& a, const VpdqFeature& b) {
                            return a.seconds < b.seconds;
                          });
  return last->seconds - first->seconds + interval;
}

// What one scan needs: the frames and the pair's sampling interval.
struct SegmentScan {
  std::vector<TimedHash> query;
  std::vector<TimedHash> target;
  double interval = 1;  // the larger of the two videos' (> 0)
  int max_distance = 0;
};

// Offsets are looked at in steps of half an interval: offset = step * k.
// The k of every matched pair, sorted.
std::vector<int64_t> CandidateSteps(const SegmentScan& scan) {
  const double step = scan.interval / 2;
  absl::flat_hash_set<int64_t> steps;
  for (const TimedHash& q : scan.query) {
    for (const TimedHash& t : scan.target) {
      if (q.hash.DistanceTo(t.hash) <= scan.max_distance) {
        steps.insert(std::llround((t.seconds - q.seconds) / step));
      }
    }
  }
  std::vector<int64_t> sorted(steps.begin(), steps.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

// The time of the matching target frame nearest `expected` (within one
// interval of it), if any.
std::optional<double> MatchNear(const SegmentScan& scan, const PdqHash& hash,
                                double expected) {
  auto it = std::lower_bound(
      scan.target.begin(), scan.target.end(), expected - scan.interval,
      [](const TimedHash& t, double seconds) { return t.seconds < seconds; });
  std::optional<double> best;
  for (; it != scan.target.end() && it->seconds <= expected + scan.interval;
       ++it) {
    if (hash.DistanceTo(it->hash) > scan.max_distance) continue;
    if (!best ||
        std::abs(it->seconds - expected) < std::abs(*best - expected)) {
      best = it->seconds;
    }
  }
  return best;
}

VpdqSegment RunSegment(double query_first, double query_last,
                       double target_first, double target_last, int matched,
                       double interval) {
  VpdqSegment segment;
  segment.query_range = {query_first, query_last};
  segment.target_range = {target_first, target_last};
  segment.query_seconds = query_last - query_first + interval;
  segment.target_seconds = target_last - target_first + interval;
  segment.matched_frames = matched;
  return segment;
}

bool Longer(const VpdqSegment& a, const VpdqSegment& b) {
  const double a_length = std::min(a.query_seconds, a.target_seconds);
  const double b_length = std::min(b.query_seconds, b.target_seconds);
  if (a_length != b_length) return a_length > b_length;
  return a.matched_frames > b.matched_frames;
}

// The runs of query frames matching at `offset`; keeps the longest in
// `best`.
void ScanOffset(const SegmentScan& scan, double offset,
                std::optional<VpdqSegment>& best) {
  const double max_gap = 3 * scan.interval * (1 + 1e-6);
  std::optional<VpdqSegment> run;
  auto finish = [&] {
    if (run && (!best || Longer(*run, *best))) best = run;
    run.reset();
  };
  for (const TimedHash& q : scan.query) {
    const std::optional<double> t = MatchNear(scan, q.hash, q.seconds + offset);
    if (!t) continue;
    if (run && q.seconds - run->query_range.end_seconds > max_gap) finish();
    if (!run) {
      run = RunSegment(q.seconds, q.seconds, *t, *t, 1, scan.interval);
      continue;
    }
    *run = RunSegment(run->query_range.start_seconds, q.seconds,
                      std::min(run->target_range.start_seconds, *t),
                      std::max(run->target_range.end_seconds, *t),
                      run->matched_frames + 1, scan.interval);
  }
  finish();
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

std::optional<VpdqSegment> FindVpdqSegment(
    const std::vector<VpdqFeature>& query,
    const std::vector<VpdqFeature>& target, const VpdqMatchOptions& options) {
  SegmentScan scan;
  scan.query = ReliableByTime(query, options.min_quality);
  scan.target = ReliableByTime(target, options.min_quality);
  scan.max_distance = options.max_distance;
  const double query_interval = SamplingInterval(query);
  const double target_interval = SamplingInterval(target);
  scan.interval = std::max(query_interval, target_interval);
  if (scan.interval <= 0) scan.interval = 1;
  std::optional<VpdqSegment> best;
  for (int64_t k : CandidateSteps(scan)) {
    ScanOffset(scan, static_cast<double>(k) * scan.interval / 2, best);
  }
  if (!best) return best;
  auto coverage = [](double part, double whole) {
    return whole <= 0 ? 0.0 : std::min(100.0, 100.0 * part / whole);
  };
  best->query_coverage_pct = coverage(
      best->query_seconds,
      VideoSeconds(query, query_interval > 0 ? query_interval : scan.interval));
  best->target_coverage_pct =
      coverage(best->target_seconds,
               VideoSeconds(target, target_interval > 0 ? target_interval
                                                        : scan.interval));
  return best;
}

}  // namespace clearmatch
