// IndexHolder: pointer publication under a mutex held for the copy only.
#include "index/index_holder.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace clearmatch {

std::shared_ptr<const IndexSnapshot> IndexHolder::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

absl::Status IndexHolder::Swap(std::shared_ptr<const IndexSnapshot> snapshot) {
  if (snapshot == nullptr) {
    return absl::InvalidArgumentError("cannot publish a null index snapshot");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ != nullptr && snapshot->version() < current_->version()) {
      return absl::FailedPreconditionError(
          absl::StrCat("snapshot version ", snapshot->version(),
                       " is older than the published ", current_->version()));
    }
    current_.swap(snapshot);
  }
  // `snapshot` now holds the previous one; if this was its last reference it
  // is destroyed here, outside the lock.
  return absl::OkStatus();
}

}  // namespace clearmatch
