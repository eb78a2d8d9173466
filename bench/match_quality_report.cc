// Markdown tables of the match-quality evaluation (see the header).
#include "bench/match_quality_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "matching/verdict_policy.h"

namespace clearmatch::bench {
namespace {

// PDQ's threshold of a reliable hash (the default min_quality).
constexpr int kMinQuality = 50;

bool Flagged(const v1::Match& match) {
  return !match.entry_id().empty() && match.decision() != v1::ALLOW;
}

v1::Decision DecisionOf(const v1::Match& match) {
  return match.entry_id().empty() ? v1::ALLOW : match.decision();
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  return absl::StrFormat("%.1f%%", 100.0 * double(part) / double(whole));
}

std::string Rate(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  if (part == 0) return absl::StrFormat("0 (< %.1e)", 3.0 / double(whole));
  return absl::StrFormat("%.2e", double(part) / double(whole));
}

std::vector<const QueryOutcome*> OfEdit(const EvaluationSet& set,
                                        const std::string& edit) {
  std::vector<const QueryOutcome*> out;
  for (const QueryOutcome& q : set.queries) {
    if (q.edit == edit) out.push_back(&q);
  }
  return out;
}

std::string Median(std::vector<int> values) {
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  return absl::StrCat(values[values.size() / 2]);
}

// "original 12, trimmed 3": how the own matches came about.
std::string Transforms(const std::vector<const QueryOutcome*>& queries) {
  std::map<std::string, int> counts;
  for (const QueryOutcome* q : queries) {
    const v1::Match& own = q->per_radius[0].own;
    if (!Flagged(own)) continue;
    ++counts[own.transform().empty() ? "original" : own.transform()];
  }
  std::vector<std::string> parts;
  for (const auto& [name, count] : counts) {
    parts.push_back(absl::StrCat(name, " ", count));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

// BLOCK / REVIEW / ALLOW of each edit's queries at the default policy.
void PrintDefaultRecall(const EvaluationSet& set, bool images) {
  std::printf(
      "| edit | queries | BLOCK | REVIEW | ALLOW | recall | %show matched |\n",
      images ? "median distance | " : "");
  std::printf("|---|---|---|---|---|---|%s---|\n", images ? "---|" : "");
  for (const EditInfo& edit : set.edits) {
    const std::vector<const QueryOutcome*> queries = OfEdit(set, edit.name);
    int counts[5] = {0, 0, 0, 0, 0};
    std::vector<int> distances;
    for (const QueryOutcome* q : queries) {
      ++counts[DecisionOf(q->per_radius[0].own)];
      if (q->own_distance >= 0) distances.push_back(q->own_distance);
    }
    const int flagged = int(queries.size()) - counts[v1::ALLOW];
    std::printf("| %s | %zu | %d | %d | %d | %s | %s%s |\n", edit.name.c_str(),
                queries.size(), counts[v1::BLOCK], counts[v1::REVIEW],
                counts[v1::ALLOW], Percent(flagged, queries.size()).c_str(),
                images ? absl::StrCat(Median(distances), " | ").c_str() : "",
                Transforms(queries).c_str());
  }
  std::printf("\n");
}

// Share of each edit's queries flagged (BLOCK or REVIEW on the own
// original) per review_distance.
void PrintRecallPerRadius(const std::vector<int>& radii,
                          const EvaluationSet& set) {
  std::printf("| edit |");
  for (int r : radii) std::printf(" %d |", r);
  std::printf("\n|---|");
  for (size_t i = 0; i < radii.size(); ++i) std::printf("---|");
  std::printf("\n");
  std::vector<int64_t> all(radii.size(), 0);
  int64_t all_queries = 0;
  for (const EditInfo& edit : set.edits) {
    const std::vector<const QueryOutcome*> queries = OfEdit(set, edit.name);
    std::printf("| %s |", edit.name.c_str());
    for (size_t i = 0; i < radii.size(); ++i) {
      int64_t flagged = 0;
      for (const QueryOutcome* q : queries)
        flagged += Flagged(q->per_radius[i].own);
      if (edit.name != "none") all[i] += flagged;
      std::printf(" %s |", Percent(flagged, queries.size()).c_str());
    }
    if (edit.name != "none") all_queries += int64_t(queries.size());
    std::printf("\n");
  }
  std::printf("| **every edit but none** |");
  for (int64_t flagged : all) {
    std::printf(" %s |", Percent(flagged, all_queries).c_str());
  }
  std::printf("\n\n");
}

struct UnrelatedCounts {
  std::vector<int64_t> pairs;    // per radius: unrelated pairs flagged
  std::vector<int64_t> queries;  // per radius: queries with one or more
  int64_t total_pairs = 0;
};

// Whether the image pair (query, original) has both hashes of quality >= 50
// (videos: always).
bool Reliable(const EvaluationSet& set, const QueryOutcome& q, int original) {
  if (set.original_quality.empty()) return true;
  return q.quality >= kMinQuality &&
         set.original_quality[original] >= kMinQuality;
}

// Pairs of each query with every other original; only the pairs of
// reliable hashes when `reliable_only`.
UnrelatedCounts CountUnrelated(const std::vector<int>& radii,
                               const EvaluationSet& set, bool reliable_only) {
  UnrelatedCounts c{std::vector<int64_t>(radii.size(), 0),
                    std::vector<int64_t>(radii.size(), 0), 0};
  for (const QueryOutcome& q : set.queries) {
    for (int o = 0; o < int(set.originals.size()); ++o) {
      c.total_pairs +=
          o != q.original && (!reliable_only || Reliable(set, q, o));
    }
    for (size_t i = 0; i < radii.size(); ++i) {
      int64_t flagged = 0;
      for (const UnrelatedMatch& m : q.per_radius[i].unrelated) {
        flagged += m.decision != v1::ALLOW &&
                   (!reliable_only || Reliable(set, q, m.original));
      }
      c.pairs[i] += flagged;
      c.queries[i] += flagged > 0;
    }
  }
  return c;
}

// Unrelated pairs within `radius` by the brute-force distances of the
// hashes a Check counts.
int64_t PairsWithin(const EvaluationSet& set, int radius, bool reliable_only) {
  int64_t within = 0;
  for (const QueryOutcome& q : set.queries) {
    int other = 0;
    for (int d : q.unrelated_counted_distances) {
      if (other == q.original) ++other;
      within += d <= radius && (!reliable_only || Reliable(set, q, other));
      ++other;
    }
  }
  return within;
}

void PrintUnrelated(const std::vector<int>& radii, const EvaluationSet& set,
                    bool brute_force, bool reliable_only) {
  const UnrelatedCounts c = CountUnrelated(radii, set, reliable_only);
  std::printf(
      "| review_distance | unrelated pairs flagged | per pair | queries "
      "flagged with an unrelated original | per query |%s\n",
      brute_force ? " pairs within the distance (brute force) |" : "");
  std::printf("|---|---|---|---|---|%s\n", brute_force ? "---|" : "");
  for (size_t i = 0; i < radii.size(); ++i) {
    const std::string within =
        brute_force
            ? absl::StrCat(" ", PairsWithin(set, radii[i], reliable_only), " |")
            : "";
    std::printf("| %d | %lld of %lld | %s | %lld of %zu | %s |%s\n", radii[i],
                (long long)c.pairs[i], (long long)c.total_pairs,
                Rate(c.pairs[i], c.total_pairs).c_str(),
                (long long)c.queries[i], set.queries.size(),
                Rate(c.queries[i], set.queries.size()).c_str(), within.c_str());
  }
  std::printf("\n");
}

using Pair = std::tuple<int, const QueryOutcome*, int>;  // distance, q, other

// Every unrelated pair (of reliable hashes when `reliable_only`), closest
// first.
std::vector<Pair> SortedPairs(const EvaluationSet& set, bool reliable_only) {
  std::vector<Pair> pairs;
  for (const QueryOutcome& q : set.queries) {
    int other = 0;
    for (int d : q.unrelated_distances) {
      if (other == q.original) ++other;
      if (!reliable_only || Reliable(set, q, other)) {
        pairs.emplace_back(d, &q, other);
      }
      ++other;
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return std::get<0>(a) < std::get<0>(b);
  });
  return pairs;
}

void PrintQuantiles(const std::vector<Pair>& pairs, const char* which) {
  if (pairs.empty()) return;
  auto at = [&](double p) {
    return std::get<0>(
        pairs[std::min(pairs.size() - 1, size_t(p * double(pairs.size())))]);
  };
  std::printf(
      "Distances of the %zu unrelated pairs %s (the closest of the hashes a "
      "Check looks up): minimum %d, 0.01%% %d, 0.1%% %d, 1%% %d, median "
      "%d.\n\n",
      pairs.size(), which, std::get<0>(pairs[0]), at(0.0001), at(0.001),
      at(0.01), at(0.5));
}

// Quantiles of the unrelated pairs' distances, and the closest pairs.
void PrintUnrelatedDistances(const EvaluationSet& set) {
  const std::vector<Pair> all = SortedPairs(set, false);
  const std::vector<Pair> reliable = SortedPairs(set, true);
  PrintQuantiles(all, "(every pair)");
  PrintQuantiles(reliable, "of reliable hashes (quality >= 50 both)");
  std::printf(
      "The closest unrelated pairs of reliable hashes:\n\n| distance | "
      "query (edit of) | edit | quality | original | quality |\n"
      "|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < std::min<size_t>(8, reliable.size()); ++i) {
    const auto& [d, q, other] = reliable[i];
    std::printf("| %d | %s | %s | %d | %s | %d |\n", d,
                set.originals[q->original].c_str(), q->edit.c_str(), q->quality,
                set.originals[other].c_str(), set.original_quality[other]);
  }
  std::printf("\n");
}

// What a PDQ match is worth by the quality of the matching hash, from the
// brute-force distances (every transform and the trimmed content, as a
// Check looks them up; of a pair, the query's hash closest to the
// original): the pairs within `radius` of each quality band, related (a
// query and its own original) and unrelated. A band whose unrelated pairs
// are as close as its related ones cannot tell them apart: its matches are
// noise, even for review.
void PrintQualityBands(const EvaluationSet& set, int radius) {
  static constexpr int kBands[] = {0, 10, 20, 30, 40, kMinQuality, 101};
  std::printf(
      "| quality of the matching hash | own original within %d (queries) | "
      "unrelated pairs within %d |\n|---|---|---|\n",
      radius, radius);
  for (size_t b = 0; b + 1 < std::size(kBands); ++b) {
    const auto in_band = [&](int quality) {
      return quality >= kBands[b] && quality < kBands[b + 1];
    };
    int64_t own = 0, unrelated = 0;
    for (const QueryOutcome& q : set.queries) {
      own += q.own_distance >= 0 && q.own_distance <= radius &&
             in_band(q.own_quality);
      for (size_t k = 0; k < q.unrelated_distances.size(); ++k) {
        unrelated += q.unrelated_distances[k] <= radius &&
                     in_band(q.unrelated_qualities[k]);
      }
    }
    std::printf("| %d-%d | %lld | %lld |\n", kBands[b],
                std::min(100, kBands[b + 1] - 1), (long long)own,
                (long long)unrelated);
  }
  std::printf("\n");
}

// The unrelated pairs flagged at the default policy, by decision and by
// the variant that matched.
void PrintUnrelatedDecisions(const EvaluationSet& set) {
  std::map<std::string, int64_t> by_kind;
  for (const QueryOutcome& q : set.queries) {
    for (const UnrelatedMatch& m : q.per_radius[0].unrelated) {
      if (m.decision == v1::ALLOW) continue;
      ++by_kind[absl::StrCat(v1::Decision_Name(m.decision), " through ",
                             m.transform.empty() ? "original" : m.transform)];
    }
  }
  std::vector<std::string> parts;
  for (const auto& [kind, count] : by_kind) {
    parts.push_back(absl::StrCat(count, " ", kind));
  }
  std::printf("Unrelated pairs flagged at the default policy: %s.\n\n",
              parts.empty() ? "none" : absl::StrJoin(parts, ", ").c_str());
}

// Largest error of the reported ranges against the truth, in seconds;
// negative when no query of the edit reported ranges.
double RangeError(const QueryOutcome& q) {
  const v1::Match& own = q.per_radius[0].own;
  if (!q.truth.known || own.query_ranges().empty() ||
      own.target_ranges().empty()) {
    return -1;
  }
  const v1::TimeRange& qr = own.query_ranges(0);
  const v1::TimeRange& tr = own.target_ranges(0);
  return std::max({std::abs(qr.start_seconds() - q.truth.query_start),
                   std::abs(qr.end_seconds() - q.truth.query_end),
                   std::abs(tr.start_seconds() - q.truth.target_start),
                   std::abs(tr.end_seconds() - q.truth.target_end)});
}

void PrintVideoRules(const EvaluationSet& set) {
  std::printf(
      "| edit | video rules of the matches | reference rule alone matched | "
      "ranges reported (of queries with a true range) | largest range error |\n"
      "|---|---|---|---|---|\n");
  for (const EditInfo& edit : set.edits) {
    std::map<std::string, int> rules;
    int reference = 0, with_truth = 0, with_ranges = 0;
    double worst = -1;
    for (const QueryOutcome* q : OfEdit(set, edit.name)) {
      const v1::Match& own = q->per_radius[0].own;
      if (Flagged(own)) {
        ++rules[v1::Match::VideoRule_Name(own.video_rule())];
        reference += own.reference_rule_match();
      }
      with_truth += q->truth.known;
      const double error = RangeError(*q);
      if (error >= 0) ++with_ranges;
      worst = std::max(worst, error);
    }
    std::vector<std::string> parts;
    for (const auto& [name, count] : rules)
      parts.push_back(absl::StrCat(name, " ", count));
    std::printf("| %s | %s | %d | %d of %d | %s |\n", edit.name.c_str(),
                parts.empty() ? "-" : absl::StrJoin(parts, ", ").c_str(),
                reference, with_ranges, with_truth,
                worst < 0 ? "-" : absl::StrFormat("%.2f s", worst).c_str());
  }
  std::printf("\n");
}

std::string Ranges(const google::protobuf::RepeatedPtrField<v1::TimeRange>& r) {
  std::vector<std::string> parts;
  for (const v1::TimeRange& range : r) {
    parts.push_back(absl::StrFormat("%.1f-%.1f", range.start_seconds(),
                                    range.end_seconds()));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

// Each clip's and embedding's ranges: true and reported.
void PrintVideoRanges(const EvaluationSet& set) {
  std::printf(
      "| video | edit | decision | true range in upload | reported | true "
      "range in banked | reported |\n|---|---|---|---|---|---|---|\n");
  for (const QueryOutcome& q : set.queries) {
    if (!q.truth.known) continue;
    const v1::Match& own = q.per_radius[0].own;
    std::printf("| %s | %s | %s | %.1f-%.1f | %s | %.1f-%.1f | %s |\n",
                set.originals[q.original].c_str(), q.edit.c_str(),
                v1::Decision_Name(DecisionOf(own)).c_str(), q.truth.query_start,
                q.truth.query_end, Ranges(own.query_ranges()).c_str(),
                q.truth.target_start, q.truth.target_end,
                Ranges(own.target_ranges()).c_str());
  }
  std::printf("\n");
}

// The largest radius at which no unrelated pair of either set is flagged.
void PrintRecommendation(const std::vector<int>& radii,
                         const EvaluationSet& images,
                         const EvaluationSet& videos) {
  const UnrelatedCounts ci = CountUnrelated(radii, images, true);
  const UnrelatedCounts cv = CountUnrelated(radii, videos, true);
  size_t best = 0;
  for (size_t i = 0; i < radii.size(); ++i) {
    if (ci.pairs[i] + cv.pairs[i] == 0) best = i;
  }
  std::printf(
      "Largest review_distance evaluated at which no unrelated pair of "
      "reliable hashes (quality >= 50) was flagged: **%d** (%lld image "
      "pairs, %lld video pairs; a per-pair false-match rate below %.1e at "
      "95%% confidence).\n\n",
      radii[best], (long long)ci.total_pairs, (long long)cv.total_pairs,
      3.0 / double(std::max<int64_t>(1, ci.total_pairs + cv.total_pairs)));
}

}  // namespace

void PrintReport(const std::vector<int>& radii, const EvaluationSet& images,
                 const EvaluationSet& videos) {
  std::printf("### Images: %zu originals, %zu edits each, %zu queries\n\n",
              images.originals.size(), images.edits.size(),
              images.queries.size());
  const int64_t low = std::count_if(
      images.original_quality.begin(), images.original_quality.end(),
      [](int quality) { return quality < kMinQuality; });
  const int review_min_quality = BankPolicy{}.review_min_quality;
  std::printf(
      "%lld originals hash with PDQ quality below 50 (smooth gradients and "
      "flat art): a hash below 50 never acts automatically, and below "
      "review_min_quality (default %d) it matches nothing.\n\n",
      (long long)low, review_min_quality);
  std::printf("| edit | what it is |\n|---|---|\n");
  for (const EditInfo& e : images.edits) {
    std::printf("| %s | %s |\n", e.name.c_str(), e.description.c_str());
  }
  std::printf(
      "\n#### Recall per edit at the default policy (review_distance %d)\n\n",
      radii[0]);
  PrintDefaultRecall(images, /*images=*/true);
  std::printf(
      "#### Recall (BLOCK or REVIEW on the own original) per "
      "review_distance\n\n");
  PrintRecallPerRadius(radii, images);
  std::printf(
      "#### False matches among unrelated pairs per review_distance\n\n");
  std::printf("Every pair:\n\n");
  PrintUnrelated(radii, images, /*brute_force=*/true, /*reliable_only=*/false);
  PrintUnrelatedDecisions(images);
  std::printf(
      "Pairs where both hashes have quality >= 50 (a hash of lower quality "
      "never acts automatically: from review_min_quality to 49 it gives "
      "REVIEW within review_distance):\n\n");
  PrintUnrelated(radii, images, /*brute_force=*/true, /*reliable_only=*/true);
  PrintUnrelatedDistances(images);
  std::printf(
      "#### PDQ matches by the quality of the matching hash (brute force, "
      "distance %d)\n\n",
      radii[0]);
  PrintQualityBands(images, radii[0]);
  if (!videos.queries.empty()) {
    std::printf("### Videos: %zu originals, %zu queries\n\n",
                videos.originals.size(), videos.queries.size());
    std::printf("#### Recall per edit at the default policy\n\n");
    PrintDefaultRecall(videos, /*images=*/false);
    PrintVideoRules(videos);
    PrintVideoRanges(videos);
    std::printf("#### Recall per review_distance\n\n");
    PrintRecallPerRadius(radii, videos);
    std::printf("#### False matches among unrelated pairs\n\n");
    PrintUnrelated(radii, videos, /*brute_force=*/false,
                   /*reliable_only=*/false);
  }
  std::printf("### The band\n\n");
  PrintRecommendation(radii, images, videos);
}

}  // namespace clearmatch::bench
