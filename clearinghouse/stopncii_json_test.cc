// ParseFetchHashesPage and BuildSubmitFeedbackBody on pages written by hand
// from the spec (../shared/specs/CLEARINGHOUSES.md, "StopNCII API").
#include "clearinghouse/stopncii_json.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kPdqUpper[] =
    "F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22";
constexpr char kPdqLower[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kMd5[] = "d41d8cd98f00b204e9800998ecf8427e";

// Two records as the spec shows them, with case numbers and feedbacks.
constexpr char kPage[] = R"json({
  "count": 2,
  "nextPageToken": "eyJwYWdlIjoyfQ==",
  "nextSetTimestamp": 1700000500,
  "hasMoreRecords": true,
  "hashRecords": [
    {"lastModtimestamp": 1700000100, "signalType": "ImagePDQ",
     "hashValue": "F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22",
     "hashStatus": "Active",
     "caseNumbers": {"6f1c2a9e-0d5b-4c1e-9a57-1e0b8f2d3c44": "Active"},
     "CSPFeedbacks": [{"source": "Example", "feedbackValue": "Blocked",
                       "tags": ["reviewed"]}]},
    {"lastModtimestamp": 1700000200, "signalType": "VideoMD5",
     "hashValue": "d41d8cd98f00b204e9800998ecf8427e",
     "hashStatus": "Withdrawn", "caseNumbers": {}, "CSPFeedbacks": []}
  ]
})json";

StopNciiPage MustParse(const std::string& body) {
  absl::StatusOr<StopNciiPage> page =
      ParseFetchHashesPage(body, StopNciiJsonLimits{});
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : StopNciiPage{};
}

absl::Status ParseError(const std::string& body,
                        StopNciiJsonLimits limits = {}) {
  return ParseFetchHashesPage(body, limits).status();
}

// A one-record page whose record is `record` (JSON object text).
std::string PageWith(const std::string& record) {
  return absl::StrCat(
      R"({"count":1,"nextPageToken":null,"nextSetTimestamp":5,)",
      R"("hasMoreRecords":false,"hashRecords":[)", record, "]}");
}

TEST(StopNciiJsonTest, ReadsPageFieldsAndRecords) {
  StopNciiPage page = MustParse(kPage);
  EXPECT_EQ(page.count, 2);
  EXPECT_EQ(page.next_page_token, "eyJwYWdlIjoyfQ==");
  EXPECT_EQ(page.next_set_timestamp, 1700000500);
  EXPECT_TRUE(page.has_more_records);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].signal, StopNciiSignal::kImagePdq);
  EXPECT_EQ(page.records[0].hash_value, kPdqLower);  // lowercased
  EXPECT_EQ(page.records[0].last_modified, 1700000100);
  EXPECT_FALSE(page.records[0].withdrawn);
  EXPECT_EQ(page.records[1].signal, StopNciiSignal::kVideoMd5);
  EXPECT_EQ(page.records[1].hash_value, kMd5);
  EXPECT_TRUE(page.records[1].withdrawn);
  EXPECT_TRUE(page.skipped.empty());
}

TEST(StopNciiJsonTest, LastPageHasNullTokenAndNoRecords) {
  StopNciiPage page = MustParse(
      R"({"count":0,"nextPageToken":null,"nextSetTimestamp":1700000900,)"
      R"("hasMoreRecords":false,"hashRecords":[]})");
  EXPECT_FALSE(page.next_page_token.has_value());
  EXPECT_FALSE(page.has_more_records);
  EXPECT_EQ(page.next_set_timestamp, 1700000900);
  EXPECT_TRUE(page.records.empty());
}

TEST(StopNciiJsonTest, WithdrawalIsReadFromHashStatusOnly) {
  // Deleted withdraws even with an active case and a Blocked feedback.
  StopNciiPage deleted = MustParse(PageWith(absl::StrCat(
      R"({"lastModtimestamp":1,"signalType":"VideoMD5","hashValue":")", kMd5,
      R"(","hashStatus":"Deleted","caseNumbers":{"c1":"Active"},)",
      R"("CSPFeedbacks":[{"source":"x","feedbackValue":"Blocked"}]})")));
  ASSERT_EQ(deleted.records.size(), 1u);
  EXPECT_TRUE(deleted.records[0].withdrawn);
  // Received stays matched even when its case says Withdrawn.
  StopNciiPage received = MustParse(PageWith(absl::StrCat(
      R"({"lastModtimestamp":1,"signalType":"VideoMD5","hashValue":")", kMd5,
      R"(","hashStatus":"Received","caseNumbers":{"c1":"Withdrawn"}})")));
  ASSERT_EQ(received.records.size(), 1u);
  EXPECT_FALSE(received.records[0].withdrawn);
}

TEST(StopNciiJsonTest, OtherSignalTypesAndUnknownStatusesAreCounted) {
  StopNciiPage page = MustParse(
      R"({"count":6,"nextPageToken":null,"nextSetTimestamp":9,)"
      R"("hasMoreRecords":false,"futureField":{"a":[1,2]},"hashRecords":[)"
      R"({"lastModtimestamp":1,"signalType":"VideoTMK","hashValue":"abc",)"
      R"("hashStatus":"Active"},)"
      R"({"lastModtimestamp":1,"signalType":"Text","hashValue":"x",)"
      R"("hashStatus":"Active"},)"
      R"({"lastModtimestamp":1,"signalType":"URL","hashValue":"y",)"
      R"("hashStatus":"Active"},)"
      R"({"lastModtimestamp":1,"signalType":"AudioXYZ","hashValue":"z",)"
      R"("hashStatus":"Active","extra":true},)"
      R"({"lastModtimestamp":1,"signalType":"VideoMD5",)"
      R"("hashValue":"d41d8cd98f00b204e9800998ecf8427e",)"
      R"("hashStatus":"Frozen"},)"
      R"({"lastModtimestamp":1,"signalType":"VideoMD5",)"
      R"("hashValue":"d41d8cd98f00b204e9800998ecf8427e",)"
      R"("hashStatus":"Unknown"}]})");
  EXPECT_TRUE(page.records.empty());
  EXPECT_THAT(page.skipped,
              ElementsAre(Pair("signal:AudioXYZ", 1), Pair("signal:Text", 1),
                          Pair("signal:URL", 1), Pair("signal:VideoTMK", 1),
                          Pair("status:Frozen", 1), Pair("status:Unknown", 1)));
}

TEST(StopNciiJsonTest, CountNamesAreSanitised) {
  StopNciiPage page = MustParse(
      PageWith(R"({"lastModtimestamp":1,"signalType":"a b\"c","hashValue":"",)"
               R"("hashStatus":"Active"})"));
  EXPECT_THAT(page.skipped, ElementsAre(Pair("signal:a?b?c", 1)));
}

TEST(StopNciiJsonTest, WrongHashLengthRefusesThePage) {
  absl::Status short_pdq = ParseError(PageWith(absl::StrCat(
      R"({"lastModtimestamp":1,"signalType":"ImagePDQ","hashValue":")",
      std::string(kPdqLower).substr(1), R"(","hashStatus":"Active"})")));
  EXPECT_EQ(short_pdq.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_pdq.message(),
              HasSubstr("hashRecords[0].hashValue: ImagePDQ hash has 63"));
  EXPECT_THAT(short_pdq.message(), ::testing::Not(HasSubstr("8f0cee0f4a8")));
  // A 64-digit value is no VideoMD5.
  absl::Status long_md5 = ParseError(PageWith(absl::StrCat(
      R"({"lastModtimestamp":1,"signalType":"VideoMD5","hashValue":")",
      kPdqLower, R"(","hashStatus":"Active"})")));
  EXPECT_THAT(long_md5.message(), HasSubstr("VideoMD5 hash has 64"));
  absl::Status not_hex = ParseError(PageWith(
      R"({"lastModtimestamp":1,"signalType":"VideoMD5",)"
      R"("hashValue":"z41d8cd98f00b204e9800998ecf8427e","hashStatus":"Active"})"));
  EXPECT_THAT(not_hex.message(), HasSubstr("non-hex character at position 1"));
}

TEST(StopNciiJsonTest, WrongTypesRefuseThePageNamingTheField) {
  const std::string good = absl::StrCat(
      R"({"lastModtimestamp":1,"signalType":"ImagePDQ","hashValue":")",
      kPdqUpper, R"(","hashStatus":"Active"})");
  struct Case {
    std::string body;
    std::string field;
  };
  const Case cases[] = {
      {absl::StrReplaceAll(PageWith(good),
                           {{R"("count":1)", R"("count":"1")"}}),
       "count: not an integer"},
      {absl::StrReplaceAll(PageWith(good), {{R"("nextSetTimestamp":5)",
                                             R"("nextSetTimestamp":5.5)"}}),
       "nextSetTimestamp: not an integer"},
      {absl::StrReplaceAll(PageWith(good), {{R"("hasMoreRecords":false)",
                                             R"("hasMoreRecords":"false")"}}),
       "hasMoreRecords: not a boolean"},
      {absl::StrReplaceAll(PageWith(good), {{R"("nextPageToken":null)",
                                             R"("nextPageToken":7)"}}),
       "nextPageToken: neither a string nor null"},
      {absl::StrReplaceAll(PageWith(good), {{R"("lastModtimestamp":1)",
                                             R"("lastModtimestamp":"1")"}}),
       "hashRecords[0].lastModtimestamp: not an integer"},
      {absl::StrReplaceAll(PageWith(good), {{R"("lastModtimestamp":1)",
                                             R"("lastModtimestamp":-1)"}}),
       "hashRecords[0].lastModtimestamp: negative"},
      {absl::StrReplaceAll(PageWith(good),
                           {{R"("hashStatus":"Active")", R"("hashStatus":1)"}}),
       "hashRecords[0].hashStatus: not a string"},
      {absl::StrReplaceAll(PageWith(good),
                           {{R"("signalType":"ImagePDQ",)", ""}}),
       "hashRecords[0].signalType: missing"},
      {absl::StrReplaceAll(PageWith(good), {{R"("hashStatus":"Active")",
                                             R"("hashStatus":"Active",)"
                                             R"("caseNumbers":[])"}}),
       "hashRecords[0].caseNumbers: not an object"},
      {absl::StrReplaceAll(
           PageWith(good),
           {{R"("hashStatus":"Active")", R"("hashStatus":"Active",)"
                                         R"("CSPFeedbacks":[{"tags":"a"}])"}}),
       "hashRecords[0].CSPFeedbacks[0].tags: not an array"},
      {absl::StrReplaceAll(
           PageWith(good),
           {{R"("hashRecords":[)", R"("hashRecords":{"a":)"}, {"]}", "}}"}}),
       "hashRecords: not an array"},
      {absl::StrReplaceAll(PageWith(good), {{R"("hasMoreRecords":false)",
                                             R"("hasMoreRecords":true)"}}),
       "nextPageToken: missing while hasMoreRecords is true"},
      {"[1,2]", "(top level): not an object"},
  };
  for (const Case& c : cases) {
    absl::Status status = ParseError(c.body);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(status.message(), HasSubstr(c.field)) << c.body;
  }
}

TEST(StopNciiJsonTest, TruncatedJsonIsRefusedWithItsPosition) {
  const std::string page = kPage;
  absl::Status status = ParseError(page.substr(0, page.size() / 2));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not valid JSON at byte"));
  EXPECT_THAT(ParseError("").message(), HasSubstr("not valid JSON"));
}

// Found by fuzz/stopncii_json_fuzzer: nlohmann's parser throws out_of_range
// (not parse_error) for a number beyond a double, which ended the process.
TEST(StopNciiJsonTest, NumberOutOfRangeIsRefused) {
  for (const char* number : {"1E400", "-1e99999", "17005E7777777777777"}) {
    absl::Status status = ParseError(
        absl::StrCat(R"({"count":1,"nextPageToken":null,"nextSetTimestamp":)",
                     number, R"(,"hasMoreRecords":false,"hashRecords":[]})"));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << number;
    EXPECT_THAT(status.message(), HasSubstr("a number is out of range"));
  }
}

TEST(StopNciiJsonTest, SizeAndDepthLimitsAreCheckedBeforeParsing) {
  StopNciiJsonLimits limits;
  limits.max_page_bytes = 100;
  absl::Status big = ParseError(kPage, limits);
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(big.message(), HasSubstr("over the 100-byte limit"));
  // 20 nested arrays in an unknown field: over the default 16 levels, and
  // brackets inside strings do not count.
  const std::string deep = absl::StrCat(
      R"({"count":0,"nextSetTimestamp":1,"hasMoreRecords":false,"x":)",
      std::string(20, '['), std::string(20, ']'), R"(,"hashRecords":[]})");
  absl::Status nested = ParseError(deep);
  EXPECT_EQ(nested.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(nested.message(), HasSubstr("nested deeper than 16"));
  const std::string in_string = absl::StrCat(
      R"({"count":0,"nextSetTimestamp":1,"hasMoreRecords":false,"x":")",
      std::string(40, '['), R"(\"","hashRecords":[]})");
  EXPECT_TRUE(ParseFetchHashesPage(in_string, {}).ok());
}

TEST(StopNciiJsonTest, SubmitFeedbackBodyHasCountAndVerdicts) {
  const StopNciiFeedback feedbacks[] = {{kPdqLower, "Blocked"},
                                        {kMd5, "NotBlocked"}};
  nlohmann::json body =
      nlohmann::json::parse(BuildSubmitFeedbackBody(feedbacks));
  EXPECT_EQ(body["count"], 2);
  ASSERT_EQ(body["hashFeedbacks"].size(), 2u);
  EXPECT_EQ(body["hashFeedbacks"][0]["hashValue"], kPdqLower);
  EXPECT_EQ(body["hashFeedbacks"][0]["feedbackValue"], "Blocked");
  EXPECT_TRUE(body["hashFeedbacks"][0]["tags"].is_array());
  EXPECT_EQ(body["hashFeedbacks"][1]["hashValue"], kMd5);
  EXPECT_EQ(body["hashFeedbacks"][1]["feedbackValue"], "NotBlocked");
}

}  // namespace
}  // namespace clearmatch
