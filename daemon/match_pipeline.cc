// One Check: fingerprint or parse hashes, search, apply the verdict policy.
#include "daemon/match_pipeline.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bank/hash_entry.h"
#include "common/status_macros.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/pdq_hasher.h"
#include "hashing/vpdq_feature.h"
#include "hashing/vpdq_matcher.h"

namespace clearmatch {
namespace {

// A PDQ hash to look up, with what it is of.
struct QueryPdq {
  PdqHash hash;
  int quality = 0;
  DihedralTransform transform = DihedralTransform::kOriginal;
};

// Everything a request is matched on.
struct Query {
  std::vector<QueryPdq> pdq;        // image
  std::vector<VpdqFeature> frames;  // video
  std::string md5, sha1, sha256;    // raw digest bytes; empty if unknown
};

absl::StatusOr<DihedralTransform> ParseTransform(absl::string_view name) {
  if (name.empty()) return DihedralTransform::kOriginal;
  for (int i = 0; i < kDihedralCount; ++i) {
    const auto transform = static_cast<DihedralTransform>(i);
    if (DihedralTransformName(transform) ==
        std::string_view(name.data(), name.size())) {
      return transform;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown transform \"", name.substr(0, 40),
      "\" (original, rot90, rot180, rot270, flipx, flipy, flipplus1, "
      "flipminus1)"));
}

// Raw bytes of a hex digest of `length` bytes; empty stays empty.
absl::StatusOr<std::string> DigestFromHex(absl::string_view field,
                                          absl::string_view hex,
                                          size_t length) {
  if (hex.empty()) return std::string();
  if (hex.size() != 2 * length) {
    return absl::InvalidArgumentError(
        absl::StrCat("hashes.", field, ": ", hex.size(),
                     " characters; expected ", 2 * length, " hex digits"));
  }
  for (size_t i = 0; i < hex.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(hex[i]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hashes.", field, ": character ", i + 1, " is not a hex digit"));
    }
  }
  return absl::HexStringToBytes(hex);
}

absl::StatusOr<Query> ParseHashes(const v1::Hashes& hashes) {
  Query query;
  if (hashes.pdq_size() > MatchPipeline::kMaxPdqHashes) {
    return absl::InvalidArgumentError(
        absl::StrCat("hashes.pdq: ", hashes.pdq_size(), " hashes; at most ",
                     MatchPipeline::kMaxPdqHashes));
  }
  if (hashes.vpdq_size() > MatchPipeline::kMaxVpdqFrames) {
    return absl::InvalidArgumentError(
        absl::StrCat("hashes.vpdq: ", hashes.vpdq_size(), " frames; at most ",
                     MatchPipeline::kMaxVpdqFrames));
  }
  if (hashes.pdq_size() > 0 && hashes.vpdq_size() > 0) {
    return absl::InvalidArgumentError(
        "hashes: pdq (an image) and vpdq (a video) are exclusive");
  }
  for (int i = 0; i < hashes.pdq_size(); ++i) {
    const v1::PdqHashValue& value = hashes.pdq(i);
    const std::string key = absl::StrCat("hashes.pdq[", i, "]");
    QueryPdq q;
    absl::StatusOr<PdqHash> hash = PdqHash::FromHex(value.hash());
    if (!hash.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".hash: ", hash.status().message()));
    }
    q.hash = *hash;
    if (value.quality() < 0 || value.quality() > 100) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".quality: ", value.quality(), " is outside 0..100"));
    }
    q.quality = value.quality();
    absl::StatusOr<DihedralTransform> transform =
        ParseTransform(value.transform());
    if (!transform.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".transform: ", transform.status().message()));
    }
    q.transform = *transform;
    query.pdq.push_back(q);
  }
  for (int i = 0; i < hashes.vpdq_size(); ++i) {
    const v1::VpdqFrameHash& value = hashes.vpdq(i);
    const std::string key = absl::StrCat("hashes.vpdq[", i, "]");
    VpdqFeature feature;
    absl::StatusOr<PdqHash> hash = PdqHash::FromHex(value.hash());
    if (!hash.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".hash: ", hash.status().message()));
    }
    feature.hash = *hash;
    if (value.quality() < 0 || value.quality() > 100) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".quality: ", value.quality(), " is outside 0..100"));
    }
    if (value.frame_number() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".frame_number: ", value.frame_number(), " is negative"));
    }
    if (!std::isfinite(value.seconds()) || value.seconds() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".seconds: ", value.seconds(), " is not a finite time >= 0"));
    }
    feature.quality = value.quality();
    feature.frame_number = value.frame_number();
    feature.seconds = value.seconds();
    query.frames.push_back(feature);
  }
  CM_ASSIGN_OR_RETURN(query.md5, DigestFromHex("md5", hashes.md5(), 16));
  CM_ASSIGN_OR_RETURN(query.sha1, DigestFromHex("sha1", hashes.sha1(), 20));
  CM_ASSIGN_OR_RETURN(query.sha256,
                      DigestFromHex("sha256", hashes.sha256(), 32));
  if (query.pdq.empty() && query.frames.empty() && query.md5.empty() &&
      query.sha1.empty() && query.sha256.empty()) {
    return absl::InvalidArgumentError("hashes: no hash given");
  }
  return query;
}

bool DihedralAllowed(v1::CheckOptions::Dihedral option,
                     const BankPolicy& bank) {
  return option == v1::CheckOptions::DIHEDRAL_ON ||
         (option == v1::CheckOptions::DIHEDRAL_DEFAULT && bank.dihedral);
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrFormat("%016x", rng());
}

// Severity first, then the closest match.
bool Better(const v1::Match& a, const v1::Match& b) {
  if (a.decision() != b.decision()) {
    return MoreSevere(a.decision(), b.decision()) == a.decision();
  }
  return a.distance() < b.distance();
}

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

// The policy of `entry`'s bank (VerdictPolicy takes an absl::string_view,
// which is not std::string_view in our Abseil).
const BankPolicy& PolicyOf(const VerdictPolicy& policy,
                           const EntryView& entry) {
  return policy.ForBank(
      absl::string_view(entry.bank.data(), entry.bank.size()));
}

// The matches of one request, best per index entry.
class MatchSet {
 public:
  MatchSet(const IndexSnapshot& snapshot, const VerdictPolicy& policy)
      : snapshot_(snapshot), policy_(policy) {}

  // A match with `entry`'s identity and its bank's shadow flag.
  v1::Match NewMatch(EntryRef ref, v1::Decision decision, int distance) const {
    const EntryView entry = snapshot_.entry(ref);
    v1::Match match;
    match.set_bank(std::string(entry.bank));
    match.set_entry_id(std::string(entry.entry_id));
    match.set_hash_type(std::string(HashTypeName(entry.type)));
    match.set_category(std::string(entry.category));
    match.set_source_feed(std::string(entry.source_feed));
    match.set_distance(distance);
    match.set_decision(decision);
    match.set_shadow(PolicyOf(policy_, entry).shadow);
    return match;
  }

  void Offer(EntryRef ref, v1::Match match) {
    auto [it, inserted] = best_.try_emplace(ref, match);
    if (!inserted && Better(match, it->second)) it->second = std::move(match);
  }

  absl::flat_hash_map<EntryRef, v1::Match>& best() { return best_; }

 private:
  const IndexSnapshot& snapshot_;
  const VerdictPolicy& policy_;
  absl::flat_hash_map<EntryRef, v1::Match> best_;
};

}  // namespace

absl::Status MatchPipeline::ValidateRequest(const v1::CheckRequest& request,
                                            uint64_t max_request_bytes) {
  if (request.context() != v1::UPLOAD && request.context() != v1::RESCAN) {
    return absl::InvalidArgumentError(
        absl::StrCat("context: ", request.context(),
                     " is not a known context (UPLOAD = 1 or RESCAN = 2)"));
  }
  if (request.content_id().size() > kMaxContentIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("content_id: ", request.content_id().size(),
                     " bytes; at most ", kMaxContentIdBytes));
  }
  const bool has_media = !request.media().empty();
  if (has_media && request.has_hashes()) {
    return absl::InvalidArgumentError(
        "both media and hashes are set; send exactly one");
  }
  if (!has_media && !request.has_hashes()) {
    return absl::InvalidArgumentError(
        "no payload: set media (the file's bytes) or hashes");
  }
  const uint64_t size = request.ByteSizeLong();
  if (size > max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request is ", size, " bytes, over the limit of ",
                     max_request_bytes, "; send large media with CheckUpload"));
  }
  if (request.has_hashes()) return ParseHashes(request.hashes()).status();
  return absl::OkStatus();
}

absl::StatusOr<v1::CheckResponse> MatchPipeline::Check(
    const v1::CheckRequest& request, absl::Time deadline,
    absl::FunctionRef<bool()> cancelled) const {
  auto check_alive = [&]() -> absl::Status {
    if (cancelled()) return absl::CancelledError("the client cancelled");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError("the request deadline passed");
    }
    return absl::OkStatus();
  };
  const v1::CheckOptions::Dihedral dihedral = request.options().dihedral();
  v1::CheckResponse response;
  response.set_content_id(request.content_id());
  response.set_request_id(NewRequestId());
  Query query;
  if (!request.media().empty()) {
    if (options_.before_decode) options_.before_decode();
    CM_RETURN_IF_ERROR(check_alive());
    const absl::Time start = absl::Now();
    MediaFingerprinter::Options fo;
    fo.image_limits = options_.image_limits;
    fo.dihedral = dihedral == v1::CheckOptions::DIHEDRAL_ON ||
                  (dihedral == v1::CheckOptions::DIHEDRAL_DEFAULT &&
                   policy_.AnyDihedral());
    fo.video.limits = options_.video_limits;
    // Video decoding stops at the request's deadline.
    fo.video.limits.max_wall_time =
        std::min(fo.video.limits.max_wall_time, deadline - start);
    CM_ASSIGN_OR_RETURN(std::unique_ptr<MediaFingerprinter> fingerprinter,
                        MediaFingerprinter::Create(fo));
    const std::string& media = request.media();
    absl::StatusOr<MediaFingerprint> fp =
        fingerprinter->Fingerprint(absl::MakeConstSpan(
            reinterpret_cast<const uint8_t*>(media.data()), media.size()));
    metrics_.ObserveStageSeconds("decode_hash",
                                 absl::ToDoubleSeconds(absl::Now() - start));
    if (!fp.ok()) {
      // Over-limit media is the caller's fault, not an overload: never
      // answer RESOURCE_EXHAUSTED (which clients retry) for it.
      if (absl::IsResourceExhausted(fp.status())) {
        return absl::InvalidArgumentError(
            absl::StrCat("media over a limit: ", fp.status().message()));
      }
      return fp.status();
    }
    response.set_media_format(std::string(MediaFormatName(fp->format)));
    v1::Hashes* computed = response.mutable_hashes();
    computed->set_md5(fp->digests.md5);
    computed->set_sha1(fp->digests.sha1);
    computed->set_sha256(fp->digests.sha256);
    query.md5 = absl::HexStringToBytes(fp->digests.md5);
    query.sha1 = absl::HexStringToBytes(fp->digests.sha1);
    query.sha256 = absl::HexStringToBytes(fp->digests.sha256);
    if (fp->pdq) {
      const int variants = fo.dihedral ? kDihedralCount : 1;
      for (int i = 0; i < variants; ++i) {
        const auto transform = static_cast<DihedralTransform>(i);
        query.pdq.push_back({fp->pdq->hashes[i], fp->pdq->quality, transform});
        v1::PdqHashValue* value = computed->add_pdq();
        value->set_hash(fp->pdq->hashes[i].ToHex());
        value->set_quality(fp->pdq->quality);
        value->set_transform(std::string(DihedralTransformName(transform)));
      }
    }
    if (fp->vpdq) {
      query.frames = std::move(fp->vpdq->features);
      for (const VpdqFeature& feature : query.frames) {
        v1::VpdqFrameHash* frame = computed->add_vpdq();
        frame->set_frame_number(feature.frame_number);
        frame->set_quality(feature.quality);
        frame->set_hash(feature.hash.ToHex());
        frame->set_seconds(feature.seconds);
      }
    }
  } else {
    CM_ASSIGN_OR_RETURN(query, ParseHashes(request.hashes()));
  }
  CM_RETURN_IF_ERROR(check_alive());

  const absl::Time search_start = absl::Now();
  std::shared_ptr<const IndexSnapshot> snapshot = holder_.Current();
  if (snapshot == nullptr) {
    return absl::UnavailableError(
        "no index loaded yet (the first feed sync has not finished)");
  }
  response.set_snapshot_version(snapshot->version());
  const v1::Context context = request.context();
  const int radius = policy_.SearchDistance();
  MatchSet matches(*snapshot, policy_);

  // Image: every PDQ entry near the hash or an allowed variant.
  if (!query.pdq.empty()) {
    std::vector<PdqHash> hashes;
    for (const QueryPdq& q : query.pdq) hashes.push_back(q.hash);
    CM_ASSIGN_OR_RETURN(std::vector<PdqHit> hits,
                        snapshot->SearchPdq(hashes, radius));
    for (const PdqHit& hit : hits) {
      const QueryPdq& q = query.pdq[hit.query];
      const BankPolicy& bank = PolicyOf(policy_, snapshot->entry(hit.entry));
      if (q.transform != DihedralTransform::kOriginal &&
          !DihedralAllowed(dihedral, bank)) {
        continue;
      }
      const v1::Decision decision =
          VerdictPolicy::DecidePdq(context, bank, hit.distance, q.quality);
      if (decision == v1::ALLOW) continue;
      v1::Match match = matches.NewMatch(hit.entry, decision, hit.distance);
      match.set_transform(std::string(DihedralTransformName(q.transform)));
      matches.Offer(hit.entry, std::move(match));
    }
  }

  // Video: frames near PDQ entries (an image seen in the video), and whole
  // vPDQ entries by the per-video percentages.
  if (!query.frames.empty()) {
    std::vector<PdqHash> hashes;
    for (const VpdqFeature& f : query.frames) hashes.push_back(f.hash);
    CM_ASSIGN_OR_RETURN(std::vector<PdqHit> hits,
                        snapshot->SearchPdq(hashes, radius));
    absl::flat_hash_map<EntryRef, bool> image_entries;
    for (const PdqHit& hit : hits) {
      const VpdqFeature& frame = query.frames[hit.query];
      const BankPolicy& bank = PolicyOf(policy_, snapshot->entry(hit.entry));
      const v1::Decision decision =
          VerdictPolicy::DecidePdq(context, bank, hit.distance, frame.quality);
      if (decision == v1::ALLOW) continue;
      v1::Match match = matches.NewMatch(hit.entry, decision, hit.distance);
      match.set_transform("original");
      matches.Offer(hit.entry, std::move(match));
      image_entries[hit.entry] = true;
    }
    for (const auto& [ref, unused] : image_entries) {
      const EntryView entry = snapshot->entry(ref);
      VpdqMatchOptions options;
      options.min_quality = 0;
      options.max_distance = PolicyOf(policy_, entry).review_distance;
      AddRanges(MatchImageToVpdq(entry.pdq, 100, query.frames, options).ranges,
                matches.best()[ref].mutable_query_ranges());
    }

    CM_ASSIGN_OR_RETURN(std::vector<FrameHit> frame_hits,
                        snapshot->SearchVideoFrames(hashes, radius));
    absl::flat_hash_map<EntryRef, int> video_entries;  // -> best distance
    for (const FrameHit& hit : frame_hits) {
      auto [it, inserted] = video_entries.try_emplace(hit.entry, hit.distance);
      if (!inserted) it->second = std::min(it->second, hit.distance);
    }
    for (const auto& [ref, distance] : video_entries) {
      const EntryView entry = snapshot->entry(ref);
      const BankPolicy& bank = PolicyOf(policy_, entry);
      const std::vector<VpdqFeature> target = EntryFeatures(entry);
      VpdqMatchOptions options;
      options.min_quality = bank.min_quality;
      options.max_distance = bank.auto_distance;
      options.query_pct_threshold = bank.vpdq_query_pct;
      options.target_pct_threshold = bank.vpdq_target_pct;
      VpdqMatchResult result = MatchVpdq(query.frames, target, options);
      v1::Decision decision = VerdictPolicy::Action(context, bank);
      if (!result.is_match) {
        options.max_distance = bank.review_distance;
        result = MatchVpdq(query.frames, target, options);
        decision = result.is_match ? v1::REVIEW : v1::ALLOW;
      }
      if (decision == v1::ALLOW) continue;
      v1::Match match = matches.NewMatch(ref, decision, distance);
      match.set_query_pct(result.query_pct);
      match.set_target_pct(result.target_pct);
      AddRanges(result.query_ranges, match.mutable_query_ranges());
      AddRanges(result.target_ranges, match.mutable_target_ranges());
      matches.Offer(ref, std::move(match));
    }
  }

  // Exact digests.
  const std::pair<HashType, const std::string*> digests[] = {
      {HashType::kMd5, &query.md5},
      {HashType::kSha1, &query.sha1},
      {HashType::kSha256, &query.sha256}};
  for (const auto& [type, digest] : digests) {
    if (digest->empty()) continue;
    CM_ASSIGN_OR_RETURN(std::vector<EntryRef> refs,
                        snapshot->LookupExact(type, *digest));
    for (EntryRef ref : refs) {
      const BankPolicy& bank = PolicyOf(policy_, snapshot->entry(ref));
      const v1::Decision decision = VerdictPolicy::Action(context, bank);
      if (decision == v1::ALLOW) continue;
      matches.Offer(ref, matches.NewMatch(ref, decision, 0));
    }
  }

  std::vector<v1::Match> sorted;
  sorted.reserve(matches.best().size());
  for (auto& [ref, match] : matches.best()) sorted.push_back(std::move(match));
  std::sort(
      sorted.begin(), sorted.end(), [](const v1::Match& a, const v1::Match& b) {
        if (a.decision() != b.decision() || a.distance() != b.distance()) {
          return Better(a, b);
        }
        return std::tie(a.bank(), a.entry_id(), a.hash_type()) <
               std::tie(b.bank(), b.entry_id(), b.hash_type());
      });
  // What the content was matched on (for the allowlist and the review log).
  const v1::Hashes& query_hashes =
      request.media().empty() ? request.hashes() : response.hashes();
  if (reviewer_ != nullptr) reviewer_->RemoveAllowlisted(query_hashes, sorted);
  v1::Decision decision = v1::ALLOW;
  for (v1::Match& match : sorted) {
    metrics_.CountVerdict(match.bank(), match.decision(), match.shadow());
    if (!match.shadow()) decision = MoreSevere(decision, match.decision());
    *response.add_matches() = std::move(match);
  }
  response.set_decision(decision);
  metrics_.CountDecision(decision);
  metrics_.ObserveStageSeconds(
      "search", absl::ToDoubleSeconds(absl::Now() - search_start));
  if (reviewer_ != nullptr) reviewer_->Record(request, query_hashes, response);
  if (request.options().omit_hashes()) response.clear_hashes();
  return response;
}

}  // namespace clearmatch
