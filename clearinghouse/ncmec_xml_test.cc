// The NCMEC XML parsers on hand-written documents in the shapes the spec
// gives (../shared/specs/CLEARINGHOUSES.md).
#include "clearinghouse/ncmec_xml.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kMd5[] = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
constexpr char kSha1[] = "B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

// 2017-10-24T15:00:00Z.
constexpr int64_t kT0 = 1508857200;

constexpr char kSpecPage[] =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
  <images count="2" maxTimestamp="2017-10-24T15:10:00Z">
    <image>
      <member id="42">Example Member</member>
      <timestamp>2017-10-24T15:00:00Z</timestamp>
      <id>image1</id>
      <classification>A1</classification>
      <fingerprints>
        <md5>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1</md5>
        <sha1>B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1</sha1>
        <pdq>f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22</pdq>
        <pdna>1,2,3,4</pdna>
      </fingerprints>
      <feedback lastUpdateTimestamp="2023-06-01T12:48:14Z">
        <affirmativeFeedback type="Md5">
          <members timestamp="2023-06-01T12:48:14Z"><member id="9">Other</member></members>
        </affirmativeFeedback>
      </feedback>
    </image>
    <deletedImage>
      <member id="43">Example Member2</member>
      <id>image4</id>
      <timestamp>2017-10-24T15:10:00Z</timestamp>
    </deletedImage>
  </images>
  <videos count="2" maxTimestamp="2017-10-24T15:20:00Z">
    <video>
      <member id="42">Example Member</member>
      <timestamp>2017-10-24T15:00:00.977Z</timestamp>
      <id>video1</id>
      <fingerprints>
        <md5>b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1</md5>
        <tmk-pdqf rel="self" href="/v2/entries/1/fingerprints/TMK_PDQF"/>
      </fingerprints>
    </video>
    <deletedVideo>
      <member id="42">Example Member</member>
      <id>video4</id>
      <timestamp>2017-10-24T11:20:00-04:00</timestamp>
    </deletedVideo>
  </videos>
  <paging>
    <next>/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&amp;to=2017-10-30T00%3A00%3A00.000Z&amp;start=2001&amp;size=1000&amp;max=3000</next>
  </paging>
</queryResult>
)";

TEST(NcmecXmlTest, ParsesTheSpecPage) {
  absl::StatusOr<NcmecEntriesPage> page = ParseNcmecEntries(kSpecPage);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->image_count, 2);
  EXPECT_EQ(page->video_count, 2);
  EXPECT_EQ(page->next,
            "/v2/entries?from=2017-10-20T00%3A00%3A00.000Z&to=2017-10-30T00%"
            "3A00%3A00.000Z&start=2001&size=1000&max=3000");
  ASSERT_EQ(page->entries.size(), 4u);

  const NcmecEntry& image = page->entries[0];
  EXPECT_FALSE(image.video);
  EXPECT_FALSE(image.deleted);
  EXPECT_EQ(image.member_id, 42);
  EXPECT_EQ(image.id, "image1");
  EXPECT_EQ(image.timestamp, kT0);
  EXPECT_EQ(image.classification, "A1");
  EXPECT_THAT(image.fingerprints,
              ElementsAre(Pair("md5", kMd5), Pair("sha1", kSha1),
                          Pair("pdq", kPdq), Pair("pdna", "1,2,3,4")));

  const NcmecEntry& tombstone = page->entries[1];
  EXPECT_TRUE(tombstone.deleted);
  EXPECT_FALSE(tombstone.video);
  EXPECT_EQ(tombstone.member_id, 43);
  EXPECT_EQ(tombstone.id, "image4");
  EXPECT_EQ(tombstone.timestamp, kT0 + 600);
  EXPECT_THAT(tombstone.fingerprints, IsEmpty());

  const NcmecEntry& video = page->entries[2];
  EXPECT_TRUE(video.video);
  EXPECT_FALSE(video.deleted);
  EXPECT_EQ(video.timestamp, kT0);  // the fraction is dropped
  EXPECT_EQ(video.classification, "");
  EXPECT_THAT(video.fingerprints,
              ElementsAre(Pair("md5", "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"),
                          Pair("tmk-pdqf", "")));

  const NcmecEntry& deleted_video = page->entries[3];
  EXPECT_TRUE(deleted_video.video);
  EXPECT_TRUE(deleted_video.deleted);
  EXPECT_EQ(deleted_video.id, "video4");
  EXPECT_EQ(deleted_video.timestamp, kT0 + 1200);  // 11:20 at -04:00
}

TEST(NcmecXmlTest, IgnoresNamespacePrefixesAndUnknownElements) {
  const std::string xml = absl::StrCat(
      R"(<ns2:queryResult xmlns:ns2="https://hashsharing.ncmec.org/hashsharing/v2">
  <ns2:notice>new in v3</ns2:notice>
  <ns2:images count="1"><ns2:somethingElse/>
    <ns2:image><ns2:member id="5">M</ns2:member><ns2:id>x-1</ns2:id>
      <ns2:timestamp>2017-10-24T15:00:00Z</ns2:timestamp>
      <ns2:classification>Q7</ns2:classification><ns2:rating>3</ns2:rating>
      <ns2:fingerprints><ns2:PDQ>)",
      kPdq, R"(</ns2:PDQ><ns2:netclean>zz</ns2:netclean></ns2:fingerprints>
    </ns2:image>
  </ns2:images>
  <ns2:paging><ns2:next/></ns2:paging>
</ns2:queryResult>)");
  absl::StatusOr<NcmecEntriesPage> page = ParseNcmecEntries(xml);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].member_id, 5);
  EXPECT_EQ(page->entries[0].id, "x-1");
  EXPECT_EQ(page->entries[0].classification, "Q7");
  EXPECT_THAT(page->entries[0].fingerprints,
              ElementsAre(Pair("pdq", kPdq), Pair("netclean", "zz")));
  EXPECT_EQ(page->next, "");
}

TEST(NcmecXmlTest, AnEmptyResultHasNoEntriesAndNoNext) {
  absl::StatusOr<NcmecEntriesPage> page = ParseNcmecEntries(
      "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">"
      "<images/><videos count=\"0\"></videos></queryResult>");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->entries, IsEmpty());
  EXPECT_EQ(page->image_count, 0);
  EXPECT_EQ(page->next, "");
}

// One image with `fields` as its children.
std::string OneImage(const std::string& fields) {
  return absl::StrCat("<queryResult><images count=\"1\"><image>", fields,
                      "</image></images></queryResult>");
}

std::string Fingerprints(const std::string& inner) {
  return absl::StrCat(
      "<member id=\"42\">M</member><id>bad1</id>"
      "<timestamp>2017-10-24T15:00:00Z</timestamp><fingerprints>",
      inner, "</fingerprints>");
}

void ExpectRefused(const std::string& xml, absl::StatusCode code,
                   const std::string& message) {
  absl::StatusOr<NcmecEntriesPage> page = ParseNcmecEntries(xml);
  ASSERT_FALSE(page.ok()) << xml;
  EXPECT_EQ(page.status().code(), code) << page.status();
  EXPECT_THAT(page.status().message(), HasSubstr(message));
}

TEST(NcmecXmlTest, RefusesAPageWithAHashOfTheWrongLength) {
  ExpectRefused(
      OneImage(Fingerprints("<md5>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a</md5>")),
      absl::StatusCode::kDataLoss,
      "<image> 1 (member 42, id bad1): md5 has 31 hex digits, "
      "expected 32");
  ExpectRefused(OneImage(Fingerprints(absl::StrCat("<sha1>", kMd5, "</sha1>"))),
                absl::StatusCode::kDataLoss, "sha1 has 32 hex digits");
  ExpectRefused(OneImage(Fingerprints(absl::StrCat(
                    "<pdq>", std::string(kPdq).substr(1), "</pdq>"))),
                absl::StatusCode::kDataLoss,
                "pdq has 63 hex digits, expected 64");
  ExpectRefused(
      OneImage(Fingerprints("<md5>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1ag</md5>")),
      absl::StatusCode::kDataLoss,
      "md5 has a non-hex character at position 32");
  ExpectRefused(OneImage(Fingerprints(absl::StrCat("<md5>", kMd5, "</md5><md5>",
                                                   kMd5, "</md5>"))),
                absl::StatusCode::kDataLoss, "more than one <md5>");
}

TEST(NcmecXmlTest, RefusesAPageWithAnEntryMissingItsIdentity) {
  const std::string time = "<timestamp>2017-10-24T15:00:00Z</timestamp>";
  ExpectRefused(OneImage("<member id=\"42\">M</member>" + time),
                absl::StatusCode::kDataLoss, "<image> 1: no <id>");
  ExpectRefused(OneImage("<member>M</member><id>a</id>" + time),
                absl::StatusCode::kDataLoss, "no <member id>");
  ExpectRefused(OneImage("<member id=\"x\">M</member><id>a</id>" + time),
                absl::StatusCode::kDataLoss, "bad <member id=\"x\">");
  ExpectRefused(OneImage("<member id=\"42\">M</member><id>a</id>"),
                absl::StatusCode::kDataLoss, "no <timestamp>");
  ExpectRefused(OneImage("<member id=\"42\">M</member><id>a</id>"
                         "<timestamp>24/10/2017</timestamp>"),
                absl::StatusCode::kDataLoss, "bad <timestamp> \"24/10/2017\"");
  ExpectRefused("<queryResult><images count=\"-1\"/></queryResult>",
                absl::StatusCode::kDataLoss, "bad count attribute");
  // A bad entry after good ones still refuses the whole page.
  ExpectRefused(
      "<queryResult><videos><video><member id=\"1\"/><id>ok</id>"
      "<timestamp>2017-10-24T15:00:00Z</timestamp></video>"
      "<deletedVideo><member id=\"1\"/><timestamp>2017-10-24T15:00:00Z"
      "</timestamp></deletedVideo></videos></queryResult>",
      absl::StatusCode::kDataLoss, "<deletedVideo> 2: no <id>");
}

TEST(NcmecXmlTest, RefusesWhatIsNotAnEntriesPage) {
  ExpectRefused("", absl::StatusCode::kInvalidArgument, "not well-formed");
  ExpectRefused("<queryResult><images><image>",
                absl::StatusCode::kInvalidArgument, "not well-formed");
  ExpectRefused("<html><body>maintenance</body></html>",
                absl::StatusCode::kInvalidArgument,
                "the root element is <html>, expected <queryResult>");
  // A half page (a truncated transfer that still parsed as far as it went).
  const std::string spec = kSpecPage;
  ExpectRefused(spec.substr(0, spec.size() / 2),
                absl::StatusCode::kInvalidArgument, "not well-formed");
}

TEST(NcmecXmlTest, RefusesAnEntityBombFastWithoutExpandingIt) {
  std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
      "<!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&bomb, "<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) {
      absl::StrAppend(&bomb, "&lol", i == 1 ? "" : std::to_string(i - 1), ";");
    }
    bomb += "\">\n";
  }
  bomb +=
      "]>\n<queryResult><images><image><id>&lol9;</id></image></images>"
      "</queryResult>";
  const absl::Time start = absl::Now();
  ExpectRefused(bomb, absl::StatusCode::kInvalidArgument,
                "declares a DTD (<!DOCTYPE");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));
  ExpectRefused("<!ENTITY x \"y\"><queryResult/>",
                absl::StatusCode::kInvalidArgument, "(<!ENTITY");
  ExpectRefused("<!doctype queryResult><queryResult/>",
                absl::StatusCode::kInvalidArgument, "DTD");
}

TEST(NcmecXmlTest, EnforcesItsLimits) {
  NcmecXmlLimits limits;
  limits.max_bytes = 100;
  const std::string spec = kSpecPage;
  absl::StatusOr<NcmecEntriesPage> page = ParseNcmecEntries(spec, limits);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(page.status().message(),
              HasSubstr(absl::StrCat("response of ", spec.size(),
                                     " bytes is over the limit of 100")));

  limits = NcmecXmlLimits();
  limits.max_depth = 4;  // queryResult/images/image/fingerprints is fine
  EXPECT_TRUE(ParseNcmecEntries(OneImage(Fingerprints("")), limits).ok());
  std::string deep = "<queryResult>";
  for (int i = 0; i < 5; ++i) deep += "<a>";
  for (int i = 0; i < 5; ++i) deep += "</a>";
  deep += "</queryResult>";
  page = ParseNcmecEntries(deep, limits);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(page.status().message(), HasSubstr("deeper than 4 levels"));

  limits = NcmecXmlLimits();
  limits.max_elements = 10;
  std::string wide = "<queryResult>";
  for (int i = 0; i < 10; ++i) wide += "<x/>";
  wide += "</queryResult>";
  page = ParseNcmecEntries(wide, limits);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(page.status().message(), HasSubstr("more than 10 elements"));
}

TEST(NcmecXmlTest, ParsesStatus) {
  absl::StatusOr<NcmecStatus> status = ParseNcmecStatus(
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<status xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <ipAddress>1.1.1.1</ipAddress>
    <username>test_user</username>
    <member id="1">test member</member>
</status>)");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->ip_address, "1.1.1.1");
  EXPECT_EQ(status->username, "test_user");
  EXPECT_EQ(status->member_id, 1);
  EXPECT_EQ(status->member_name, "test member");

  EXPECT_EQ(ParseNcmecStatus("<status><username>u</username></status>")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseNcmecStatus("<queryResult/>").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NcmecXmlTest, ParsesFeedbackReasons) {
  absl::StatusOr<std::vector<NcmecFeedbackReason>> reasons =
      ParseNcmecFeedbackReasons(
          R"(<availableFeedbackReasons xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <reason guid="01234567-abcd-0123-4567-012345678900" name="Not CSAM" type="Sha1"/>
    <reason guid="11234567-abcd-0123-4567-012345678900" name="Other" type="Sha1"/>
</availableFeedbackReasons>)");
  ASSERT_TRUE(reasons.ok()) << reasons.status();
  ASSERT_EQ(reasons->size(), 2u);
  EXPECT_EQ((*reasons)[0].guid, "01234567-abcd-0123-4567-012345678900");
  EXPECT_EQ((*reasons)[0].name, "Not CSAM");
  EXPECT_EQ((*reasons)[1].type, "Sha1");

  reasons = ParseNcmecFeedbackReasons(
      "<availableFeedbackReasons><reason "
      "name=\"x\"/></availableFeedbackReasons>");
  EXPECT_EQ(reasons.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(reasons.status().message(), HasSubstr("<reason> 1 has no guid"));
}

// Parses a submission body the way a server would.
pugi::xml_node Submission(pugi::xml_document& doc, const std::string& xml) {
  EXPECT_TRUE(doc.load_string(xml.c_str())) << xml;
  pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "feedbackSubmission");
  EXPECT_STREQ(root.attribute("xmlns").value(),
               "https://hashsharing.ncmec.org/hashsharing/v2");
  return root;
}

TEST(NcmecXmlTest, BuildsFeedbackSubmissions) {
  pugi::xml_document affirmative;
  pugi::xml_node root = Submission(affirmative, NcmecAffirmativeFeedbackXml());
  EXPECT_TRUE(root.child("affirmative"));
  EXPECT_FALSE(root.child("negative"));

  absl::StatusOr<std::string> body =
      NcmecNegativeFeedbackXml("01234567-abcd-0123-4567-012345678900");
  ASSERT_TRUE(body.ok()) << body.status();
  pugi::xml_document negative;
  root = Submission(negative, *body);
  EXPECT_FALSE(root.child("affirmative"));
  EXPECT_STREQ(
      root.child("negative").child("reasonIds").child("guid").child_value(),
      "01234567-abcd-0123-4567-012345678900");

  EXPECT_EQ(NcmecNegativeFeedbackXml("</guid><x>").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NcmecNegativeFeedbackXml("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearmatch
