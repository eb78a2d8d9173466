// NCMEC hash sharing XML: limits checked first, then pugixml, then the
// elements by local name.
#include "clearinghouse/ncmec_xml.h"

#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "pugixml.hpp"

namespace clearmatch {
namespace {

constexpr absl::string_view kNamespace =
    "https://hashsharing.ncmec.org/hashsharing/v2";
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxClassificationBytes = 64;

// The tag without its namespace prefix.
absl::string_view LocalName(const pugi::xml_node& node) {
  absl::string_view name = node.name();
  const size_t colon = name.rfind(':');
  return colon == absl::string_view::npos ? name : name.substr(colon + 1);
}

// The first child element called `name` (any prefix); empty if none.
pugi::xml_node Child(const pugi::xml_node& node, absl::string_view name) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) {
      return child;
    }
  }
  return pugi::xml_node();
}

std::string Text(const pugi::xml_node& node) {
  return std::string(absl::StripAsciiWhitespace(node.child_value()));
}

// Size and DTD checks on the raw bytes, before any parsing: a DTD is never
// processed, so an entity bomb costs one scan.
absl::Status CheckRaw(absl::string_view xml, const NcmecXmlLimits& limits,
                      absl::string_view what) {
  if (xml.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("NCMEC ", what, ": response of ", xml.size(),
                     " bytes is over the limit of ", limits.max_bytes));
  }
  for (size_t at = xml.find("<!"); at != absl::string_view::npos;
       at = xml.find("<!", at + 2)) {
    absl::string_view rest = xml.substr(at + 2);
    if (absl::StartsWithIgnoreCase(rest, "DOCTYPE") ||
        absl::StartsWithIgnoreCase(rest, "ENTITY")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NCMEC ", what, ": refused: the response declares a DTD (<!",
          rest.substr(0, rest.find_first_of(" \t\r\n>[")), " at byte ", at,
          "); DTDs and entities are never processed"));
    }
  }
  return absl::OkStatus();
}

// Depth and element count, walking the tree without recursion.
absl::Status CheckTree(const pugi::xml_document& doc,
                       const NcmecXmlLimits& limits, absl::string_view what) {
  size_t elements = 0;
  int depth = 1;
  pugi::xml_node node = doc.first_child();
  while (node) {
    if (node.type() == pugi::node_element) {
      if (++elements > limits.max_elements) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "NCMEC ", what, ": more than ", limits.max_elements, " elements"));
      }
      if (depth > limits.max_depth) {
        return absl::ResourceExhaustedError(
            absl::StrCat("NCMEC ", what, ": elements nested deeper than ",
                         limits.max_depth, " levels"));
      }
    }
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node && !node.next_sibling()) {
      node = node.parent();
      --depth;
    }
    if (node) node = node.next_sibling();
  }
  return absl::OkStatus();
}

// Checked and parsed, with its root element called `root`.
absl::StatusOr<std::unique_ptr<pugi::xml_document>> Load(
    absl::string_view xml, const NcmecXmlLimits& limits, absl::string_view what,
    absl::string_view root) {
  CM_RETURN_IF_ERROR(CheckRaw(xml, limits, what));
  auto doc = std::make_unique<pugi::xml_document>();
  const pugi::xml_parse_result result = doc->load_buffer(
      xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result) {
    return absl::InvalidArgumentError(
        absl::StrCat("NCMEC ", what, ": not well-formed XML at byte ",
                     result.offset, ": ", result.description()));
  }
  CM_RETURN_IF_ERROR(CheckTree(*doc, limits, what));
  const absl::string_view name = LocalName(doc->document_element());
  if (name != root) {
    return absl::InvalidArgumentError(
        absl::StrCat("NCMEC ", what, ": the root element is <", name,
                     ">, expected <", root, ">"));
  }
  return doc;
}

absl::StatusOr<int64_t> ParseCount(const pugi::xml_node& node) {
  const pugi::xml_attribute count = node.attribute("count");
  if (!count) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(count.value(), &value) || value < 0) {
    return absl::DataLossError(absl::StrCat("NCMEC entries: <", LocalName(node),
                                            "> has a bad count attribute \"",
                                            count.value(), "\""));
  }
  return value;
}

// The hex digits a fingerprint type must have; 0 for types not checked.
size_t HexDigitsOf(absl::string_view tag) {
  if (tag == "md5") return 32;
  if (tag == "sha1") return 40;
  if (tag == "pdq") return 64;
  return 0;
}

absl::Status CheckHex(absl::string_view tag, absl::string_view value) {
  const size_t digits = HexDigitsOf(tag);
  if (digits == 0) return absl::OkStatus();
  if (value.size() != digits) {
    return absl::DataLossError(absl::StrCat(tag, " has ", value.size(),
                                            " hex digits, expected ", digits));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(value[i]))) {
      return absl::DataLossError(
          absl::StrCat(tag, " has a non-hex character at position ", i + 1));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseFingerprints(const pugi::xml_node& node, NcmecEntry& entry) {
  std::set<std::string> seen;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string tag = absl::AsciiStrToLower(LocalName(child));
    std::string value = Text(child);
    CM_RETURN_IF_ERROR(CheckHex(tag, value));
    if (!seen.insert(tag).second) {
      return absl::DataLossError(absl::StrCat("more than one <", tag, ">"));
    }
    entry.fingerprints.emplace_back(std::move(tag), std::move(value));
  }
  return absl::OkStatus();
}

absl::Status ParseMember(const pugi::xml_node& node, NcmecEntry& entry) {
  const pugi::xml_attribute id = Child(node, "member").attribute("id");
  if (!id) return absl::DataLossError("no <member id>");
  if (!absl::SimpleAtoi(id.value(), &entry.member_id) || entry.member_id < 0) {
    return absl::DataLossError(
        absl::StrCat("bad <member id=\"", id.value(), "\">"));
  }
  return absl::OkStatus();
}

absl::Status ParseEntryFields(const pugi::xml_node& node, NcmecEntry& entry) {
  CM_RETURN_IF_ERROR(ParseMember(node, entry));
  entry.id = Text(Child(node, "id"));
  if (entry.id.empty()) return absl::DataLossError("no <id>");
  if (entry.id.size() > kMaxIdBytes) {
    return absl::DataLossError(absl::StrCat("<id> of ", entry.id.size(),
                                            " bytes, at most ", kMaxIdBytes));
  }
  const std::string timestamp = Text(Child(node, "timestamp"));
  if (timestamp.empty()) return absl::DataLossError("no <timestamp>");
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, timestamp, &time, &error) ||
      time < absl::UnixEpoch()) {
    return absl::DataLossError(
        absl::StrCat("bad <timestamp> \"", timestamp.substr(0, 64), "\""));
  }
  entry.timestamp = absl::ToUnixSeconds(time);
  entry.classification = Text(Child(node, "classification"));
  if (entry.classification.size() > kMaxClassificationBytes) {
    return absl::DataLossError(absl::StrCat("<classification> over ",
                                            kMaxClassificationBytes, " bytes"));
  }
  if (entry.deleted) return absl::OkStatus();
  return ParseFingerprints(Child(node, "fingerprints"), entry);
}

// The entries of one <images> or <videos>; unknown children are skipped.
absl::Status ParseEntryList(const pugi::xml_node& list, bool video,
                            NcmecEntriesPage& page) {
  const absl::string_view kept = video ? "video" : "image";
  const absl::string_view tombstone = video ? "deletedVideo" : "deletedImage";
  int index = 0;
  for (pugi::xml_node child : list.children()) {
    if (child.type() != pugi::node_element) continue;
    const absl::string_view name = LocalName(child);
    if (name != kept && name != tombstone) continue;
    ++index;
    NcmecEntry entry;
    entry.video = video;
    entry.deleted = name == tombstone;
    if (absl::Status status = ParseEntryFields(child, entry); !status.ok()) {
      std::string where = absl::StrCat("<", name, "> ", index);
      if (!entry.id.empty()) {
        absl::StrAppend(&where, " (member ", entry.member_id, ", id ", entry.id,
                        ")");
      }
      return absl::DataLossError(
          absl::StrCat("NCMEC entries: ", where, ": ", status.message()));
    }
    page.entries.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<NcmecEntriesPage> ParseNcmecEntries(
    absl::string_view xml, const NcmecXmlLimits& limits) {
  CM_ASSIGN_OR_RETURN(std::unique_ptr<pugi::xml_document> doc,
                      Load(xml, limits, "entries", "queryResult"));
  NcmecEntriesPage page;
  for (pugi::xml_node child : doc->document_element().children()) {
    if (child.type() != pugi::node_element) continue;
    const absl::string_view name = LocalName(child);
    if (name == "images" || name == "videos") {
      const bool video = name == "videos";
      CM_ASSIGN_OR_RETURN(int64_t count, ParseCount(child));
      (video ? page.video_count : page.image_count) += count;
      CM_RETURN_IF_ERROR(ParseEntryList(child, video, page));
    } else if (name == "paging") {
      page.next = Text(Child(child, "next"));
    }
  }
  return page;
}

absl::StatusOr<NcmecStatus> ParseNcmecStatus(absl::string_view xml,
                                             const NcmecXmlLimits& limits) {
  CM_ASSIGN_OR_RETURN(std::unique_ptr<pugi::xml_document> doc,
                      Load(xml, limits, "status", "status"));
  const pugi::xml_node root = doc->document_element();
  NcmecStatus status;
  status.ip_address = Text(Child(root, "ipAddress"));
  status.username = Text(Child(root, "username"));
  const pugi::xml_node member = Child(root, "member");
  if (!absl::SimpleAtoi(member.attribute("id").value(), &status.member_id)) {
    return absl::DataLossError("NCMEC status: no <member id>");
  }
  status.member_name = Text(member);
  return status;
}

absl::StatusOr<std::vector<NcmecFeedbackReason>> ParseNcmecFeedbackReasons(
    absl::string_view xml, const NcmecXmlLimits& limits) {
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<pugi::xml_document> doc,
      Load(xml, limits, "feedback reasons", "availableFeedbackReasons"));
  std::vector<NcmecFeedbackReason> reasons;
  for (pugi::xml_node child : doc->document_element().children()) {
    if (child.type() != pugi::node_element || LocalName(child) != "reason") {
      continue;
    }
    NcmecFeedbackReason reason;
    reason.guid = std::string(
        absl::StripAsciiWhitespace(child.attribute("guid").value()));
    reason.name = child.attribute("name").value();
    reason.type = child.attribute("type").value();
    if (reason.guid.empty()) {
      return absl::DataLossError(
          absl::StrCat("NCMEC feedback reasons: <reason> ", reasons.size() + 1,
                       " has no guid"));
    }
    reasons.push_back(std::move(reason));
  }
  return reasons;
}

std::string NcmecAffirmativeFeedbackXml() {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedbackSubmission "
      "xmlns=\"",
      kNamespace, "\"><affirmative/></feedbackSubmission>\n");
}

absl::StatusOr<std::string> NcmecNegativeFeedbackXml(
    absl::string_view reason_guid) {
  const bool guid_like =
      !reason_guid.empty() && reason_guid.size() <= 64 &&
      reason_guid.find_first_not_of("0123456789abcdefABCDEF-") ==
          absl::string_view::npos;
  if (!guid_like) {
    return absl::InvalidArgumentError(
        absl::StrCat("NCMEC negative feedback: reason \"",
                     reason_guid.substr(0, 64), "\" is not a GUID"));
  }
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedbackSubmission "
      "xmlns=\"",
      kNamespace, "\"><negative><reasonIds><guid>", reason_guid,
      "</guid></reasonIds></negative></feedbackSubmission>\n");
}

}  // namespace clearmatch
