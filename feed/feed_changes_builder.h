// Accumulates entry additions and removals, in order, into one FeedChanges
// whose "removes first, then adds" reading gives the same end state.
//
//   FeedChangesBuilder builder;
//   builder.Remove("e1");
//   builder.Add(entry);
//   FeedChanges changes = std::move(builder).Build();
#ifndef CLEARMATCH_FEED_FEED_CHANGES_BUILDER_H_
#define CLEARMATCH_FEED_FEED_CHANGES_BUILDER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "feed/feed_entry.h"

namespace clearmatch {

// Thread-compatible.
class FeedChangesBuilder {
 public:
  // The entry with this id is (now) `entry`.
  void Add(FeedEntry entry);
  // The entry with this id is gone (or replaced, when Add follows).
  void Remove(const std::string& entry_id);
  // Merges changes that happened after everything given so far.
  void Append(FeedChanges later);
  // Forgets everything so far and marks the result a full reload.
  void SetFullReload();

  // Added entries in order of their last Add; removed ids in first-removal
  // order.
  FeedChanges Build() &&;

 private:
  std::vector<FeedEntry> added_;  // may hold superseded copies, see live_
  absl::flat_hash_map<std::string, size_t> live_;  // entry_id -> index
  std::vector<std::string> removed_;
  absl::flat_hash_set<std::string> removed_set_;
  bool full_reload_ = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_CHANGES_BUILDER_H_
