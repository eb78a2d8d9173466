// The in-memory allowlist.
#include "review/allowlist_set.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace clearmatch {

std::string AllowlistSet::Key(absl::string_view content_key,
                              absl::string_view bank,
                              absl::string_view entry_id) {
  return absl::StrCat(content_key, absl::string_view("\0", 1), bank,
                      absl::string_view("\0", 1), entry_id);
}

bool AllowlistSet::Contains(absl::string_view content_key,
                            absl::string_view bank,
                            absl::string_view entry_id) const {
  if (content_key.empty()) return false;
  absl::ReaderMutexLock lock(&mu_);
  return !keys_.empty() && keys_.contains(Key(content_key, bank, entry_id));
}

int64_t AllowlistSet::version() const {
  absl::ReaderMutexLock lock(&mu_);
  return version_;
}

void AllowlistSet::Replace(absl::flat_hash_set<std::string> keys,
                           int64_t version) {
  absl::MutexLock lock(&mu_);
  if (version < version_) return;
  keys_ = std::move(keys);
  version_ = version;
}

}  // namespace clearmatch
