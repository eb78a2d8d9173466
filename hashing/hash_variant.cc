// The names of query hash variants (see hash_variant.h).
#include "hashing/hash_variant.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace clearmatch {

std::string HashVariantName(const HashVariant& variant) {
  const std::string_view transform = DihedralTransformName(variant.transform);
  if (!variant.trimmed) return std::string(transform);
  if (variant.transform == DihedralTransform::kOriginal) return "trimmed";
  return absl::StrCat("trimmed+",
                      absl::string_view(transform.data(), transform.size()));
}

absl::StatusOr<HashVariant> ParseHashVariant(absl::string_view name) {
  HashVariant variant;
  absl::string_view transform = name;
  if (transform == "trimmed") {
    variant.trimmed = true;
    return variant;
  }
  if (absl::ConsumePrefix(&transform, "trimmed+")) variant.trimmed = true;
  if (transform.empty() && !variant.trimmed) return variant;
  for (int i = 0; i < kDihedralCount; ++i) {
    const auto t = static_cast<DihedralTransform>(i);
    if (DihedralTransformName(t) ==
        std::string_view(transform.data(), transform.size())) {
      variant.transform = t;
      return variant;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown transform \"", name.substr(0, 40),
      "\" (original, rot90, rot180, rot270, flipx, flipy, flipplus1, "
      "flipminus1, trimmed, or trimmed+ one of those)"));
}

}  // namespace clearmatch
