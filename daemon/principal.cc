// Names and descriptions of callers.
#include "daemon/principal.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace clearmatch {

std::string Principal::Description() const {
  switch (kind_) {
    case Kind::kCertificate:
      return absl::StrCat("client certificate \"", name_, "\"");
    case Kind::kUnixUser:
      return absl::StrCat("unix user \"", name_, "\" (uid ", uid_, ")");
    case Kind::kWebLocalReviewer:
      return absl::StrCat("web local reviewer \"", name_, "\"");
    case Kind::kAnonymous:
      break;
  }
  return "an unauthenticated caller";
}

std::string UnixUserName(uint32_t uid) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(),
                 &found) == 0 &&
      found != nullptr && found->pw_name != nullptr &&
      found->pw_name[0] != '\0') {
    return found->pw_name;
  }
  return absl::StrCat("uid:", uid);
}

}  // namespace clearmatch
