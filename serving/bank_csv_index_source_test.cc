// BankCsvIndexSource over real files in a temp dir.
#include "serving/bank_csv_index_source.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kPdqHex[] =
    "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

class BankCsvIndexSourceTest : public ::testing::Test {
 protected:
  void WriteCsv(const std::string& content) { dir_.Write("tid.csv", content); }

  testing::TempDir dir_{"serving-csv"};
  const std::string path_ = dir_.File("tid.csv");
};

TEST_F(BankCsvIndexSourceTest, ListsEntriesWithTheDefaultBank) {
  WriteCsv(absl::StrCat("pdq,", kPdqHex, ",e1,,ncii\n",
                        "md5,0123456789abcdef0123456789abcdef,e2,other\n"));
  BankCsvIndexSource source({.path = path_, .bank = "tid"});
  EXPECT_EQ(source.kind(), SourceKind::kBankCsv);
  EXPECT_EQ(source.name(), path_);
  absl::StatusOr<std::vector<HashEntry>> entries = source.ListEntries();
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].entry_id, "e1");
  EXPECT_EQ((*entries)[0].bank, "tid");
  EXPECT_EQ((*entries)[0].category, "ncii");
  EXPECT_EQ((*entries)[0].source_feed, "csv:tid.csv");
  EXPECT_EQ((*entries)[0].pdq.ToHex(), kPdqHex);
  EXPECT_EQ((*entries)[1].bank, "other");
  EXPECT_EQ((*entries)[1].type, HashType::kMd5);
  absl::StatusOr<SourceState> state = source.State();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->synced);
  EXPECT_EQ(state->version, 0u);
  EXPECT_EQ(state->entries, 2);
  absl::StatusOr<EntryChanges> changes = source.Sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
}

TEST_F(BankCsvIndexSourceTest, ContentKeyFollowsTheContentLoaded) {
  WriteCsv(absl::StrCat("pdq,", kPdqHex, ",e1\n"));
  BankCsvIndexSource source({.path = path_, .bank = "tid"});
  absl::StatusOr<std::string> unloaded = source.ContentKey();
  ASSERT_TRUE(unloaded.ok());
  EXPECT_THAT(*unloaded, StartsWith(absl::StrCat("csv ", path_, " tid ")));
  ASSERT_TRUE(source.ListEntries().ok());
  EXPECT_EQ(*source.ContentKey(), *unloaded);

  // The file changes under a loaded source: key and entries stay together.
  WriteCsv(absl::StrCat("pdq,", kPdqHex, ",e1\npdq,", kPdqHex, ",e2\n"));
  EXPECT_EQ(*source.ContentKey(), *unloaded);
  EXPECT_EQ(source.ListEntries()->size(), 1u);
  BankCsvIndexSource fresh({.path = path_, .bank = "tid"});
  EXPECT_NE(*fresh.ContentKey(), *unloaded);
}

TEST_F(BankCsvIndexSourceTest, ErrorsNameTheFile) {
  BankCsvIndexSource missing({.path = dir_.File("absent.csv"), .bank = "x"});
  EXPECT_EQ(missing.ListEntries().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.ContentKey().status().code(), absl::StatusCode::kNotFound);

  WriteCsv("pdq,nothex,e1\n");
  BankCsvIndexSource bad({.path = path_, .bank = "tid"});
  absl::Status status = bad.ListEntries().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith(path_));
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 1"));
}

}  // namespace
}  // namespace clearmatch
