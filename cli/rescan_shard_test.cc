// Tests of the rescan shards (cli/rescan_shard.h) and the rescan's daemon
// targets (cli/rescan_targets.h).
#include "cli/rescan_shard.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/rescan_targets.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch::cli {
namespace {

using ::testing::HasSubstr;

int64_t ShardOf(const std::string& id, int64_t count) {
  absl::StatusOr<int64_t> shard = RescanShard::Of(id, count);
  EXPECT_TRUE(shard.ok()) << shard.status();
  return shard.value_or(-1);
}

// Reference values: python3 -c "import hashlib; d =
// hashlib.sha256(ID.encode()).digest(); print(int.from_bytes(d[:8], 'big')
// % N)".
TEST(RescanShardTest, SplitIsTheSha256PrefixModuloN) {
  EXPECT_EQ(ShardOf("content-1", 2), 1);
  EXPECT_EQ(ShardOf("content-1", 4), 1);
  EXPECT_EQ(ShardOf("content-1", 7), 3);
  EXPECT_EQ(ShardOf("content-1", 1000), 809);
  EXPECT_EQ(ShardOf("a", 4), 2);
  EXPECT_EQ(ShardOf("a", 1000), 250);
  EXPECT_EQ(ShardOf("photo/2026/01/x.jpg", 7), 1);
  EXPECT_EQ(ShardOf("photo/2026/01/x.jpg", 1000), 158);
  EXPECT_EQ(ShardOf("", 7), 1);
  EXPECT_EQ(ShardOf("anything", 1), 0);
}

TEST(RescanShardTest, EveryIdIsInExactlyOneShardAndShardsAreEven) {
  for (const int64_t count : {1, 2, 3, 8}) {
    std::vector<int> sizes(count, 0);
    for (int i = 0; i < 8000; ++i) {
      const std::string id = absl::StrCat("item-", i);
      int owners = 0;
      for (int64_t index = 0; index < count; ++index) {
        const RescanShard shard{.index = index, .count = count};
        absl::StatusOr<bool> mine = shard.Contains(id);
        ASSERT_TRUE(mine.ok());
        if (*mine) {
          ++owners;
          ++sizes[index];
        }
      }
      ASSERT_EQ(owners, 1) << id << " of " << count;
    }
    for (int64_t index = 0; index < count; ++index) {
      EXPECT_NEAR(sizes[index], 8000.0 / count, 0.1 * 8000 / count)
          << "shard " << index << "/" << count;
    }
  }
}

TEST(RescanShardTest, ParsesIOfN) {
  absl::StatusOr<RescanShard> shard = ParseRescanShard("3/8");
  ASSERT_TRUE(shard.ok()) << shard.status();
  EXPECT_EQ(shard->index, 3);
  EXPECT_EQ(shard->count, 8);
  EXPECT_EQ(shard->ToString(), "3/8");
  EXPECT_TRUE(ParseRescanShard("0/1").ok());
}

TEST(RescanShardTest, RefusesMalformedShards) {
  for (const char* bad : {"", "3", "3/", "/8", "a/8", "3/8/1", "8/8", "-1/8",
                          "0/0", "0/-2", "0/2000000"}) {
    absl::StatusOr<RescanShard> shard = ParseRescanShard(bad);
    EXPECT_EQ(shard.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(shard.status().message(), HasSubstr("--shard")) << bad;
  }
}

DaemonChannelFlags Addr(const std::string& addr) {
  DaemonChannelFlags flags;
  flags.addr = addr;
  flags.tls_ca_file = "ca.pem";
  return flags;
}

TEST(RescanTargetsTest, OneAddressIsOneTarget) {
  absl::StatusOr<std::vector<DaemonChannelFlags>> targets =
      ResolveRescanTargets(Addr("127.0.0.1:50051"));
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_EQ(targets->size(), 1u);
  EXPECT_EQ((*targets)[0].addr, "127.0.0.1:50051");
  EXPECT_EQ((*targets)[0].tls_ca_file, "ca.pem");
  EXPECT_EQ((*targets)[0].tls_target_name, "");
}

TEST(RescanTargetsTest, AListIsOneTargetPerAddress) {
  absl::StatusOr<std::vector<DaemonChannelFlags>> targets =
      ResolveRescanTargets(Addr("127.0.0.1:1, host-b:2,unix:/run/x.sock"));
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[0].addr, "127.0.0.1:1");
  EXPECT_EQ((*targets)[1].addr, "host-b:2");
  EXPECT_EQ((*targets)[2].addr, "unix:/run/x.sock");
}

TEST(RescanTargetsTest, ADnsNameIsEveryAddressItResolvesTo) {
  absl::StatusOr<std::vector<DaemonChannelFlags>> targets =
      ResolveRescanTargets(Addr("dns:///localhost:50051"));
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_GE(targets->size(), 1u);
  for (const DaemonChannelFlags& target : *targets) {
    EXPECT_THAT(target.addr, ::testing::EndsWith(":50051"));
    EXPECT_THAT(target.addr, ::testing::Not(HasSubstr("localhost")));
    EXPECT_EQ(target.tls_target_name, "localhost");  // what TLS checks
  }
}

TEST(RescanTargetsTest, RefusesBadLists) {
  for (const char* bad : {"a:1,,b:2", "a:1,a:1", ",", "a:1,"}) {
    EXPECT_EQ(ResolveRescanTargets(Addr(bad)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(ResolveRescanTargets(Addr("dns:///localhost")).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status unknown =
      ResolveRescanTargets(Addr("dns:///no-such-host.invalid:1")).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unknown.message(), HasSubstr("no-such-host.invalid"));
}

}  // namespace
}  // namespace clearmatch::cli
