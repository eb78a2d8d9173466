// Building a Query from a caller's hashes (validated) or a fingerprint.
#include "matching/query.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// `status`'s message prefixed by the field it is about.
absl::Status InField(absl::string_view key, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", status.message()));
}

absl::StatusOr<PdqHash> ParsePdq(absl::string_view key,
                                 const std::string& hex) {
  absl::StatusOr<PdqHash> hash = PdqHash::FromHex(hex);
  if (!hash.ok()) return InField(absl::StrCat(key, ".hash"), hash.status());
  return *hash;
}

absl::Status CheckQuality(absl::string_view key, int quality) {
  if (quality >= 0 && quality <= 100) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(key, ".quality: ", quality, " is outside 0..100"));
}

absl::StatusOr<QueryPdq> ParsePdqValue(int i, const v1::PdqHashValue& value) {
  const std::string key = absl::StrCat("hashes.pdq[", i, "]");
  QueryPdq q;
  CM_ASSIGN_OR_RETURN(q.hash, ParsePdq(key, value.hash()));
  q.quality = QueryPdq::kUnknownQuality;
  if (value.has_quality()) {
    CM_RETURN_IF_ERROR(CheckQuality(key, value.quality()));
    q.quality = value.quality();
  }
  absl::StatusOr<HashVariant> variant = ParseHashVariant(value.transform());
  if (!variant.ok()) {
    return InField(absl::StrCat(key, ".transform"), variant.status());
  }
  q.transform = variant->transform;
  q.trimmed = variant->trimmed;
  return q;
}

// Appends `frame` to the query's frames of `variant`.
void AddFrame(const HashVariant& variant, const VpdqFeature& frame,
              Query& query) {
  if (variant == HashVariant{}) {
    query.frames.push_back(frame);
    return;
  }
  for (QueryFrameVariant& v : query.frame_variants) {
    if (v.variant == variant) {
      v.frames.push_back(frame);
      return;
    }
  }
  query.frame_variants.push_back({variant, {frame}});
}

absl::StatusOr<HashVariant> ParseFrameVariant(int i,
                                              const v1::VpdqFrameHash& value) {
  absl::StatusOr<HashVariant> variant = ParseHashVariant(value.transform());
  if (!variant.ok()) {
    return InField(absl::StrCat("hashes.vpdq[", i, "].transform"),
                   variant.status());
  }
  return *variant;
}

absl::StatusOr<VpdqFeature> ParseFrame(int i, const v1::VpdqFrameHash& value) {
  const std::string key = absl::StrCat("hashes.vpdq[", i, "]");
  VpdqFeature feature;
  CM_ASSIGN_OR_RETURN(feature.hash, ParsePdq(key, value.hash()));
  CM_RETURN_IF_ERROR(CheckQuality(key, value.quality()));
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
  return feature;
}

// Raw bytes of a hex digest of `length` bytes; empty stays empty.
absl::StatusOr<std::string> ParseDigest(absl::string_view field,
                                        const std::string& hex, size_t length) {
  if (hex.empty()) return std::string();
  return ParseHexBytes(hex, length, absl::StrCat("hashes.", field));
}

absl::Status CheckCounts(const v1::Hashes& hashes) {
  if (hashes.pdq_size() > Query::kMaxPdqHashes) {
    return absl::InvalidArgumentError(
        absl::StrCat("hashes.pdq: ", hashes.pdq_size(), " hashes; at most ",
                     Query::kMaxPdqHashes));
  }
  if (hashes.vpdq_size() > Query::kMaxVpdqFrames) {
    return absl::InvalidArgumentError(
        absl::StrCat("hashes.vpdq: ", hashes.vpdq_size(), " frames; at most ",
                     Query::kMaxVpdqFrames));
  }
  if (hashes.pdq_size() > 0 && hashes.vpdq_size() > 0) {
    return absl::InvalidArgumentError(
        "hashes: pdq (an image) and vpdq (a video) are exclusive");
  }
  return absl::OkStatus();
}

void AddFrameHash(const VpdqFeature& feature, const std::string& transform,
                  v1::Hashes& hashes) {
  v1::VpdqFrameHash* frame = hashes.add_vpdq();
  frame->set_frame_number(feature.frame_number);
  frame->set_quality(feature.quality);
  frame->set_hash(feature.hash.ToHex());
  frame->set_seconds(feature.seconds);
  if (!transform.empty()) frame->set_transform(transform);
}

}  // namespace

absl::StatusOr<Query> Query::FromHashes(const v1::Hashes& hashes) {
  CM_RETURN_IF_ERROR(CheckCounts(hashes));
  Query query;
  for (int i = 0; i < hashes.pdq_size(); ++i) {
    CM_ASSIGN_OR_RETURN(QueryPdq q, ParsePdqValue(i, hashes.pdq(i)));
    query.pdq.push_back(q);
  }
  query.frames.reserve(hashes.vpdq_size());
  for (int i = 0; i < hashes.vpdq_size(); ++i) {
    CM_ASSIGN_OR_RETURN(VpdqFeature frame, ParseFrame(i, hashes.vpdq(i)));
    CM_ASSIGN_OR_RETURN(HashVariant variant,
                        ParseFrameVariant(i, hashes.vpdq(i)));
    AddFrame(variant, frame, query);
  }
  CM_ASSIGN_OR_RETURN(query.md5, ParseDigest("md5", hashes.md5(), 16));
  CM_ASSIGN_OR_RETURN(query.sha1, ParseDigest("sha1", hashes.sha1(), 20));
  CM_ASSIGN_OR_RETURN(query.sha256, ParseDigest("sha256", hashes.sha256(), 32));
  if (query.pdq.empty() && query.frames.empty() && query.md5.empty() &&
      query.sha1.empty() && query.sha256.empty()) {
    return absl::InvalidArgumentError("hashes: no hash given");
  }
  return query;
}

Query Query::FromFingerprint(const MediaFingerprint& fingerprint,
                             bool dihedral) {
  Query query;
  // The fingerprinter's digests are well-formed hex of these lengths.
  query.md5 = ParseHexBytes(fingerprint.digests.md5, 16, "md5").value_or("");
  query.sha1 = ParseHexBytes(fingerprint.digests.sha1, 20, "sha1").value_or("");
  query.sha256 =
      ParseHexBytes(fingerprint.digests.sha256, 32, "sha256").value_or("");
  const int variants = dihedral ? kDihedralCount : 1;
  if (fingerprint.pdq) {
    for (int i = 0; i < variants; ++i) {
      query.pdq.push_back({fingerprint.pdq->hashes[i], fingerprint.pdq->quality,
                           static_cast<DihedralTransform>(i)});
    }
  }
  for (const std::optional<PdqDihedralResult>* trimmed :
       {&fingerprint.trimmed_pdq, &fingerprint.alternative_pdq}) {
    if (!*trimmed) continue;
    for (int i = 0; i < variants; ++i) {
      query.pdq.push_back({(*trimmed)->hashes[i], (*trimmed)->quality,
                           static_cast<DihedralTransform>(i),
                           /*trimmed=*/true});
    }
  }
  if (fingerprint.vpdq) {
    query.frames = fingerprint.vpdq->features;
    for (const VpdqFrameVariant& v : fingerprint.vpdq->variants) {
      if (v.transform != DihedralTransform::kOriginal && !dihedral) continue;
      query.frame_variants.push_back({{v.transform, v.trimmed}, v.features});
    }
  }
  return query;
}

v1::Hashes Query::ToHashes() const {
  v1::Hashes hashes;
  hashes.set_md5(BytesToHex(md5));
  hashes.set_sha1(BytesToHex(sha1));
  hashes.set_sha256(BytesToHex(sha256));
  for (const QueryPdq& q : pdq) {
    v1::PdqHashValue* value = hashes.add_pdq();
    value->set_hash(q.hash.ToHex());
    if (q.quality != QueryPdq::kUnknownQuality) value->set_quality(q.quality);
    value->set_transform(HashVariantName(q.variant()));
  }
  for (const VpdqFeature& feature : frames) AddFrameHash(feature, "", hashes);
  // One list per name: a caller's frames of one name are one list (a
  // video's further readings of its bars stay out).
  std::vector<std::string> named;
  for (const QueryFrameVariant& v : frame_variants) {
    if (v.variant.transform != DihedralTransform::kOriginal) continue;
    const std::string name = HashVariantName(v.variant);
    if (absl::c_linear_search(named, name)) continue;
    named.push_back(name);
    for (const VpdqFeature& feature : v.frames) {
      AddFrameHash(feature, name, hashes);
    }
  }
  return hashes;
}

}  // namespace clearmatch
