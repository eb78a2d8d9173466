// HashVariant: what a query hash is of, the media as given or a variant of
// it: rotated or mirrored (a dihedral transform), with its borders trimmed,
// or both; and its name on the wire (PdqHashValue.transform,
// VpdqFrameHash.transform, Match.transform):
//
//   "original", "rot90", ..., "flipminus1"    a dihedral transform
//   "trimmed", "trimmed+flipx", ...           trimmed, then transformed
//
//   CM_ASSIGN_OR_RETURN(HashVariant v, ParseHashVariant("trimmed+rot90"));
//   std::string name = HashVariantName(v);   // "trimmed+rot90"
//
// Pure functions, thread-safe.
#ifndef CLEARMATCH_HASHING_HASH_VARIANT_H_
#define CLEARMATCH_HASHING_HASH_VARIANT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hashing/pdq_hasher.h"

namespace clearmatch {

struct HashVariant {
  DihedralTransform transform = DihedralTransform::kOriginal;
  bool trimmed = false;

  friend bool operator==(const HashVariant&, const HashVariant&) = default;
};

// "original" for the untransformed, untrimmed media.
std::string HashVariantName(const HashVariant& variant);

// The inverse of HashVariantName; "" is "original" and "trimmed+original"
// is "trimmed". INVALID_ARGUMENT naming the unknown name (cut to 40 bytes).
absl::StatusOr<HashVariant> ParseHashVariant(absl::string_view name);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_HASH_VARIANT_H_
