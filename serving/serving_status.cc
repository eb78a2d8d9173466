// Names of the typed status values and a source's lag.
#include "serving/serving_status.h"

#include <iterator>

namespace clearmatch {

absl::string_view IndexOriginName(IndexOrigin origin) {
  // In the order of the enumerators.
  static constexpr absl::string_view kNames[] = {"", "snapshot_file", "sources",
                                                 "sync", "compaction"};
  const auto i = static_cast<size_t>(origin);
  return i < std::size(kNames) ? kNames[i] : "";
}

absl::Duration SourceStatus::Lag(absl::Time now) const {
  if (state.published == absl::InfinitePast()) return absl::InfiniteDuration();
  return now - state.published;
}

}  // namespace clearmatch
