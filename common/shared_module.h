// SharedModule: a part of clearmatch built as its own shared object and
// loaded only when a command needs it (dlopen), so that a process pays the
// start-up cost of heavy libraries (FFmpeg, gRPC) only when it uses them.
//
//   using EntryFn = int (*)(const char*);
//   CM_ASSIGN_OR_RETURN(EntryFn entry,
//                       SharedModule::LoadEntry<EntryFn>(
//                           "libclearmatch_video.so", "clearmatch_video_v1"));
//
// A module is looked for, in order, in $CLEARMATCH_MODULE_DIR (when set);
// beside the executable or module whose code asks (a module loading
// another); in ../lib/clearmatch beside it (an installed binary in bin/);
// and in the build tree's lib/ (binaries run from the build tree). It is
// loaded by its full path with RTLD_NOW | RTLD_LOCAL and never unloaded:
// objects it made may outlive any handle. Thread-safe.
#ifndef CLEARMATCH_COMMON_SHARED_MODULE_H_
#define CLEARMATCH_COMMON_SHARED_MODULE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clearmatch {

class SharedModule {
 public:
  // FAILED_PRECONDITION naming the module and the folders looked in when it
  // cannot be found, or the loader's reason when it cannot be loaded (a
  // library it depends on is missing, say).
  static absl::StatusOr<SharedModule> Open(std::string_view file_name);

  // FAILED_PRECONDITION when the module has no such symbol.
  absl::StatusOr<void*> Symbol(const char* name) const;

  const std::string& file_name() const { return file_name_; }

  // The entry point `symbol` of the module `file_name`, as a function
  // pointer of type Fn (the errors of Open and Symbol).
  template <typename Fn>
  static absl::StatusOr<Fn> LoadEntry(std::string_view file_name,
                                      const char* symbol) {
    absl::StatusOr<SharedModule> module = Open(file_name);
    if (!module.ok()) return module.status();
    absl::StatusOr<void*> entry = module->Symbol(symbol);
    if (!entry.ok()) return entry.status();
    return reinterpret_cast<Fn>(*entry);
  }

 private:
  SharedModule(std::string file_name, void* handle)
      : file_name_(std::move(file_name)), handle_(handle) {}

  std::string file_name_;
  void* handle_;  // never dlclose'd
};

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_SHARED_MODULE_H_
