#include "index/background_sha256.h"

#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clearmatch::index_internal {

absl::StatusOr<std::unique_ptr<BackgroundSha256>> BackgroundSha256::Start(
    const char* buffer, size_t from) {
  std::unique_ptr<BackgroundSha256> hasher(new BackgroundSha256(buffer, from));
  try {
    hasher->thread_ =
        std::thread([raw = hasher.get()] { raw->HashArrivals(); });
  } catch (const std::system_error& e) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no thread for the checksum: ", e.what()));
  }
  return hasher;
}

BackgroundSha256::~BackgroundSha256() { StopAndJoin(); }

void BackgroundSha256::Advance(size_t filled) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    filled_ = filled;
  }
  arrived_.notify_one();
}

absl::StatusOr<Sha256::Digest> BackgroundSha256::Finish() {
  StopAndJoin();
  return hasher_.Finish();
}

void BackgroundSha256::StopAndJoin() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
  }
  arrived_.notify_one();
  thread_.join();
}

void BackgroundSha256::HashArrivals() {
  while (true) {
    size_t end;
    bool last;
    {
      std::unique_lock<std::mutex> lock(mu_);
      arrived_.wait(lock, [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return finished_ || filled_ > hashed_;
      });
      end = filled_;
      last = finished_;
    }
    if (end > hashed_) {
      hasher_.Update(absl::string_view(buffer_ + hashed_, end - hashed_));
      hashed_ = end;
    } else if (last) {
      return;
    }
  }
}

}  // namespace clearmatch::index_internal
