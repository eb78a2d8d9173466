// Prometheus text exposition helpers.
#include "daemon/prometheus_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace clearmatch {

std::string PrometheusLabel(absl::string_view name, absl::string_view value) {
  std::string out = absl::StrCat(name, "=\"");
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

void PrometheusHeader(std::string& out, absl::string_view name,
                      absl::string_view type, absl::string_view help) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ",
                  type, "\n");
}

void PrometheusCounters(std::string& out, absl::string_view name,
                        absl::string_view help,
                        const std::map<std::string, uint64_t>& family) {
  PrometheusHeader(out, name, "counter", help);
  for (const auto& [labels, value] : family) {
    absl::StrAppend(&out, name, "{", labels, "} ", value, "\n");
  }
}

void PrometheusGauge(std::string& out, absl::string_view name,
                     absl::string_view help, absl::string_view value) {
  PrometheusHeader(out, name, "gauge", help);
  absl::StrAppend(&out, name, " ", value, "\n");
}

std::string PrometheusNumber(double value) {
  return absl::StrFormat("%.9g", value);
}

std::string SecondsSinceOrMinusOne(absl::Time t, absl::Time now) {
  return t == absl::InfinitePast()
             ? "-1"
             : PrometheusNumber(absl::ToDoubleSeconds(now - t));
}

}  // namespace clearmatch
