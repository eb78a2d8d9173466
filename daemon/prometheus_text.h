// Pieces of the Prometheus text exposition format 0.0.4, shared by the
// daemon's metric families (DaemonMetrics, SourceMetrics).
//
//   PrometheusHeader(out, "clearmatch_x", "gauge", "What it is.");
//   absl::StrAppend(&out, "clearmatch_x{", PrometheusLabel("feed", f), "}
//   1\n");
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_DAEMON_PROMETHEUS_TEXT_H_
#define CLEARMATCH_DAEMON_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace clearmatch {

// name="value" with \, " and newlines in the value escaped.
std::string PrometheusLabel(absl::string_view name, absl::string_view value);

// The # HELP and # TYPE lines of a family.
void PrometheusHeader(std::string& out, absl::string_view name,
                      absl::string_view type, absl::string_view help);

// A counter family keyed by rendered label sets.
void PrometheusCounters(std::string& out, absl::string_view name,
                        absl::string_view help,
                        const std::map<std::string, uint64_t>& family);

// A gauge without labels.
void PrometheusGauge(std::string& out, absl::string_view name,
                     absl::string_view help, absl::string_view value);

// %.9g.
std::string PrometheusNumber(double value);

// Seconds from `t` to `now`; "-1" when `t` is InfinitePast (never).
std::string SecondsSinceOrMinusOne(absl::Time t, absl::Time now);

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_PROMETHEUS_TEXT_H_
