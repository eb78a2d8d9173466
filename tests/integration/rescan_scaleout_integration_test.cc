// Scale-out rescans against real daemons: `clearmatch rescan` spread over
// two clearmatchd processes (--addr A,B), sharded (--shard I/N) so that the
// shards together check a listing exactly once, resumable per shard, and a
// daemon that is down leaving its share to the other.
#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::HttpGet;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::HasSubstr;

constexpr int kItems = 24;

// The content ids of the JSON verdict lines in `out`, with their decision
// ("error" for a failed item).
std::map<std::string, std::string> Verdicts(const std::string& out,
                                            int* lines) {
  static const std::regex kLine(
      "\"content_id\": \"([^\"]+)\", \"(decision\": \"([A-Z]+)|error)");
  std::map<std::string, std::string> verdicts;
  *lines = 0;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    std::smatch m;
    const std::string text(line);
    if (!std::regex_search(text, m, kLine)) continue;
    ++*lines;
    verdicts[m[1]] = m[3].matched ? m[3].str() : "error";
  }
  return verdicts;
}

// Requests a daemon answered, from its clearmatch_decisions_total counters.
int64_t Answered(const DaemonProcess& daemon) {
  const std::string metrics = HttpGet(daemon.metrics_port(), "/metrics");
  int64_t total = 0;
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (!absl::StartsWith(line, "clearmatch_decisions_total{")) continue;
    int64_t value = 0;
    if (absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &value)) {
      total += value;
    }
  }
  return total;
}

class RescanScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string banked = TestdataPath("pdq/bridge-1-original.jpg");
    dir_.Write("bank.csv",
               "md5," + Md5sumOfFile(banked) + ",bridge-md5,tid,ncii\n");
    const std::string config =
        dir_.Write("clearmatchd.textproto",
                   "bank_csvs { path: \"bank.csv\" }\nlimits { workers: 1 }\n");
    for (int i = 0; i < 2; ++i) {
      daemons_.push_back(std::make_unique<DaemonProcess>(
          std::vector<std::string>{"--config", config, "--data-dir",
                                   absl::StrCat(dir_.path(), "/data", i)}));
      ASSERT_TRUE(daemons_.back()->started()) << daemons_.back()->error();
    }
    std::string listing;
    for (int i = 0; i < kItems; ++i) {
      const char* file =
          i % 3 == 0 ? "pdq/bridge-1-original.jpg" : "pdq/q0746.jpg";
      absl::StrAppend(&listing, "item-", i, ",", TestdataPath(file), "\n");
    }
    listing_ = dir_.Write("listing.csv", listing);
  }

  std::string BothAddresses() const {
    return absl::StrCat(daemons_[0]->address(), ",", daemons_[1]->address());
  }

  int Rescan(std::vector<std::string> args, std::string* out) {
    args.insert(args.begin(), {"--listing", listing_});
    std::ostringstream verdicts, err;
    const int code = cli::RunRescanCommand(args, verdicts, err);
    *out = verdicts.str();
    err_ = err.str();
    return code;
  }

  TempDir dir_;
  std::vector<std::unique_ptr<DaemonProcess>> daemons_;
  std::string listing_;
  std::string err_;
};

TEST_F(RescanScaleOutTest, TwoDaemonsShareTheListingAndEachItemIsCheckedOnce) {
  std::string out;
  ASSERT_EQ(Rescan({"--addr", BothAddresses(), "--concurrency", "2"}, &out), 0)
      << err_;
  int lines = 0;
  const std::map<std::string, std::string> verdicts = Verdicts(out, &lines);
  EXPECT_EQ(lines, kItems);
  ASSERT_EQ(verdicts.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) {
    EXPECT_EQ(verdicts.at(absl::StrCat("item-", i)),
              i % 3 == 0 ? "TAKEDOWN" : "ALLOW")
        << i;
  }
  const int64_t a = Answered(*daemons_[0]);
  const int64_t b = Answered(*daemons_[1]);
  EXPECT_EQ(a + b, kItems);
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
}

TEST_F(RescanScaleOutTest, ShardsCoverTheListingExactlyOnceAndResume) {
  std::map<std::string, std::string> all;
  int all_lines = 0;
  const std::string state_dir = dir_.path();
  for (int shard = 0; shard < 3; ++shard) {
    std::string out;
    ASSERT_EQ(Rescan({"--addr", daemons_[shard % 2]->address(), "--shard",
                      absl::StrCat(shard, "/3"), "--resume", state_dir},
                     &out),
              0)
        << err_;
    EXPECT_THAT(err_, HasSubstr(absl::StrCat("shard ", shard, "/3")));
    int lines = 0;
    for (const auto& [id, decision] : Verdicts(out, &lines)) {
      EXPECT_TRUE(all.emplace(id, decision).second) << id << " twice";
    }
    all_lines += lines;
  }
  EXPECT_EQ(all_lines, kItems);
  EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
  // Each shard's state file has its finished items: a second run of a
  // shard checks nothing.
  std::string again;
  ASSERT_EQ(Rescan({"--addr", daemons_[0]->address(), "--shard", "1/3",
                    "--resume", state_dir},
                   &again),
            0)
      << err_;
  int lines = 0;
  EXPECT_TRUE(Verdicts(again, &lines).empty());
  EXPECT_THAT(err_, HasSubstr("0/0 done"));
}

TEST_F(RescanScaleOutTest, ADaemonThatIsDownLeavesItsShareToTheOther) {
  daemons_[1]->Stop();
  std::string out;
  EXPECT_EQ(Rescan({"--addr", BothAddresses()}, &out), 0) << err_;
  int lines = 0;
  EXPECT_EQ(Verdicts(out, &lines).size(), static_cast<size_t>(kItems));
  EXPECT_EQ(lines, kItems);
  EXPECT_THAT(err_, HasSubstr("stream ended (the others took its items)"));
  EXPECT_EQ(Answered(*daemons_[0]), kItems);
}

TEST_F(RescanScaleOutTest, AllDaemonsDownIsAFailureNamingTheAddress) {
  daemons_[0]->Stop();
  daemons_[1]->Stop();
  std::string out;
  EXPECT_EQ(Rescan({"--addr", BothAddresses()}, &out), 1);
  EXPECT_THAT(err_, HasSubstr("0/24 done"));
  EXPECT_THAT(err_, HasSubstr("stream ended"));
}

}  // namespace
}  // namespace clearmatch
