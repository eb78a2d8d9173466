// Looking a Query up in a snapshot and deciding each match.
#include "matching/matcher.h"

#include <algorithm>
#include <string>
#include <string_view>
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

}  // namespace

struct Matcher::FrameList {
  HashVariant variant;
  std::string name;  // HashVariantName(variant)
  const std::vector<VpdqFeature>* frames;
  std::vector<PdqHash> hashes;  // of *frames
};

absl::StatusOr<std::vector<v1::Match>> Matcher::FindMatches(
    const IndexSnapshot& snapshot, const Query& query,
    const Options& options) const {
  MatchSet matches(snapshot, policy_);
  CM_RETURN_IF_ERROR(MatchImage(snapshot, query, options, matches));
  // Each list on its own: MatchSet keeps the best variant per entry.
  for (const FrameList& list : FrameLists(query, options)) {
    CM_RETURN_IF_ERROR(MatchFramesToImages(snapshot, list, options, matches));
    CM_RETURN_IF_ERROR(MatchVideoEntries(snapshot, list, options, matches));
  }
  CM_RETURN_IF_ERROR(MatchDigests(snapshot, query, options, matches));
  return std::move(matches).Sorted();
}

std::vector<Matcher::FrameList> Matcher::FrameLists(
    const Query& query, const Options& options) const {
  std::vector<FrameList> lists;
  auto add = [&](const HashVariant& variant,
                 const std::vector<VpdqFeature>& frames) {
    if (frames.empty()) return;
    if (variant.transform != DihedralTransform::kOriginal &&
        !policy_.WantsDihedral(options.dihedral)) {
      return;
    }
    FrameList& list = lists.emplace_back(
        FrameList{variant, HashVariantName(variant), &frames, {}});
    list.hashes.reserve(frames.size());
    for (const VpdqFeature& frame : frames) list.hashes.push_back(frame.hash);
  };
  add(HashVariant{}, query.frames);
  for (const QueryFrameVariant& v : query.frame_variants) {
    add(v.variant, v.frames);
  }
  return lists;
}

bool Matcher::Counts(const HashVariant& variant, const BankPolicy& bank,
                     const Options& options) {
  return VerdictPolicy::CountsTransform(options.dihedral, bank,
                                        variant.transform) &&
         (!variant.trimmed || VerdictPolicy::CountsTrim(options.trim, bank));
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
    if (!Counts(q.variant(), bank, options)) continue;
    OfferPdq(hit, q.quality, HashVariantName(q.variant()), bank, options,
             matches);
  }
  return absl::OkStatus();
}

bool Matcher::OfferPdq(const PdqHit& hit, int quality,
                       absl::string_view variant, const BankPolicy& bank,
                       const Options& options, MatchSet& matches) const {
  const v1::Decision decision =
      VerdictPolicy::DecidePdq(options.context, bank, hit.distance, quality);
  if (decision == v1::ALLOW) return false;
  v1::Match match = matches.NewMatch(hit.entry, decision, hit.distance);
  match.set_transform(std::string(variant));
  matches.Offer(hit.entry, std::move(match));
  return true;
}

absl::Status Matcher::MatchFramesToImages(const IndexSnapshot& snapshot,
                                          const FrameList& list,
                                          const Options& options,
                                          MatchSet& matches) const {
  CM_ASSIGN_OR_RETURN(std::vector<PdqHit> hits,
                      snapshot.SearchPdq(list.hashes, Radius(options)));
  absl::flat_hash_set<EntryRef> image_entries;
  for (const PdqHit& hit : hits) {
    const BankPolicy& bank = PolicyOf(snapshot.entry(hit.entry));
    if (!Counts(list.variant, bank, options)) continue;
    if (OfferPdq(hit, (*list.frames)[hit.query].quality, list.name, bank,
                 options, matches)) {
      image_entries.insert(hit.entry);
    }
  }
  // Where in the video each matched image appears, in the frames of the
  // variant kept for it.
  for (EntryRef ref : image_entries) {
    v1::Match* match = matches.Find(ref);
    if (match->transform() != list.name) continue;
    const EntryView entry = snapshot.entry(ref);
    VpdqMatchOptions range_options;
    range_options.min_quality = 0;
    range_options.max_distance = PolicyOf(entry).review_distance;
    match->clear_query_ranges();
    AddRanges(
        MatchImageToVpdq(entry.pdq, 100, *list.frames, range_options).ranges,
        match->mutable_query_ranges());
  }
  return absl::OkStatus();
}

absl::Status Matcher::MatchVideoEntries(const IndexSnapshot& snapshot,
                                        const FrameList& list,
                                        const Options& options,
                                        MatchSet& matches) const {
  CM_ASSIGN_OR_RETURN(std::vector<FrameHit> frame_hits,
                      snapshot.SearchVideoFrames(list.hashes, Radius(options)));
  absl::flat_hash_map<EntryRef, int> video_entries;  // -> best distance
  for (const FrameHit& hit : frame_hits) {
    auto [it, inserted] = video_entries.try_emplace(hit.entry, hit.distance);
    if (!inserted) it->second = std::min(it->second, hit.distance);
  }
  for (const auto& [ref, distance] : video_entries) {
    const EntryView entry = snapshot.entry(ref);
    const BankPolicy& bank = PolicyOf(entry);
    if (!Counts(list.variant, bank, options)) continue;
    const VideoVerdict verdict = VerdictPolicy::DecideVideo(
        options.context, bank, *list.frames, EntryFeatures(entry));
    if (verdict.decision == v1::ALLOW) continue;
    v1::Match match = matches.NewMatch(ref, verdict.decision, distance);
    FillVideoMatch(verdict, &match);
    match.set_transform(list.name);
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
