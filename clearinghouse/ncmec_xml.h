// The XML of NCMEC's hash sharing API (v2; ../shared/specs/CLEARINGHOUSES.md):
// parsers for the responses of /v2/entries, /v2/status and
// /v2/feedback/{TYPE}/reasons, and the bodies of feedback submissions.
//
//   CM_ASSIGN_OR_RETURN(NcmecEntriesPage page, ParseNcmecEntries(body));
//   for (const NcmecEntry& entry : page.entries) ...
//   if (!page.next.empty()) ... follow page.next ...
//
// Tag names are what count: namespace prefixes are ignored, and so are
// elements the parser does not know. Input is refused before it is parsed
// when it is over the size limit or declares a DTD (<!DOCTYPE, <!ENTITY:
// no entity is ever expanded), and while walking it when it nests too deep
// or holds too many elements. A page with one malformed entry (a missing
// id, a bad timestamp, a hash of the wrong length) is refused as a whole.
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_CLEARINGHOUSE_NCMEC_XML_H_
#define CLEARMATCH_CLEARINGHOUSE_NCMEC_XML_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

struct NcmecXmlLimits {
  size_t max_bytes = size_t{64} << 20;  // of one response body
  int max_depth = 16;                   // element nesting (root = 1)
  size_t max_elements = size_t{1} << 20;
};

// One <image>, <video>, <deletedImage> or <deletedVideo>.
struct NcmecEntry {
  bool video = false;
  bool deleted = false;        // a tombstone: withdraws (member_id, id)
  int64_t member_id = 0;       // <member id="N">
  std::string id;              // <id>: unique per member
  int64_t timestamp = 0;       // <timestamp>, unix seconds (fraction dropped)
  std::string classification;  // may be empty
  // <fingerprints> children in document order: (lowercase tag, text).
  // md5, sha1 and pdq values are checked hex of the right length (either
  // case); others are kept as given (possibly empty).
  std::vector<std::pair<std::string, std::string>> fingerprints;
};

// One page of GET /v2/entries.
struct NcmecEntriesPage {
  std::vector<NcmecEntry> entries;  // images first, then videos
  // The count attributes of <images> and <videos> (0 when absent): how many
  // entries the whole window holds.
  int64_t image_count = 0;
  int64_t video_count = 0;
  // <paging><next>: a path relative to the base URL, entities decoded;
  // empty when the window is complete.
  std::string next;
};

// GET /v2/status: who the credentials belong to.
struct NcmecStatus {
  std::string ip_address;
  std::string username;
  int64_t member_id = 0;
  std::string member_name;
};

// One <reason> of GET /v2/feedback/{TYPE}/reasons.
struct NcmecFeedbackReason {
  std::string guid;
  std::string name;
  std::string type;
};

// INVALID_ARGUMENT for XML that is not well-formed or not a <queryResult>
// ("NCMEC entries: ..."), RESOURCE_EXHAUSTED past a limit, DATA_LOSS for a
// malformed entry, naming the element (e.g. "image 3 (member 42, id x): md5
// has 31 hex digits, expected 32"; hash values themselves are never named).
absl::StatusOr<NcmecEntriesPage> ParseNcmecEntries(
    absl::string_view xml, const NcmecXmlLimits& limits = {});

// INVALID_ARGUMENT / RESOURCE_EXHAUSTED as above; DATA_LOSS without a
// <member id>.
absl::StatusOr<NcmecStatus> ParseNcmecStatus(absl::string_view xml,
                                             const NcmecXmlLimits& limits = {});

// Reasons without a guid are refused (DATA_LOSS).
absl::StatusOr<std::vector<NcmecFeedbackReason>> ParseNcmecFeedbackReasons(
    absl::string_view xml, const NcmecXmlLimits& limits = {});

// The <feedbackSubmission> bodies of PUT .../{TYPE}/feedback.
std::string NcmecAffirmativeFeedbackXml();
// INVALID_ARGUMENT unless `reason_guid` looks like a GUID (hex digits and
// dashes, 1 to 64 characters).
absl::StatusOr<std::string> NcmecNegativeFeedbackXml(
    absl::string_view reason_guid);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_NCMEC_XML_H_
