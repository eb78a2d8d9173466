// Looking a Query up in a snapshot and deciding each match.
#include "matching/matcher.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"
#include "common/status_macros.h"
#include "hashing/vpdq_matcher.h"
#include "matching/video_verdict.h"

namespace clearmatch {
namespace {

void AddRanges(const std::vector<VpdqTimeRange>& ranges,
               google::protobuf::RepeatedPtrField<v1::TimeRange>* out) {
  for (const VpdqTimeRange& range : ranges) {
    v1::TimeRange* r = out->Add();
    r->set_start_seconds(range.start_seconds);
    r->set_end_seconds(range.end_seconds);
  }
}

std::vector<VpdqFeature> EntryFeatures(const EntryView& entry) {
  std::vector<VpdqFeature> features;
  features.reserve(entry.frames.size());
  for (const VpdqFrame& frame : entry.frames) {
    // Bank entries are curated: their frames count as fully reliable.
    features.push_back({frame.frame_number, 100, frame.hash, frame.seconds});
  }
  return features;
}

std::vector<PdqHash> FrameHashes(const Query& query) {
  std::vector<PdqHash> hashes;
  hashes.reserve(query.frames.size());
  for (const VpdqFeature& frame : query.frames) hashes.push_back(frame.hash);
  return hashes;
}

}  // namespace

absl::StatusOr<std::vector<v1::Match>> Matcher::FindMatches(
    const IndexSnapshot& snapshot, const Query& query,
    const Options& options) const {
  MatchSet matches(snapshot, policy_);
  CM_RETURN_IF_ERROR(MatchImage(snapshot, query, options, matches));
  if (!query.frames.empty()) {
    const std::vector<PdqHash> frame_hashes = FrameHashes(query);
    CM_RETURN_IF_ERROR(
        MatchFramesToImages(snapshot, query, frame_hashes, options, matches));
    CM_RETURN_IF_ERROR(
        MatchVideoEntries(snapshot, query, frame_hashes, options, matches));
  }
  CM_RETURN_IF_ERROR(MatchDigests(snapshot, query, options, matches));
  return std::move(matches).Sorted();
}

int Matcher::Radius(const Options& options) const {
  return std::clamp(options.max_distance, 0, policy_.SearchDistance());
}

const BankPolicy& Matcher::PolicyOf(const EntryView& entry) const {
  return policy_.ForBank(
      absl::string_view(entry.bank.data(), entry.bank.size()));
}

absl::Status Matcher::MatchImage(const IndexSnapshot& snapshot,
                                 const Query& query, const Options& options,
                                 MatchSet& matches) const {
  if (query.pdq.empty()) return absl::OkStatus();
  std::vector<PdqHash> hashes;
  for (const QueryPdq& q : query.pdq) hashes.push_back(q.hash);
  CM_ASSIGN_OR_RETURN(std::vector<PdqHit> hits,
                      snapshot.SearchPdq(hashes, Radius(options)));
  for (const PdqHit& hit : hits) {
    const QueryPdq& q = query.pdq[hit.query];
    const BankPolicy& bank = PolicyOf(snapshot.entry(hit.entry));
    if (!VerdictPolicy::CountsTransform(options.dihedral, bank, q.transform)) {
      continue;
    }
    if (q.trimmed && !VerdictPolicy::CountsTrim(options.trim, bank)) continue;
    OfferPdq(hit, q.quality, PdqVariantName(q.transform, q.trimmed), bank,
             options, matches);
  }
  return absl::OkStatus();
}

bool Matcher::OfferPdq(const PdqHit& hit, int quality, std::string variant,
                       const BankPolicy& bank, const Options& options,
                       MatchSet& matches) const {
  const v1::Decision decision =
      VerdictPolicy::DecidePdq(options.context, bank, hit.distance, quality);
  if (decision == v1::ALLOW) return false;
  v1::Match match = matches.NewMatch(hit.entry, decision, hit.distance);
  match.set_transform(std::move(variant));
  matches.Offer(hit.entry, std::move(match));
  return true;
}

absl::Status Matcher::MatchFramesToImages(
    const IndexSnapshot& snapshot, const Query& query,
    absl::Span<const PdqHash> frame_hashes, const Options& options,
    MatchSet& matches) const {
  CM_ASSIGN_OR_RETURN(std::vector<PdqHit> hits,
                      snapshot.SearchPdq(frame_hashes, Radius(options)));
  absl::flat_hash_set<EntryRef> image_entries;
  for (const PdqHit& hit : hits) {
    const BankPolicy& bank = PolicyOf(snapshot.entry(hit.entry));
    if (OfferPdq(hit, query.frames[hit.query].quality,
                 PdqVariantName(DihedralTransform::kOriginal, false), bank,
                 options, matches)) {
      image_entries.insert(hit.entry);
    }
  }
  // Where in the video each matched image appears.
  for (EntryRef ref : image_entries) {
    const EntryView entry = snapshot.entry(ref);
    VpdqMatchOptions range_options;
    range_options.min_quality = 0;
    range_options.max_distance = PolicyOf(entry).review_distance;
    AddRanges(
        MatchImageToVpdq(entry.pdq, 100, query.frames, range_options).ranges,
        matches.Find(ref)->mutable_query_ranges());
  }
  return absl::OkStatus();
}

absl::Status Matcher::MatchVideoEntries(const IndexSnapshot& snapshot,
                                        const Query& query,
                                        absl::Span<const PdqHash> frame_hashes,
                                        const Options& options,
                                        MatchSet& matches) const {
  CM_ASSIGN_OR_RETURN(
      std::vector<FrameHit> frame_hits,
      snapshot.SearchVideoFrames(frame_hashes, Radius(options)));
  absl::flat_hash_map<EntryRef, int> video_entries;  // -> best distance
  for (const FrameHit& hit : frame_hits) {
    auto [it, inserted] = video_entries.try_emplace(hit.entry, hit.distance);
    if (!inserted) it->second = std::min(it->second, hit.distance);
  }
  for (const auto& [ref, distance] : video_entries) {
    const EntryView entry = snapshot.entry(ref);
    const VideoVerdict verdict = VerdictPolicy::DecideVideo(
        options.context, PolicyOf(entry), query.frames, EntryFeatures(entry));
    if (verdict.decision == v1::ALLOW) continue;
    v1::Match match = matches.NewMatch(ref, verdict.decision, distance);
    FillVideoMatch(verdict, &match);
    matches.Offer(ref, std::move(match));
  }
  return absl::OkStatus();
}

absl::Status Matcher::MatchDigests(const IndexSnapshot& snapshot,
                                   const Query& query, const Options& options,
                                   MatchSet& matches) const {
  const std::pair<HashType, const std::string*> digests[] = {
      {HashType::kMd5, &query.md5},
      {HashType::kSha1, &query.sha1},
      {HashType::kSha256, &query.sha256}};
  for (const auto& [type, digest] : digests) {
    if (digest->empty()) continue;
    CM_ASSIGN_OR_RETURN(std::vector<EntryRef> refs,
                        snapshot.LookupExact(type, *digest));
    for (EntryRef ref : refs) {
      const v1::Decision decision =
          VerdictPolicy::Action(options.context, PolicyOf(snapshot.entry(ref)));
      if (decision == v1::ALLOW) continue;
      matches.Offer(ref, matches.NewMatch(ref, decision, 0));
    }
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
