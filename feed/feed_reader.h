// Fetches and verifies a feed from a FeedSource: the signed manifest
// (signature by the trusted key, structure, expiry) and the files it lists
// (size, sha256, record count, every record valid). Used by FeedSyncer and by
// `clearmatch feed verify`; never writes anything.
//
//   FeedReader reader({}, *verifier, *source);
//   CM_ASSIGN_OR_RETURN(v1::FeedManifest manifest, reader.FetchManifest());
//   CM_ASSIGN_OR_RETURN(auto records, reader.FetchFile(manifest.deltas(0)));
#ifndef CLEARMATCH_FEED_FEED_READER_H_
#define CLEARMATCH_FEED_FEED_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/feed.pb.h"
#include "crypto/ed25519_verifier.h"
#include "feed/feed_entry.h"
#include "feed/feed_source.h"

namespace clearmatch {

// Time spent per stage, summed over calls.
struct FeedStageTimes {
  absl::Duration fetch;   // transferring bytes
  absl::Duration verify;  // signature, sha256, parsing and validating records
};

// Thread-compatible; borrows `verifier` and `source`, which must outlive it.
class FeedReader {
 public:
  struct Options {
    // Current time, for the expiry check.
    std::function<absl::Time()> now = [] { return absl::Now(); };
    // A manifest created further than this in the future is refused.
    absl::Duration max_clock_skew = absl::Minutes(10);
    // Cap on any delta or snapshot file, whatever the manifest declares.
    int64_t max_file_bytes = int64_t{2} << 30;
  };

  FeedReader(Options options, const Ed25519Verifier& verifier,
             FeedSource& source)
      : options_(std::move(options)), verifier_(verifier), source_(source) {}

  // The manifest, once its signature verifies with the trusted key, its
  // structure is valid and it is neither expired nor from the future.
  // Errors: UNAUTHENTICATED bad or foreign signature (the message names the
  // key the manifest claims); INVALID_ARGUMENT malformed manifest;
  // FAILED_PRECONDITION expired (frozen feed) or created in the future;
  // fetch errors of the source.
  absl::StatusOr<v1::FeedManifest> FetchManifest();

  // The validated records of a delta or snapshot file listed in a verified
  // manifest. Errors: DATA_LOSS size, sha256 or record count differ from the
  // manifest; INVALID_ARGUMENT a bad record (the whole file is refused);
  // RESOURCE_EXHAUSTED over max_file_bytes; fetch errors of the source.
  absl::StatusOr<std::vector<FeedChange>> FetchFile(const v1::FeedFile& file);

  const FeedStageTimes& times() const { return times_; }

 private:
  const Options options_;
  const Ed25519Verifier& verifier_;
  FeedSource& source_;
  FeedStageTimes times_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_READER_H_
