#include "common/shared_module.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

// A module the build always makes (the video decoder).
constexpr char kRealModule[] = "libclearmatch_video.so";

TEST(SharedModuleTest, MissingModuleNamesItAndWhereItLooked) {
  absl::StatusOr<SharedModule> module =
      SharedModule::Open("libclearmatch_no_such_module.so");
  ASSERT_EQ(module.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(module.status().message(),
              HasSubstr("libclearmatch_no_such_module.so"));
  EXPECT_THAT(module.status().message(), HasSubstr("looked for"));
}

TEST(SharedModuleTest, FindsTheBuildTreesModuleAndItsEntryPoint) {
  absl::StatusOr<SharedModule> module = SharedModule::Open(kRealModule);
  ASSERT_TRUE(module.ok()) << module.status();
  absl::StatusOr<void*> entry =
      module->Symbol("clearmatch_video_new_sampler_v1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_NE(*entry, nullptr);
  absl::StatusOr<void*> missing = module->Symbol("no_such_entry_point");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("no_such_entry_point"));
}

TEST(SharedModuleTest, ModuleDirFromTheEnvironmentComesFirst) {
  // A folder without the module: the search goes on to the build tree.
  ASSERT_EQ(setenv("CLEARMATCH_MODULE_DIR", "/nonexistent", 1), 0);
  absl::StatusOr<SharedModule> found = SharedModule::Open(kRealModule);
  absl::StatusOr<SharedModule> missing =
      SharedModule::Open("libclearmatch_no_such_module.so");
  unsetenv("CLEARMATCH_MODULE_DIR");
  EXPECT_TRUE(found.ok()) << found.status();
  EXPECT_THAT(missing.status().message(),
              HasSubstr("/nonexistent/libclearmatch_no_such_module.so"));
}

}  // namespace
}  // namespace clearmatch
