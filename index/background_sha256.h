// BackgroundSha256: computes the SHA-256 of a buffer on a second thread
// while the calling thread fills it, so that reading a snapshot file and
// checksumming it overlap (the two take about as long each).
//
//   CM_ASSIGN_OR_RETURN(auto hasher, BackgroundSha256::Start(buffer, 40));
//   ... fill buffer; after each chunk: hasher->Advance(bytes_filled) ...
//   CM_ASSIGN_OR_RETURN(Sha256::Digest digest, hasher->Finish());
#ifndef CLEARMATCH_INDEX_BACKGROUND_SHA256_H_
#define CLEARMATCH_INDEX_BACKGROUND_SHA256_H_

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "crypto/sha256.h"

namespace clearmatch::index_internal {

// Advance and Finish are called by the one thread that fills the buffer.
// std::mutex, not absl::Mutex, for ThreadSanitizer (see IndexHolder).
class BackgroundSha256 {
 public:
  // Starts the hashing thread over buffer[from ..), which must stay valid
  // until Finish. RESOURCE_EXHAUSTED if no thread can be started.
  static absl::StatusOr<std::unique_ptr<BackgroundSha256>> Start(
      const char* buffer, size_t from);

  // Joins the thread if Finish was not called.
  ~BackgroundSha256();

  // buffer[0 .. filled) is written and will not change (filled only grows).
  void Advance(size_t filled);

  // No more bytes will come: the digest of buffer[from .. filled). Call once.
  absl::StatusOr<Sha256::Digest> Finish();

 private:
  BackgroundSha256(const char* buffer, size_t from)
      : buffer_(buffer), hashed_(from) {}
  // The hashing thread's loop.
  void HashArrivals();
  void StopAndJoin();

  const char* const buffer_;
  size_t hashed_;  // hashing thread only: bytes of buffer_ hashed
  Sha256 hasher_;  // hashing thread only until joined
  std::mutex mu_;
  std::condition_variable arrived_;
  size_t filled_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_BACKGROUND_SHA256_H_
