// Bank CSV parser: the accepted syntax and an error naming the line for
// every class of bad input.
#include "bank/bank_csv.h"

#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

constexpr char kPdq[] =
    "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

TEST(BankCsvTest, ParsesEveryTypeCommentsBlankLinesAndOptionalColumns) {
  const std::string csv = absl::StrCat(
      "# hash_type,hash,entry_id,bank,category\n"
      "\n"
      "pdq,",
      kPdq,
      ",e1,tid,ncii\r\n"
      "  MD5 , 0123456789ABCDEF0123456789abcdef , e2 ,, # trailing comment\n"
      "sha1,",
      std::string(40, 'f'),
      ",e3\n"
      "SHA256,",
      std::string(64, '0'), ",e4,bank4\n");
  BankCsvOptions options;
  options.source_feed = "csv";
  options.added_at = 5;
  auto entries = ParseBankCsv(csv, options);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 4u);
  const HashEntry& pdq = (*entries)[0];
  EXPECT_EQ(pdq.type, HashType::kPdq);
  EXPECT_EQ(pdq.pdq.ToHex(), kPdq);
  EXPECT_EQ(pdq.entry_id, "e1");
  EXPECT_EQ(pdq.bank, "tid");
  EXPECT_EQ(pdq.category, "ncii");
  EXPECT_EQ(pdq.source_feed, "csv");
  EXPECT_EQ(pdq.added_at, 5);
  const HashEntry& md5 = (*entries)[1];
  EXPECT_EQ(md5.type, HashType::kMd5);
  EXPECT_EQ(md5.digest, std::string("\x01\x23\x45\x67\x89\xab\xcd\xef"
                                    "\x01\x23\x45\x67\x89\xab\xcd\xef",
                                    16));
  EXPECT_EQ(md5.entry_id, "e2");
  EXPECT_EQ(md5.bank, "");
  EXPECT_EQ((*entries)[2].digest, std::string(20, '\xff'));
  EXPECT_EQ((*entries)[3].type, HashType::kSha256);
  EXPECT_EQ((*entries)[3].bank, "bank4");
  EXPECT_EQ((*entries)[3].category, "");
}

void ExpectLineError(const std::string& csv, int line,
                     const std::string& what) {
  auto entries = ParseBankCsv(csv, {});
  ASSERT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument) << csv;
  EXPECT_THAT(std::string(entries.status().message()),
              HasSubstr("line " + std::to_string(line) + ":"));
  EXPECT_THAT(std::string(entries.status().message()), HasSubstr(what));
}

TEST(BankCsvTest, ErrorsNameTheLineAndTheProblem) {
  const std::string good = absl::StrCat("pdq,", kPdq, ",ok\n");
  std::string bad_hex = absl::StrCat("pdq,", kPdq);
  bad_hex[10] = 'g';
  ExpectLineError(good + "# c\n" + bad_hex + ",e\n", 3, "non-hex");
  ExpectLineError(good + "md5,abcd,e\n", 2,
                  "md5 hash has 4 hex digits, expected 32");
  ExpectLineError(good + "pdq," + std::string(62, 'a') + ",e\n", 2,
                  "62 hex digits, expected 64");
  ExpectLineError("crc32,abcd,e\n", 1, "unknown hash type 'crc32'");
  ExpectLineError("vpdq,abcd,e\n", 1, "unknown hash type");
  ExpectLineError(good + good + "pdq," + kPdq + ",e,b,c,extra\n", 3,
                  "too many columns");
  ExpectLineError("pdq," + std::string(kPdq) + "\n", 1, "columns");
  ExpectLineError("pdq," + std::string(kPdq) + ",,bank\n", 1, "entry_id");
}

TEST(BankCsvTest, EnforcesLineAndFileLimits) {
  const std::string long_line =
      "pdq," + std::string(kPdq) + ",e," + std::string(5000, 'b') + "\n";
  auto too_long = ParseBankCsv(long_line, {});
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.status().message()), HasSubstr("line 1:"));
  BankCsvOptions small;
  small.max_file_bytes = 99;
  auto too_big = ParseBankCsv(std::string(100, '\n'), small);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadBankCsvFile("/nonexistent/bank.csv", {}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(BankCsvTest, ReadsAFileWithinItsLimitAndNamesThePathOnErrors) {
  const std::string path = ::testing::TempDir() + "/bank_csv_test.csv";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "pdq," << kPdq << ",e1,tid\nmd5,zz,e2\n";
  }
  auto bad = ReadBankCsvFile(path, {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr(path + ": line 2:"));
  BankCsvOptions small;
  small.max_file_bytes = 10;
  auto big = ReadBankCsvFile(path, small);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(big.status().message()), HasSubstr(path));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "pdq," << kPdq << ",e1,tid\n";
  }
  auto good = ReadBankCsvFile(path, {});
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_EQ(good->size(), 1u);
  EXPECT_EQ((*good)[0].bank, "tid");
  std::remove(path.c_str());
}

TEST(BankCsvTest, EmptyFileIsAnEmptyBank) {
  auto entries = ParseBankCsv("# nothing\n\n", {});
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

}  // namespace
}  // namespace clearmatch
