#include "common/shared_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace clearmatch {
namespace {

std::string LoaderError() {
  const char* error = dlerror();
  return error != nullptr ? error : "unknown error";
}

// The folder of the executable or module that holds this code.
std::filesystem::path OwnFolder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&LoaderError), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  // For the main program dladdr gives the name it was started by, which is
  // a bare name when a shell found it on PATH: the kernel knows its file.
  const bool bare_name = std::strchr(info.dli_fname, '/') == nullptr;
  std::error_code error;
  const std::filesystem::path self = std::filesystem::canonical(
      bare_name ? "/proc/self/exe" : info.dli_fname, error);
  return error ? std::filesystem::path() : self.parent_path();
}

// Where modules are looked for, in order (see shared_module.h).
std::vector<std::filesystem::path> ModuleFolders() {
  std::vector<std::filesystem::path> folders;
  const char* dir = std::getenv("CLEARMATCH_MODULE_DIR");
  if (dir != nullptr && *dir != '\0') folders.emplace_back(dir);
  if (const std::filesystem::path own = OwnFolder(); !own.empty()) {
    folders.push_back(own);  // module beside module
    folders.push_back(own / ".." / "lib" / "clearmatch");  // installed binary
  }
  folders.emplace_back(
      CLEARMATCH_BUILD_MODULE_DIR);  // binary in the build tree
  return folders;
}

}  // namespace

absl::StatusOr<SharedModule> SharedModule::Open(std::string_view file_name) {
  std::string name(file_name);
  std::vector<std::string> tried;
  for (const std::filesystem::path& folder : ModuleFolders()) {
    const std::filesystem::path path = folder / name;
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      tried.push_back(path.string());
      continue;
    }
    // An explicit path: sanitizer runtimes intercept dlopen, which would
    // make the loader search relative to them instead of to the caller.
    if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      return SharedModule(std::move(name), handle);
    }
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load the clearmatch module ", path.string(), ": ",
                     LoaderError()));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot find the clearmatch module ", name, " (looked for ",
                   absl::StrJoin(tried, ", "), ")"));
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
