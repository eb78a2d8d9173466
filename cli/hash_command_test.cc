#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/pdq_hash.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::cli {
namespace {

using ::clearmatch::testing::BinaryPath;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::Sha1sumOfFile;
using ::clearmatch::testing::Sha256sumOfFile;
using ::clearmatch::testing::TestdataPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};

RunResult RunHash(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = RunHashCommand(args, out, err);
  return {code, out.str(), err.str()};
}

// The keys of a one-line JSON object, in order.
std::vector<std::string> JsonKeys(const std::string& line) {
  static const std::regex kKey("\"([a-z_0-9]+)\": ");
  std::vector<std::string> keys;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), kKey);
       it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1]);
  }
  return keys;
}

std::string JsonString(const std::string& line, const std::string& key) {
  const std::regex pattern("\"" + key + "\": \"([^\"]*)\"");
  std::smatch match;
  return std::regex_search(line, match, pattern) ? match[1].str() : "";
}

// `file` inside a white frame (or the ffmpeg `pad` given), made by the
// ffmpeg CLI in the test's temporary directory.
std::string Framed(const testing::TempDir& dir, const std::string& file,
                   const std::string& pad = "iw+80:ih+60:40:30:color=white") {
  const std::string out = dir.path() + "/framed.jpg";
  const std::string command = "ffmpeg -v error -y -i '" + file +
                              "' -vf pad=" + pad + " -q:v 3 '" + out + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return out;
}

TEST(HashCommandTest, ABorderReadTwoWaysPrintsBothContents) {
  // q1050 has a strip along its right side: letterboxed, the first reading
  // trims it with the bars, the second keeps it (the photo as banked).
  const testing::TempDir dir;
  const std::string boxed =
      Framed(dir, TestdataPath("pdq/q1050.jpg"), "iw:ih+86:0:43:color=black");
  RunResult r = RunHash({"--json", boxed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(JsonKeys(r.out),
              ElementsAre("file", "pdq", "quality", "md5", "sha1", "sha256",
                          "trimmed", "rect", "pdq", "quality",
                          "trimmed_alternative", "rect", "pdq", "quality"));
  const std::regex alternative_pdq(
      "\"trimmed_alternative\": \\{[^}]*\"pdq\": \"([0-9a-f]+)\"");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(r.out, match, alternative_pdq)) << r.out;
  const PdqHash reference = *PdqHash::FromHex(ReferencePdqHash("q1050.jpg"));
  EXPECT_LE(PdqHash::FromHex(match[1].str())->DistanceTo(reference), 31);
  // Plain output: a line per reading.
  r = RunHash({boxed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[1], ::testing::EndsWith(boxed + ",trimmed"));
  EXPECT_THAT(lines[2], ::testing::EndsWith(boxed + ",trimmed"));
}

TEST(HashCommandTest, BorderedImagesAlsoPrintTheirTrimmedContent) {
  const testing::TempDir dir;
  const std::string framed = Framed(dir, TestdataPath("pdq/q2821.jpg"));
  RunResult r = RunHash({"--json", framed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(JsonKeys(r.out),
              ElementsAre("file", "pdq", "quality", "md5", "sha1", "sha256",
                          "trimmed", "rect", "pdq", "quality"));
  EXPECT_THAT(r.out, HasSubstr("\"rect\": ["));
  // The trimmed content hashes close to the photo; the framed one does not.
  const std::regex trimmed_pdq("\"trimmed\": \\{[^}]*\"pdq\": \"([0-9a-f]+)\"");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(r.out, match, trimmed_pdq)) << r.out;
  const PdqHash reference = *PdqHash::FromHex(ReferencePdqHash("q2821.jpg"));
  EXPECT_LE(PdqHash::FromHex(match[1].str())->DistanceTo(reference), 31);
  EXPECT_GT(PdqHash::FromHex(JsonString(r.out, "pdq"))->DistanceTo(reference),
            31);
  // Plain output: a second line for the content.
  r = RunHash({framed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_THAT(lines[1], ::testing::EndsWith(framed + ",trimmed"));
  // --no-trim: the image as it is only.
  r = RunHash({"--no-trim", "--json", framed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("trimmed")));
}

// The PDQ hashes of the frames in the JSON array `key` of `line`.
std::vector<PdqHash> FrameHashes(const std::string& line,
                                 const std::string& key) {
  const size_t start = line.find("\"" + key + "\": [");
  if (start == std::string::npos) return {};
  const std::string array = line.substr(start, line.find(']', start) - start);
  const std::regex pdq("\"pdq\": \"([0-9a-f]{64})\"");
  std::vector<PdqHash> hashes;
  for (auto it = std::sregex_iterator(array.begin(), array.end(), pdq);
       it != std::sregex_iterator(); ++it) {
    hashes.push_back(*PdqHash::FromHex((*it)[1].str()));
  }
  return hashes;
}

TEST(HashCommandTest, LetterboxedVideosAlsoPrintTheirTrimmedFrames) {
  const testing::TempDir dir;
  const std::string boxed = dir.path() + "/boxed.mp4";
  const std::string command =
      "ffmpeg -v error -nostdin -y -i '" +
      TestdataPath("vpdq/pattern-hd-no-bar.mp4") +
      "' -an -vf 'pad=iw:trunc(ih*4/3/2)*2:0:(oh-ih)/2:black' -c:v libx264 "
      "-preset ultrafast '" +
      boxed + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  RunResult r = RunHash({"--json", boxed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every trimmed frame is within 31 bits of the reference's hash of the
  // frame without bars (frame,quality,hash,seconds lines).
  const std::vector<PdqHash> trimmed = FrameHashes(r.out, "vpdq_trimmed");
  std::istringstream reference(
      ReadTextFile(TestdataPath("vpdq/reference_r1/pattern-hd-no-bar.txt")));
  std::vector<PdqHash> expected;
  for (std::string line; std::getline(reference, line);) {
    const std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() >= 3) expected.push_back(*PdqHash::FromHex(fields[2]));
  }
  ASSERT_EQ(trimmed.size(), expected.size()) << r.out;
  ASSERT_EQ(FrameHashes(r.out, "vpdq").size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_LE(trimmed[i].DistanceTo(expected[i]), 31) << i;
    EXPECT_GT(FrameHashes(r.out, "vpdq")[i].DistanceTo(expected[i]), 31) << i;
  }
  // Plain output stays the reference's form; --no-trim and a video without
  // bars have no trimmed frames.
  r = RunHash({boxed});
  EXPECT_THAT(r.out, Not(HasSubstr("trimmed")));
  r = RunHash({"--json", "--no-trim", boxed});
  EXPECT_THAT(r.out, Not(HasSubstr("vpdq_trimmed")));
  r = RunHash({"--json", TestdataPath("vpdq/pattern-hd-no-bar.mp4")});
  EXPECT_THAT(r.out, Not(HasSubstr("vpdq_trimmed")));
}

TEST(HashCommandTest, JsonHasExactlyTheDocumentedKeys) {
  // (q0122 has a 2-pixel dark line at its top, trimmed by default.)
  const std::string file = TestdataPath("pdq/q0122.jpg");
  RunResult r = RunHash({"--json", "--no-trim", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(JsonKeys(r.out),
              ElementsAre("file", "pdq", "quality", "md5", "sha1", "sha256"));
  EXPECT_EQ(JsonString(r.out, "file"), file);
  EXPECT_EQ(JsonString(r.out, "pdq"), ReferencePdqHash("q0122.jpg"));
  EXPECT_THAT(r.out, HasSubstr("\"quality\": 100"));
  // Digests as the system's md5sum / sha1sum / sha256sum print them.
  const std::string md5 = Md5sumOfFile(file);
  ASSERT_EQ(md5.size(), 32u) << "md5sum did not run";
  EXPECT_EQ(JsonString(r.out, "md5"), md5);
  EXPECT_EQ(JsonString(r.out, "sha1"), Sha1sumOfFile(file));
  EXPECT_EQ(JsonString(r.out, "sha256"), Sha256sumOfFile(file));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST(HashCommandTest, DihedralArrayIsInTheReferenceOrder) {
  RunResult r = RunHash(
      {"--json", "--dihedral", TestdataPath("pdq/bridge-1-original.jpg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(JsonKeys(r.out), ElementsAre("file", "pdq", "quality", "md5",
                                           "sha1", "sha256", "pdq_dihedral"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      r.out, match, std::regex("\"pdq_dihedral\": \\[([^\\]]*)\\]")));
  std::vector<std::string> ours = absl::StrSplit(match[1].str(), ", ");
  ASSERT_EQ(ours.size(), 8u);
  std::istringstream in(
      ReadTextFile(TestdataPath("pdq/reference_dihedral.csv")));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> reference = absl::StrSplit(line, ',');
  for (int t = 0; t < 8; ++t) {
    auto a = PdqHash::FromHex(ours[t].substr(1, 64));
    auto b = PdqHash::FromHex(reference[t]);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_LE(a->DistanceTo(*b), 8) << "variant " << t;
  }
}

TEST(HashCommandTest, PlainOutputIsReferenceCsvShape) {
  // (q0746 has uniform bands at its bottom and right edges: trimmed by
  // default, which adds a second line; BorderedImagesAlso... tests that.)
  const std::string file = TestdataPath("pdq/q0746.jpg");
  RunResult r = RunHash({"--no-trim", file});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, ReferencePdqHash("q0746.jpg") + ",100," + file + "\n");
}

TEST(HashCommandTest, FailingFileReportsErrorAndOthersStillRun) {
  const std::string good = TestdataPath("pdq/q0122.jpg");
  RunResult r = RunHash({"--json", "/nonexistent/x.jpg", good});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(JsonKeys(lines[0]), ElementsAre("file", "error"));
  EXPECT_THAT(lines[0], HasSubstr("No such file"));
  EXPECT_EQ(JsonString(lines[1], "pdq"), ReferencePdqHash("q0122.jpg"));

  RunResult plain = RunHash({"/nonexistent/x.jpg"});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("/nonexistent/x.jpg: error:"));
}

TEST(HashCommandTest, UsageErrors) {
  EXPECT_EQ(RunHash({}).exit_code, 2);
  RunResult r = RunHash({"--bogus", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bogus"));
}

TEST(HashCommandTest, BinaryReadsStandardInput) {
  const std::string command = BinaryPath("cli/clearmatch") +
                              " hash --json - < " +
                              TestdataPath("pdq/q2821.jpg");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(JsonString(out, "file"), "-");
  EXPECT_EQ(JsonString(out, "pdq"), ReferencePdqHash("q2821.jpg"));
}

}  // namespace
}  // namespace clearmatch::cli
