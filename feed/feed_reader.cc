// Manifest and file verification for feed readers.
#include "feed/feed_reader.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "feed/feed_format.h"
#include "hashing/file_digests.h"

namespace clearmatch {
namespace {

// Adds the time from construction to destruction to a stage total.
class StageTimer {
 public:
  explicit StageTimer(absl::Duration& total)
      : total_(total), start_(absl::Now()) {}
  ~StageTimer() { total_ += absl::Now() - start_; }

 private:
  absl::Duration& total_;
  absl::Time start_;
};

std::string FormatUnix(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

// UNAUTHENTICATED for a manifest whose signature did not verify (`error`).
// Only now, and only for the message, look at what the unverified manifest
// (null if unreadable) claims about its key.
absl::Status SignatureRejected(const absl::Status& error,
                               const std::string& source,
                               const v1::FeedManifest* manifest,
                               const std::string& trusted_key_id) {
  const bool claims_key =
      manifest != nullptr && !manifest->signing_key_id().empty();
  const std::string claimed =
      claims_key ? absl::StrCat("key ", feed_internal::QuoteForError(
                                            manifest->signing_key_id()))
                 : "no readable key id";
  const bool other_key =
      claims_key && manifest->signing_key_id() != trusted_key_id;
  return absl::UnauthenticatedError(absl::StrCat(
      "manifest of ", source, " rejected: ", error.message(),
      other_key ? "; it claims to be signed by another key, "
                : "; bad signature or tampered manifest, it claims ",
      claimed));
}

// FAILED_PRECONDITION for a verified manifest that expired by `now` or was
// created more than max_clock_skew after it.
absl::Status CheckFreshness(const v1::FeedManifest& manifest, absl::Time now,
                            absl::Duration max_clock_skew) {
  const absl::Time expires =
      absl::FromUnixSeconds(manifest.expires_at_unix_seconds());
  if (now >= expires) {
    return absl::FailedPreconditionError(
        absl::StrCat("manifest of feed ", manifest.feed_id(), " sequence ",
                     manifest.sequence(), " expired at ",
                     FormatUnix(manifest.expires_at_unix_seconds()), " (now ",
                     FormatUnix(absl::ToUnixSeconds(now)),
                     "): the feed is stale or frozen, refusing it"));
  }
  if (absl::FromUnixSeconds(manifest.created_at_unix_seconds()) >
      now + max_clock_skew) {
    return absl::FailedPreconditionError(absl::StrCat(
        "manifest of feed ", manifest.feed_id(), " was created at ",
        FormatUnix(manifest.created_at_unix_seconds()), ", in the future (now ",
        FormatUnix(absl::ToUnixSeconds(now)), "): check the clocks"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::FeedManifest> FeedReader::FetchManifest() {
  std::string manifest_bytes, signature;
  {
    StageTimer timer(times_.fetch);
    absl::StatusOr<std::string> bytes =
        source_.Fetch(kManifestPath, kMaxManifestBytes);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<std::string> sig =
        source_.Fetch(kManifestSignaturePath, kMaxSignatureBytes);
    if (!sig.ok()) return sig.status();
    manifest_bytes = *std::move(bytes);
    signature = *std::move(sig);
  }
  StageTimer timer(times_.verify);
  v1::FeedManifest manifest;
  const bool parsed = manifest.ParseFromString(manifest_bytes);
  if (absl::Status s = verifier_.Verify(manifest_bytes, signature); !s.ok()) {
    return SignatureRejected(s, source_.Describe(),
                             parsed ? &manifest : nullptr, verifier_.key_id());
  }
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest of ", source_.Describe(),
                     " is signed but not a FeedManifest"));
  }
  if (absl::Status s = ValidateManifest(manifest); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "manifest of ", source_.Describe(), " is malformed: ", s.message()));
  }
  CM_RETURN_IF_ERROR(
      CheckFreshness(manifest, options_.now(), options_.max_clock_skew));
  return manifest;
}

absl::StatusOr<std::vector<FeedChange>> FeedReader::FetchFile(
    const v1::FeedFile& file) {
  if (file.size_bytes() > static_cast<uint64_t>(options_.max_file_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "feed file ", file.path(), " declares ", file.size_bytes(),
        " bytes, more than the limit of ", options_.max_file_bytes));
  }
  const int64_t declared = static_cast<int64_t>(file.size_bytes());
  std::string bytes;
  {
    StageTimer timer(times_.fetch);
    // One byte over the declared size is enough to tell it is wrong.
    absl::StatusOr<std::string> fetched =
        source_.Fetch(file.path(), declared + 1);
    if (!fetched.ok()) {
      return absl::Status(
          fetched.status().code(),
          absl::StrCat("feed file ", file.path(), " (sequence ",
                       file.sequence(), "): ", fetched.status().message()));
    }
    bytes = *std::move(fetched);
  }
  StageTimer timer(times_.verify);
  if (bytes.size() != file.size_bytes()) {
    return absl::DataLossError(
        absl::StrCat("feed file ", file.path(), " is ", bytes.size(),
                     " bytes, the manifest says ", file.size_bytes()));
  }
  const std::string digest = Sha256Hex(bytes);
  if (digest != file.sha256()) {
    return absl::DataLossError(
        absl::StrCat("feed file ", file.path(), " has sha256 ", digest,
                     ", the manifest says ", file.sha256(), ": refusing it"));
  }
  absl::StatusOr<std::vector<FeedChange>> records = DecodeFeedRecords(bytes);
  if (!records.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed file ", file.path(),
                     " refused whole: ", records.status().message()));
  }
  if (records->size() != file.record_count()) {
    return absl::DataLossError(
        absl::StrCat("feed file ", file.path(), " holds ", records->size(),
                     " records, the manifest says ", file.record_count()));
  }
  return records;
}

}  // namespace clearmatch
