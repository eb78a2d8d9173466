// The daemon's Check and `clearmatch match` share the matching core: for the
// same bank CSV, the same policies and the same media they must give the
// same decision and the same matches. The daemon runs as a real process;
// the CLI command runs in this one.
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/command.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;

// (bank, entry id, hash type, decision, distance, transform)
using MatchKey = std::tuple<std::string, std::string, std::string, std::string,
                            int, std::string>;

struct Verdict {
  std::string decision;
  std::set<MatchKey> matches;
};

constexpr const char* kBanks[] = {"tid", "review", "shadowed", "nodihedral"};
constexpr const char* kConfig =
    "bank_csvs { path: \"bank.csv\" }\n"
    "limits { max_message_bytes: 16000000 }\n"
    "banks { bank: \"review\" policy { auto_distance: 10 } }\n"
    "banks { bank: \"shadowed\" policy { shadow: true } }\n"
    "banks { bank: \"nodihedral\" policy { dihedral: false } }\n";

// `hash` with its first `chars` hex digits inverted (4 bits each).
std::string FlipHex(std::string hash, int chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < chars; ++i) {
    hash[i] = kHex[15 - std::stoi(hash.substr(i, 1), nullptr, 16)];
  }
  return hash;
}

// Every reference hash (hash,quality,file) as an entry, spread over the
// banks, every third moved 12 bits away (into "review"'s review band); the
// MD5 of one file; the first frame of a reference video.
std::string BankCsv() {
  std::istringstream in(ReadTextFile(TestdataPath("pdq/reference_hashes.csv")));
  std::string csv;
  int row = 0;
  for (std::string line; std::getline(in, line); ++row) {
    const std::string hash = line.substr(0, line.find(','));
    if (hash.size() != 64) continue;
    csv += "pdq," + (row % 3 == 0 ? FlipHex(hash, 3) : hash) + ",ref-" +
           std::to_string(row) + "," + kBanks[row % 4] + ",ncii\n";
  }
  csv += "md5," + Md5sumOfFile(TestdataPath("pdq/q1050.jpg")) +
         ",q1050-md5,tid,\n";
  std::istringstream frames(
      ReadTextFile(TestdataPath("vpdq/reference_r1/chair-19-sd-bar.txt")));
  std::string frame;
  std::getline(frames, frame);  // frame,quality,hash,seconds
  std::stringstream fields(frame);
  std::string field;
  for (int i = 0; i < 3; ++i) std::getline(fields, field, ',');
  return csv + "pdq," + field + ",chair-frame,tid,ncii\n";
}

class MatchParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bank_ = dir_.Write("bank.csv", BankCsv());
    config_ = dir_.Write("clearmatchd.textproto", kConfig);
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config_, "--data-dir", dir_.path() + "/data"});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    stub_ = v1::Matcher::NewStub(grpc::CreateChannel(
        daemon_->address(), grpc::InsecureChannelCredentials()));
  }

  Verdict FromDaemon(const std::string& file, v1::Context context) {
    const std::vector<unsigned char> bytes = ReadFileBytes(file);
    v1::CheckRequest request;
    request.set_context(context);
    request.set_media(std::string(bytes.begin(), bytes.end()));
    v1::CheckResponse response;
    grpc::ClientContext client;
    const grpc::Status status = stub_->Check(&client, request, &response);
    EXPECT_TRUE(status.ok()) << file << ": " << status.error_message();
    Verdict verdict{v1::Decision_Name(response.decision()), {}};
    for (const v1::Match& m : response.matches()) {
      verdict.matches.insert(
          {m.bank(), m.entry_id(), m.hash_type(),
           v1::Decision_Name(m.decision()), m.distance(),
           m.transform().empty() ? "original" : m.transform()});
    }
    return verdict;
  }

  Verdict FromCli(const std::string& file, v1::Context context) {
    std::ostringstream out, err;
    const int code = cli::RunMatchCommand(
        {"--bank", bank_, "--config", config_, "--json", "--context",
         context == v1::RESCAN ? "rescan" : "upload", file},
        out, err);
    EXPECT_EQ(code, 0) << err.str();
    Verdict verdict;
    std::istringstream lines(out.str());
    for (std::string line; std::getline(lines, line);) {
      if (Field(line, "entry_id").empty()) {
        verdict.decision = Field(line, "decision");
        continue;
      }
      verdict.matches.insert({Field(line, "bank"), Field(line, "entry_id"),
                              Field(line, "hash_type"), Field(line, "decision"),
                              std::stoi(Field(line, "distance")),
                              Field(line, "transform")});
    }
    return verdict;
  }

  // The value of "key" in a JSON line (string or number); "" if absent.
  static std::string Field(const std::string& line, const std::string& key) {
    std::smatch match;
    const std::regex pattern("\"" + key + "\": (\"([^\"]*)\"|([0-9]+))");
    if (!std::regex_search(line, match, pattern)) return "";
    return match[2].matched ? match[2].str() : match[3].str();
  }

  TempDir dir_;
  std::string bank_, config_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> stub_;
};

TEST_F(MatchParityTest, DaemonAndCliDecideAlike) {
  const char* const files[] = {"pdq/bridge-1-original.jpg",
                               "pdq/bridge-2-rotate-90.jpg",
                               "pdq/bridge-6-flipy.jpg",
                               "pdq/q0291.jpg",
                               "pdq/q0122.jpg",
                               "pdq/q2821.jpg",
                               "pdq/q1050.jpg",
                               "pdq/blur-a-lot.jpg",
                               "pdq/RGBA.png",
                               "pdq/F.webp",
                               "vpdq/chair-19-sd-bar.mp4"};
  std::map<std::string, int> decisions;
  for (const char* name : files) {
    const std::string file = TestdataPath(name);
    for (v1::Context context : {v1::UPLOAD, v1::RESCAN}) {
      const Verdict daemon = FromDaemon(file, context);
      const Verdict cli = FromCli(file, context);
      EXPECT_EQ(cli.decision, daemon.decision) << name;
      EXPECT_EQ(cli.matches, daemon.matches) << name;
      ++decisions[daemon.decision];
      for (const MatchKey& match : daemon.matches) {
        ++decisions["match " + std::get<3>(match) +
                    (std::get<0>(match) == "shadowed" ? " shadow" : "")];
      }
    }
  }
  // The inputs cover every kind of outcome, so the comparison is not
  // vacuous: both actions, matches in the review band, shadow matches.
  EXPECT_GT(decisions["BLOCK"], 0);
  EXPECT_GT(decisions["TAKEDOWN"], 0);
  EXPECT_GT(decisions["match REVIEW"], 0);
  EXPECT_GT(decisions["match BLOCK shadow"], 0);
}

}  // namespace
}  // namespace clearmatch
