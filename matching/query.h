// Query: everything one piece of content is matched on, built once, either
// from the hashes a caller sent (FromHashes, which validates them) or from
// the fingerprint of its media (FromFingerprint).
//
//   CM_ASSIGN_OR_RETURN(Query query, Query::FromHashes(request.hashes()));
//   Query query = Query::FromFingerprint(fingerprint, /*dihedral=*/true);
//   v1::Hashes shown = query.ToHashes();   // what the response reports
//
// A value type; copyable.
#ifndef CLEARMATCH_MATCHING_QUERY_H_
#define CLEARMATCH_MATCHING_QUERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clearmatch/v1/matcher.pb.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/hash_variant.h"
#include "hashing/pdq_hash.h"
#include "hashing/pdq_hasher.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch {

// A PDQ hash to look up, with what it is of.
struct QueryPdq {
  // The quality of a caller's hash sent without one.
  static constexpr int kUnknownQuality = -1;

  PdqHash hash;
  int quality = 0;  // 0..100, or kUnknownQuality
  DihedralTransform transform = DihedralTransform::kOriginal;
  // Of the content with its uniform borders trimmed (a dihedral variant of
  // it when `transform` is not kOriginal).
  bool trimmed = false;

  HashVariant variant() const { return {transform, trimmed}; }
};

// A video's frames as one variant (rotated, mirrored and/or trimmed of its
// letterbox bars), matched beside the frames as decoded.
struct QueryFrameVariant {
  HashVariant variant;
  // From a fingerprint: aligned with Query::frames (same frame numbers and
  // seconds); from a caller: the frames it sent with this transform.
  std::vector<VpdqFeature> frames;
};

struct Query {
  // Most PDQ hashes (an image and its 7 variants, and the same of its
  // trimmed content in each of its two readings) and vPDQ frames a caller
  // may send.
  static constexpr int kMaxPdqHashes = 24;
  static constexpr int kMaxVpdqFrames = 100000;

  // INVALID_ARGUMENT naming the field ("hashes.pdq[1].quality: ...") of
  // the first bad value, over a limit, image and video hashes together, or
  // no hash at all.
  static absl::StatusOr<Query> FromHashes(const v1::Hashes& hashes);
  // The digests, the PDQ hash (all 8 variants when `dihedral`, which needs
  // a fingerprint made with them; the same of the trimmed content when the
  // fingerprint has it) or the video's frames (with their trimmed variants
  // when the fingerprint has them, and their dihedral variants when
  // `dihedral`).
  static Query FromFingerprint(const MediaFingerprint& fingerprint,
                               bool dihedral);

  // The same hashes in the wire format (hex digests). Frame variants: only
  // the trimmed frames ("trimmed"), not their rotations and mirrors.
  v1::Hashes ToHashes() const;

  std::vector<QueryPdq> pdq;        // image
  std::vector<VpdqFeature> frames;  // video, as decoded ("original")
  std::vector<QueryFrameVariant> frame_variants;  // video, other variants
  std::string md5, sha1, sha256;  // raw digest bytes; empty if unknown
};

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_QUERY_H_
