// The StopNCII API's JSON (../shared/specs/CLEARINGHOUSES.md, "StopNCII API"):
// a FetchHashes page parsed strictly into the records clearmatch acts on,
// and the body of a SubmitFeedback request.
//
//   CM_ASSIGN_OR_RETURN(StopNciiPage page,
//                       ParseFetchHashesPage(body, StopNciiJsonLimits{}));
//   for (const StopNciiRecord& record : page.records) ...
//   std::string body = BuildSubmitFeedbackBody(feedbacks);
//
// A page is taken whole or refused whole: a known field of the wrong type,
// a hash of the wrong length or a page over the limits refuses it with an
// error naming the field (never a hash value). Records of other signal
// types (VideoTMK, Text, URL, or types not known yet) and records with a
// hash status not known yet are tolerated, counted and left out; unknown
// fields are ignored.
//
// Plain functions; thread-safe.
#ifndef CLEARMATCH_CLEARINGHOUSE_STOPNCII_JSON_H_
#define CLEARMATCH_CLEARINGHOUSE_STOPNCII_JSON_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clearmatch {

// The signal types clearmatch turns into entries.
enum class StopNciiSignal {
  kImagePdq,  // "ImagePDQ": 64 hex digits
  kVideoMd5,  // "VideoMD5": 32 hex digits
};

// One record of a page: the full current state of (signal, hash_value).
struct StopNciiRecord {
  StopNciiSignal signal = StopNciiSignal::kImagePdq;
  std::string hash_value;     // validated hex, lowercase
  int64_t last_modified = 0;  // lastModtimestamp, unix seconds
  // hashStatus Withdrawn or Deleted: the victim withdrew it. Otherwise
  // Received or Active: it is to be matched.
  bool withdrawn = false;
};

struct StopNciiPage {
  int64_t count = 0;                           // as the page says
  std::optional<std::string> next_page_token;  // null or absent: none
  int64_t next_set_timestamp = 0;              // unix seconds
  bool has_more_records = false;
  std::vector<StopNciiRecord> records;  // in page order
  // Records left out, by reason: "signal:<type>" for other signal types,
  // "status:<value>" for hash statuses not known ("Unknown" included).
  std::map<std::string, int64_t> skipped;
};

struct StopNciiJsonLimits {
  size_t max_page_bytes = size_t{64} << 20;
  int max_depth = 16;  // nesting of objects and arrays
};

// RESOURCE_EXHAUSTED for a page over max_page_bytes or nested deeper than
// max_depth (both checked before parsing); INVALID_ARGUMENT "FetchHashes
// page: <field>: <problem>" for anything else that is wrong.
absl::StatusOr<StopNciiPage> ParseFetchHashesPage(
    absl::string_view body, const StopNciiJsonLimits& limits);

// One verdict of SubmitFeedback.
struct StopNciiFeedback {
  std::string hash_value;
  std::string feedback_value;  // "Blocked", "NotBlocked", "PendingReview"
};

// {"count": n, "hashFeedbacks": [{"hashValue": ..., "feedbackValue": ...,
// "tags": []}, ...]}
std::string BuildSubmitFeedbackBody(
    absl::Span<const StopNciiFeedback> feedbacks);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_STOPNCII_JSON_H_
