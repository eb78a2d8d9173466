// Text form of vPDQ features (see vpdq_feature.h).
#include "hashing/vpdq_feature.h"

#include <cmath>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace clearmatch {

std::string FormatVpdqFeature(const VpdqFeature& feature) {
  char seconds[64];
  std::snprintf(seconds, sizeof(seconds), "%.3f", feature.seconds);
  return absl::StrCat(feature.frame_number, ",", feature.quality, ",",
                      feature.hash.ToHex(), ",", seconds);
}

std::string FormatVpdqFeatures(const std::vector<VpdqFeature>& features) {
  std::string out;
  for (const VpdqFeature& feature : features) {
    absl::StrAppend(&out, FormatVpdqFeature(feature), "\n");
  }
  return out;
}

absl::StatusOr<VpdqFeature> ParseVpdqFeature(std::string_view text) {
  // Our Abseil's string_view is its own type, not std::string_view.
  const absl::string_view line =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  const std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
  if (fields.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("vPDQ line must have 4 comma-separated fields "
                     "(frame,quality,hash,seconds), got ",
                     fields.size()));
  }
  VpdqFeature feature;
  if (!absl::SimpleAtoi(fields[0], &feature.frame_number) ||
      feature.frame_number < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("vPDQ frame number must be a non-negative integer, got '",
                     fields[0], "'"));
  }
  if (!absl::SimpleAtoi(fields[1], &feature.quality) || feature.quality < 0 ||
      feature.quality > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "vPDQ quality must be an integer in 0..100, got '", fields[1], "'"));
  }
  absl::StatusOr<PdqHash> hash =
      PdqHash::FromHex(std::string_view(fields[2].data(), fields[2].size()));
  if (!hash.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("vPDQ hash: ", hash.status().message()));
  }
  feature.hash = *hash;
  if (!absl::SimpleAtod(fields[3], &feature.seconds) ||
      !std::isfinite(feature.seconds) || feature.seconds < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "vPDQ seconds must be a finite number >= 0, got '", fields[3], "'"));
  }
  return feature;
}

absl::StatusOr<std::vector<VpdqFeature>> ParseVpdqFeatures(
    std::string_view text) {
  std::vector<VpdqFeature> features;
  int line_number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    absl::StatusOr<VpdqFeature> feature =
        ParseVpdqFeature(std::string_view(line.data(), line.size()));
    if (!feature.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", feature.status().message()));
    }
    features.push_back(*feature);
  }
  return features;
}

}  // namespace clearmatch
