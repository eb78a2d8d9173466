// The publisher side of the feed (what a clearinghouse, a test or a demo
// runs): appends one delta to a feed directory, optionally rewrites the full
// snapshot, and re-signs the manifest. The directory can then be served by
// any static web server.
//
//   FeedPublisher::Options options{.feed_dir = dir, .private_key_pem = pem};
//   CM_ASSIGN_OR_RETURN(auto publisher, FeedPublisher::Create(options));
//   CM_ASSIGN_OR_RETURN(FeedPublisher::Published p,
//   publisher->Publish(changes));
#ifndef CLEARMATCH_FEED_FEED_PUBLISHER_H_
#define CLEARMATCH_FEED_FEED_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/feed.pb.h"
#include "crypto/ed25519_signer.h"
#include "feed/feed_entry.h"

namespace clearmatch {

// Thread-compatible; one publisher per feed directory at a time (no file
// locking between processes).
class FeedPublisher {
 public:
  struct Options {
    std::string feed_dir;         // created if missing
    std::string private_key_pem;  // Ed25519 (see Ed25519Signer)
    // Feed id for a new feed (default "feed-<key id>"); for an existing one
    // it must be empty or equal to the manifest's.
    std::string feed_id;
    absl::Duration expires_in = absl::Hours(7 * 24);
    // Also write the full entry set as a snapshot (for clients whose
    // checkpoint is older than the deltas kept).
    bool write_snapshot = false;
    // List only the newest N deltas in the manifest (0 = all). Needs
    // write_snapshot. Older delta files are left in place.
    int keep_deltas = 0;
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  struct Published {
    std::string feed_id;
    uint64_t sequence = 0;
    std::string delta_path;  // relative to feed_dir
    int64_t records = 0;
    int64_t snapshot_records = -1;  // -1: no snapshot written
  };

  // INVALID_ARGUMENT for a bad key, feed id or keep_deltas without snapshot.
  static absl::StatusOr<std::unique_ptr<FeedPublisher>> Create(Options options);

  // Validates every change (INVALID_ARGUMENT naming the bad one), writes
  // delta N+1 (and the snapshot), then the manifest and its signature, each
  // file via a temporary file, fsync and rename. FAILED_PRECONDITION if the
  // directory's manifest is signed by another key or is for another feed.
  absl::StatusOr<Published> Publish(const std::vector<FeedChange>& changes);

 private:
  FeedPublisher(Options options, std::unique_ptr<Ed25519Signer> signer)
      : options_(std::move(options)), signer_(std::move(signer)) {}
  // The directory's manifest, or a new one (sequence 0) if it has none.
  // FAILED_PRECONDITION if it is another key's or another feed's.
  absl::StatusOr<v1::FeedManifest> LoadManifest() const;
  // The entries the manifest's snapshot and deltas add up to.
  absl::StatusOr<std::vector<FeedEntry>> CurrentState(
      const v1::FeedManifest& manifest);
  // The full entry set after `changes`, as adds (for a feed snapshot file).
  absl::StatusOr<std::vector<FeedChange>> SnapshotAdds(
      const v1::FeedManifest& manifest, const std::vector<FeedChange>& changes);
  // Trims the delta list, stamps and signs `manifest` as `sequence`, and
  // writes the signature, then the manifest.
  absl::Status SignAndWriteManifest(v1::FeedManifest& manifest,
                                    uint64_t sequence);

  const Options options_;
  const std::unique_ptr<Ed25519Signer> signer_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_PUBLISHER_H_
