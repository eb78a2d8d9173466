// Ordered merge of entry changes.
#include "feed/feed_changes_builder.h"

namespace clearmatch {

void FeedChangesBuilder::Add(FeedEntry entry) {
  live_[entry.entry_id] = added_.size();
  added_.push_back(std::move(entry));
}

void FeedChangesBuilder::Remove(const std::string& entry_id) {
  live_.erase(entry_id);
  if (removed_set_.insert(entry_id).second) removed_.push_back(entry_id);
}

void FeedChangesBuilder::Append(FeedChanges later) {
  if (later.full_reload) {
    SetFullReload();
    return;
  }
  for (const std::string& id : later.removed_entry_ids) Remove(id);
  for (FeedEntry& entry : later.added) Add(std::move(entry));
}

void FeedChangesBuilder::SetFullReload() {
  *this = FeedChangesBuilder();
  full_reload_ = true;
}

FeedChanges FeedChangesBuilder::Build() && {
  FeedChanges changes;
  changes.full_reload = full_reload_;
  changes.removed_entry_ids = std::move(removed_);
  changes.added.reserve(live_.size());
  for (size_t i = 0; i < added_.size(); ++i) {
    auto it = live_.find(added_[i].entry_id);
    if (it != live_.end() && it->second == i) {
      changes.added.push_back(std::move(added_[i]));
    }
  }
  return changes;
}

}  // namespace clearmatch
