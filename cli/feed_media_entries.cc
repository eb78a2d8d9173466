// Media files to feed entries (see feed_media_entries.h).
#include "cli/feed_media_entries.h"

#include <filesystem>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/input_reader.h"
#include "common/hex.h"
#include "common/status_macros.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/vpdq_matcher.h"

namespace clearmatch::cli {
namespace {

// `status` with a message that names `file` (most I/O errors do already).
absl::Status Prefixed(absl::string_view file, const absl::Status& status) {
  if (absl::StrContains(status.message(), file)) return status;
  return absl::Status(status.code(),
                      absl::StrCat(file, ": ", status.message()));
}

// The entry of `file` for `type`, content left to the caller.
HashEntry NamedEntry(const std::string& name, HashType type,
                     const MediaEntryOptions& options) {
  HashEntry entry;
  entry.type = type;
  entry.entry_id = absl::StrCat(name, "-", std::string(HashTypeName(type)));
  entry.bank = options.bank;
  entry.category = options.category;
  entry.added_at = options.added_at;
  return entry;
}

// Whether trimming moved `trimmed` away from `whole`: a thin frame line
// trimmed off leaves a hash that matches wherever the whole one does, and
// an entry of it would only repeat the whole one's matches.
bool TrimmingMatters(const PdqHash& whole, const PdqHash& trimmed) {
  return whole.DistanceTo(trimmed) > PdqHash::kMatchDistance;
}

// The frames of the video with its letterbox bars trimmed, when some
// sampled frame had bars that matter.
const std::vector<VpdqFeature>* TrimmedFrames(const VpdqVideoHash& video) {
  const std::vector<VpdqFeature>* trimmed = video.TrimmedFeatures();
  if (trimmed == nullptr) return nullptr;
  for (size_t i = 0; i < trimmed->size(); ++i) {
    if (TrimmingMatters(video.features[i].hash, (*trimmed)[i].hash)) {
      return trimmed;
    }
  }
  return nullptr;
}

// The perceptual entries of one file: its PDQ or vPDQ, and the same of its
// content inside uniform borders or bars when it has some ("-trimmed").
absl::StatusOr<std::vector<HashEntry>> PerceptualEntries(
    const std::string& name, const MediaFingerprint& fingerprint,
    const MediaEntryOptions& options) {
  std::vector<HashEntry> entries;
  if (fingerprint.vpdq.has_value()) {
    HashEntry video = NamedEntry(name, HashType::kVpdq, options);
    CM_ASSIGN_OR_RETURN(video.frames,
                        BankFrames(fingerprint.vpdq->features, "video"));
    entries.push_back(std::move(video));
    const std::vector<VpdqFeature>* trimmed = TrimmedFrames(*fingerprint.vpdq);
    absl::StatusOr<std::vector<VpdqFrame>> frames =
        trimmed ? BankFrames(*trimmed, "trimmed") : absl::NotFoundError("");
    if (frames.ok()) {  // else no trimmed frame is reliable: no entry
      HashEntry content = NamedEntry(name, HashType::kVpdq, options);
      content.entry_id += kTrimmedEntrySuffix;
      content.frames = *std::move(frames);
      entries.push_back(std::move(content));
    }
  } else if (fingerprint.pdq.has_value()) {
    HashEntry image = NamedEntry(name, HashType::kPdq, options);
    image.pdq = fingerprint.pdq->hashes[0];
    entries.push_back(std::move(image));
    if (fingerprint.trimmed_pdq.has_value() &&
        TrimmingMatters(image.pdq, fingerprint.trimmed_pdq->hashes[0])) {
      HashEntry content = NamedEntry(name, HashType::kPdq, options);
      content.entry_id += kTrimmedEntrySuffix;
      content.pdq = fingerprint.trimmed_pdq->hashes[0];
      entries.push_back(std::move(content));
    }
  } else {
    return absl::InvalidArgumentError("neither an image nor a video");
  }
  return entries;
}

// The perceptual entries and the MD5 entry of one file.
absl::StatusOr<std::vector<HashEntry>> FileEntries(
    const std::string& file, MediaFingerprinter& fingerprinter,
    const MediaEntryOptions& options) {
  CM_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                      ReadInput(file, fingerprinter.max_input_bytes()));
  CM_ASSIGN_OR_RETURN(MediaFingerprint fingerprint,
                      fingerprinter.Fingerprint(bytes));
  const std::string name = std::filesystem::path(file).filename().string();
  CM_ASSIGN_OR_RETURN(std::vector<HashEntry> entries,
                      PerceptualEntries(name, fingerprint, options));
  HashEntry md5 = NamedEntry(name, HashType::kMd5, options);
  CM_ASSIGN_OR_RETURN(md5.digest,
                      ParseHexBytes(fingerprint.digests.md5, 16, "md5"));
  entries.push_back(std::move(md5));
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<VpdqFrame>> BankFrames(
    const std::vector<VpdqFeature>& features, absl::string_view what) {
  const int min_quality = VpdqMatchOptions().min_quality;
  std::vector<VpdqFrame> frames;
  frames.reserve(features.size());
  for (const VpdqFeature& feature : features) {
    if (feature.quality < min_quality) continue;
    if (feature.frame_number > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": frame number ", feature.frame_number,
                       " does not fit in 32 bits"));
    }
    frames.push_back({feature.hash, static_cast<int32_t>(feature.frame_number),
                      feature.seconds});
  }
  if (frames.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": no frames of quality >= ", min_quality, " (of ",
                     features.size(), " hashed)"));
  }
  return frames;
}

absl::StatusOr<std::vector<FeedEntry>> MediaFeedEntries(
    const std::vector<std::string>& files, const MediaEntryOptions& options) {
  MediaFingerprinter::Options fingerprint_options;
  fingerprint_options.trim = true;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<MediaFingerprinter> fingerprinter,
                      MediaFingerprinter::Create(fingerprint_options));
  std::map<std::string, std::string> file_of_name;
  std::vector<FeedEntry> out;
  for (const std::string& file : files) {
    const std::string name = std::filesystem::path(file).filename().string();
    auto [it, inserted] = file_of_name.emplace(name, file);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": same file name as ", it->second,
                       " (entry ids are \"<file name>-<hash type>\")"));
    }
    absl::StatusOr<std::vector<HashEntry>> entries =
        FileEntries(file, *fingerprinter, options);
    if (!entries.ok()) return Prefixed(file, entries.status());
    for (const HashEntry& entry : *entries) {
      absl::StatusOr<FeedEntry> feed_entry = FeedEntryFromHashEntry(entry);
      if (!feed_entry.ok()) return Prefixed(file, feed_entry.status());
      out.push_back(*std::move(feed_entry));
    }
  }
  return out;
}

}  // namespace clearmatch::cli
