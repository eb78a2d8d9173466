#include "testing/http_request_path.h"

namespace clearmatch::testing {

std::string RequestPath(const std::string& request) {
  const size_t start = request.find(' ');
  const size_t end = request.find(' ', start + 1);
  if (start == std::string::npos || end == std::string::npos) return "";
  std::string path = request.substr(start + 1, end - start - 1);
  if (!path.empty() && path[0] == '/') path.erase(0, 1);
  return path;
}

}  // namespace clearmatch::testing
