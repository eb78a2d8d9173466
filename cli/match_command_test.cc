// `clearmatch match` end to end on a temp bank CSV made from the reference
// hashes in tests/testdata/pdq (expected values come from the reference
// CSVs and md5sum, never from this code).
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::cli {
namespace {

using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::TestdataPath;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kDihedralNames[] = {"original",  "rot90",     "rot180",
                                          "rot270",    "flipx",     "flipy",
                                          "flipplus1", "flipminus1"};
// The bridge-N file holding each dihedral variant of bridge-1-original.
constexpr const char* kBridgeFiles[] = {
    "bridge-1-original.jpg",    "bridge-2-rotate-90.jpg",
    "bridge-3-rotate-180.jpg",  "bridge-4-rotate-270.jpg",
    "bridge-5-flipx.jpg",       "bridge-6-flipy.jpg",
    "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg"};

std::vector<std::string> ReadLines(const std::string& path) {
  std::istringstream in(ReadTextFile(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) {
    fields.push_back(field);
  }
  return fields;
}

class MatchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // reference_hashes.csv: hash,quality,file -> one pdq entry per file;
    // reference_dihedral.csv: the 8 variants of bridge-1-original.
    std::ofstream bank(BankPath());
    bank << "# built by match_command_test\n";
    for (const std::string& line :
         ReadLines(TestdataPath("pdq/reference_hashes.csv"))) {
      const std::vector<std::string> fields = Split(line);
      bank << "pdq," << fields[0] << "," << fields[2] << ",reference,photo\n";
    }
    const std::vector<std::string> dihedral =
        Split(ReadLines(TestdataPath("pdq/reference_dihedral.csv")).back());
    for (int t = 0; t < 8; ++t) {
      dihedral_hex_.push_back(dihedral[t]);
      bank << "PDQ," << dihedral[t] << ",dihedral-" << kDihedralNames[t]
           << ",dihedral\n";
    }
    bank << "md5," << Md5sumOfFile(TestdataPath("pdq/q0003.jpg"))
         << ",md5-\"q0003\",exact,\n";
  }

  std::string BankPath() const { return dir_.File("bank.csv"); }

  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return RunMatchCommand(args, out_, err_);
  }

  // The output lines containing every one of `parts`.
  std::vector<std::string> LinesWith(const std::vector<std::string>& parts) {
    std::vector<std::string> found;
    std::stringstream stream(out_.str());
    for (std::string line; std::getline(stream, line);) {
      bool all = true;
      for (const std::string& part : parts) {
        all = all && line.find(part) != std::string::npos;
      }
      if (all) found.push_back(line);
    }
    return found;
  }

  static int Distance(const std::string& json_line) {
    std::smatch match;
    EXPECT_TRUE(std::regex_search(json_line, match,
                                  std::regex("\"distance\":\\s*([0-9]+)")));
    return match.empty() ? -1 : std::stoi(match[1]);
  }

  // A directory of this test's own: ctest runs the tests of this binary
  // as parallel processes, which must not share (and delete) one.
  clearmatch::testing::TempDir dir_;
  std::vector<std::string> dihedral_hex_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(MatchCommandTest, DihedralFindsEveryRotatedVariantOfTheBridge) {
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  ASSERT_EQ(Run({"--bank", BankPath(), "--dihedral", "--json", image}), 0)
      << err_.str();
  for (int t = 0; t < 8; ++t) {
    const std::string transform =
        std::string("\"transform\": \"") + kDihedralNames[t] + "\"";
    // The reference's own variant t of this image...
    const auto variant = LinesWith(
        {"\"entry_id\": \"dihedral-" + std::string(kDihedralNames[t]) + "\"",
         transform, "\"hash_type\": \"pdq\"", "\"bank\": \"dihedral\""});
    ASSERT_EQ(variant.size(), 1u) << kDihedralNames[t] << "\n" << out_.str();
    EXPECT_LE(Distance(variant[0]), 31);
    EXPECT_THAT(variant[0], HasSubstr("\"query\": \"" + image + "\""));
    // ...and the separately saved rotated file.
    const auto file = LinesWith(
        {"\"entry_id\": \"" + std::string(kBridgeFiles[t]) + "\"", transform});
    ASSERT_EQ(file.size(), 1u) << kBridgeFiles[t] << "\n" << out_.str();
    EXPECT_LE(Distance(file[0]), 31);
  }
}

TEST_F(MatchCommandTest, AFramedCopyMatchesByItsTrimmedContent) {
  const std::string framed = dir_.File("framed.jpg");
  ASSERT_EQ(std::system(("ffmpeg -v error -y -i '" +
                         TestdataPath("pdq/bridge-1-original.jpg") +
                         "' -vf pad=iw+160:ih+100:30:70:color=gray -q:v 3 '" +
                         framed + "'")
                            .c_str()),
            0);
  ASSERT_EQ(Run({"--bank", BankPath(), "--json", framed}), 0) << err_.str();
  const auto trimmed = LinesWith(
      {"\"entry_id\": \"dihedral-original\"", "\"transform\": \"trimmed\""});
  ASSERT_EQ(trimmed.size(), 1u) << out_.str();
  EXPECT_LE(Distance(trimmed[0]), 31);
  // --no-trim: the framed picture alone matches nothing.
  EXPECT_EQ(Run({"--bank", BankPath(), "--no-trim", "--json", framed}), 0);
  EXPECT_THAT(LinesWith({"\"entry_id\": \"dihedral-original\""}), IsEmpty());
  EXPECT_THAT(LinesWith({"trimmed"}), IsEmpty());
}

TEST_F(MatchCommandTest, WithoutDihedralOnlyTheOriginalVariantMatches) {
  const std::string image = TestdataPath("pdq/bridge-2-rotate-90.jpg");
  ASSERT_EQ(Run({"--bank", BankPath(), "--no-dihedral", "--json", image}), 0)
      << err_.str();
  EXPECT_EQ(LinesWith({"\"entry_id\": \"dihedral-rot90\"",
                       "\"transform\": \"original\""})
                .size(),
            1u)
      << out_.str();
  EXPECT_THAT(LinesWith({"\"transform\": \"rot"}), IsEmpty());
  EXPECT_THAT(LinesWith({"\"entry_id\": \"dihedral-original\""}), IsEmpty());
}

TEST_F(MatchCommandTest, ExactMd5HitOnMediaFileWithEscapedJson) {
  const std::string image = TestdataPath("pdq/q0003.jpg");
  ASSERT_EQ(Run({"--bank", BankPath(), "--json", image}), 0) << err_.str();
  const auto lines = LinesWith({"\"hash_type\": \"md5\""});
  ASSERT_EQ(lines.size(), 1u) << out_.str();
  EXPECT_THAT(lines[0], HasSubstr("\"entry_id\": \"md5-\\\"q0003\\\"\""));
  EXPECT_EQ(Distance(lines[0]), 0);
  EXPECT_THAT(lines[0], HasSubstr("\"transform\": \"original\""));
}

TEST_F(MatchCommandTest, HashesFileMatchesAndReportsBadLines) {
  const std::string hashes = dir_.File("hashes.txt");
  std::string upper = dihedral_hex_[1];
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  std::ofstream(hashes) << "# queries\n"
                        << upper << "\n\nnot-a-hash\n"
                        << std::string(64, '0') << "\n";
  ASSERT_EQ(
      Run({"--bank", BankPath(), "--hashes", hashes, "--max-distance", "0"}),
      1);
  // Query shown in lowercase; distance 0 finds exactly the same hash.
  const auto hits =
      LinesWith({dihedral_hex_[1] + ": pdq match dihedral-rot90"});
  ASSERT_EQ(hits.size(), 1u) << out_.str();
  EXPECT_THAT(hits[0], HasSubstr("distance 0 (original)"));
  EXPECT_THAT(err_.str(), HasSubstr("line 4"));
  EXPECT_THAT(LinesWith({std::string(64, '0'), " match "}), IsEmpty());
  EXPECT_THAT(
      LinesWith({std::string(64, '0') + ": decision ALLOW (0 matches)"}),
      Not(IsEmpty()));
}

TEST_F(MatchCommandTest, TheDaemonConfigsPoliciesDecide) {
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  const std::string entry = "\"entry_id\": \"bridge-1-original.jpg\"";
  // Default policy: an upload of a banked image is blocked.
  ASSERT_EQ(Run({"--bank", BankPath(), "--json", image}), 0) << err_.str();
  EXPECT_THAT(LinesWith({entry, "\"decision\": \"BLOCK\""}), Not(IsEmpty()));
  EXPECT_THAT(LinesWith({"\"decision\": \"BLOCK\"", "\"matches\": "}),
              Not(IsEmpty()));

  const std::string config = dir_.File("clearmatchd.textproto");
  std::ofstream(config) << "default_policy { upload_action: REVIEW }\n"
                        << "banks { bank: \"dihedral\" "
                           "policy { shadow: true upload_action: BLOCK } }\n";
  ASSERT_EQ(Run({"--bank", BankPath(), "--config", config, image}), 0)
      << err_.str();
  EXPECT_THAT(LinesWith({"match bridge-1-original.jpg", ") REVIEW"}),
              Not(IsEmpty()))
      << out_.str();
  EXPECT_THAT(LinesWith({"match dihedral-original", "BLOCK shadow"}),
              Not(IsEmpty()))
      << out_.str();
  // Shadow matches never decide.
  EXPECT_THAT(LinesWith({image + ": decision REVIEW"}), Not(IsEmpty()));

  ASSERT_EQ(Run({"--bank", BankPath(), "--config", config, "--context",
                 "rescan", image}),
            0);
  EXPECT_THAT(LinesWith({image + ": decision TAKEDOWN"}), Not(IsEmpty()));

  std::ofstream(config) << "default_policy { auto_distance: 40 }\n";
  EXPECT_EQ(Run({"--bank", BankPath(), "--config", config, image}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("default_policy.auto_distance"));
}

TEST_F(MatchCommandTest, HashesWithoutQualityAreOnlyReviewed) {
  const std::string hashes = dir_.File("hashes.txt");
  std::ofstream(hashes) << dihedral_hex_[0] << "\n"
                        << dihedral_hex_[1] << ",90\n"
                        << dihedral_hex_[2] << ",high\n";
  EXPECT_EQ(Run({"--bank", BankPath(), "--hashes", hashes}), 1);
  EXPECT_THAT(LinesWith({dihedral_hex_[0] + ": decision REVIEW"}),
              Not(IsEmpty()))
      << out_.str();
  EXPECT_THAT(LinesWith({dihedral_hex_[1] + ": decision BLOCK"}),
              Not(IsEmpty()))
      << out_.str();
  EXPECT_THAT(err_.str(), HasSubstr("line 3: quality 'high'"));
}

TEST_F(MatchCommandTest, MissingMediaFailsButOthersRun) {
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  EXPECT_EQ(Run({"--bank", BankPath(), dir_.File("missing.jpg"), image}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("missing.jpg"));
  EXPECT_THAT(LinesWith({"dihedral-original"}), Not(IsEmpty()));
}

TEST_F(MatchCommandTest, BadBankNamesTheLine) {
  const std::string bank = dir_.File("bad.csv");
  std::ofstream(bank) << "pdq," << std::string(64, 'a') << ",ok\nsha1,xyz,e\n";
  EXPECT_EQ(Run({"--bank", bank, "--hashes", bank}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("line 2"));
}

TEST_F(MatchCommandTest, UsageErrors) {
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  EXPECT_EQ(Run({image}), 2);                 // no --bank
  EXPECT_EQ(Run({"--bank", BankPath()}), 2);  // no queries
  EXPECT_EQ(Run({"--bank", BankPath(), "--max-distance", "48", image}), 2);
  EXPECT_EQ(Run({"--bank", BankPath(), "--max-distance", "x", image}), 2);
  EXPECT_EQ(Run({"--bank", BankPath(), "--hashes", BankPath(), image}), 2);
  EXPECT_EQ(Run({"--bank", BankPath(), "--frobnicate", image}), 2);
  EXPECT_EQ(Run({"--bank", BankPath(), "--context", "later", image}), 2);
  EXPECT_EQ(Run({"--bank"}), 2);
  EXPECT_THAT(err_.str(), HasSubstr("usage"));
}

}  // namespace
}  // namespace clearmatch::cli
