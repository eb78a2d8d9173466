#include "common/shared_module.h"

#include <dlfcn.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
namespace {

std::string LoaderError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown error";
}

}  // namespace

absl::StatusOr<SharedModule> SharedModule::Open(std::string_view file_name) {
  std::string name(file_name);
  const char* dir = std::getenv("CLEARMATCH_MODULE_DIR");
  if (dir != nullptr && *dir != '\0') {
    const std::string path = absl::StrCat(dir, "/", name);
    if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      return SharedModule(std::move(name), handle);
    }
  }
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot load the clearmatch module ", name, ": ", LoaderError()));
  }
  return SharedModule(std::move(name), handle);
}

absl::StatusOr<void*> SharedModule::Symbol(const char* name) const {
  dlerror();
  void* symbol = dlsym(handle_, name);
  if (symbol == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("clearmatch module ", file_name_, " has no ", name, ": ",
                     LoaderError()));
  }
  return symbol;
}

}  // namespace clearmatch
