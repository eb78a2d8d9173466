// StopNCII JSON with nlohmann-json: a strict reader of FetchHashes pages and
// the SubmitFeedback body.
#include "clearinghouse/stopncii_json.h"

#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace clearmatch {
namespace {

using Json = nlohmann::json;

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("FetchHashes page: ", field, ": ", problem));
}

// Nesting of objects and arrays outside strings, counted before parsing so
// that a deeply nested page never reaches the recursive parser.
absl::Status CheckDepth(absl::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "FetchHashes page: nested deeper than ", max_depth, " levels"));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return absl::OkStatus();
}

// A value from the page fit for a count's name: at most 64 characters of
// [A-Za-z0-9_.-], others replaced by '?'.
std::string Label(absl::string_view value) {
  constexpr size_t kMaxLabel = 64;
  std::string label(value.substr(0, kMaxLabel));
  for (char& c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.' && c != '-') {
      c = '?';
    }
  }
  if (value.size() > kMaxLabel) label += "...";
  return label;
}

// A non-negative integer (unix seconds, a count); floats and strings refused.
absl::StatusOr<int64_t> GetInteger(const Json& object, const char* key,
                                   absl::string_view field) {
  auto it = object.find(key);
  if (it == object.end()) return FieldError(field, "missing");
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() >
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(field, "out of range");
    }
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  if (!it->is_number_integer()) return FieldError(field, "not an integer");
  if (it->get<int64_t>() < 0) return FieldError(field, "negative");
  return it->get<int64_t>();
}

absl::StatusOr<std::string> GetString(const Json& object, const char* key,
                                      absl::string_view field) {
  auto it = object.find(key);
  if (it == object.end()) return FieldError(field, "missing");
  if (!it->is_string()) return FieldError(field, "not a string");
  return it->get<std::string>();
}

// An optional field: absent or null is fine, otherwise it must be a string.
absl::Status CheckOptionalString(const Json& object, const char* key,
                                 absl::string_view field) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null() || it->is_string()) {
    return absl::OkStatus();
  }
  return FieldError(field, "not a string");
}

// caseNumbers {"<uuid>": "<status>"} and CSPFeedbacks [{"source",
// "feedbackValue", "tags": [...]}]: not needed for matching, but a page
// whose fields have the wrong types is not trusted.
absl::Status CheckRecordExtras(const Json& record, absl::string_view at) {
  if (auto it = record.find("caseNumbers");
      it != record.end() && !it->is_null()) {
    const std::string field = absl::StrCat(at, ".caseNumbers");
    if (!it->is_object()) return FieldError(field, "not an object");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) return FieldError(field, "a value not a string");
    }
  }
  auto it = record.find("CSPFeedbacks");
  if (it == record.end() || it->is_null()) return absl::OkStatus();
  const std::string field = absl::StrCat(at, ".CSPFeedbacks");
  if (!it->is_array()) return FieldError(field, "not an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& feedback = (*it)[i];
    const std::string item = absl::StrCat(field, "[", i, "]");
    if (!feedback.is_object()) return FieldError(item, "not an object");
    CM_RETURN_IF_ERROR(CheckOptionalString(feedback, "source", item));
    CM_RETURN_IF_ERROR(CheckOptionalString(feedback, "feedbackValue", item));
    auto tags = feedback.find("tags");
    if (tags == feedback.end() || tags->is_null()) continue;
    if (!tags->is_array()) return FieldError(item + ".tags", "not an array");
    for (const Json& tag : *tags) {
      if (!tag.is_string()) return FieldError(item + ".tags", "not strings");
    }
  }
  return absl::OkStatus();
}

// Adds the record at `at` to the page, or counts why it is left out.
absl::Status ReadRecord(const Json& json, absl::string_view at,
                        StopNciiPage& page) {
  if (!json.is_object()) return FieldError(at, "not an object");
  StopNciiRecord record;
  CM_ASSIGN_OR_RETURN(record.last_modified,
                      GetInteger(json, "lastModtimestamp",
                                 absl::StrCat(at, ".lastModtimestamp")));
  CM_ASSIGN_OR_RETURN(
      std::string signal,
      GetString(json, "signalType", absl::StrCat(at, ".signalType")));
  CM_ASSIGN_OR_RETURN(
      std::string hash,
      GetString(json, "hashValue", absl::StrCat(at, ".hashValue")));
  CM_ASSIGN_OR_RETURN(
      std::string status,
      GetString(json, "hashStatus", absl::StrCat(at, ".hashStatus")));
  CM_RETURN_IF_ERROR(CheckRecordExtras(json, at));
  size_t digest_bytes = 0;
  if (signal == "ImagePDQ") {
    record.signal = StopNciiSignal::kImagePdq;
    digest_bytes = 32;
  } else if (signal == "VideoMD5") {
    record.signal = StopNciiSignal::kVideoMd5;
    digest_bytes = 16;
  } else {
    ++page.skipped[absl::StrCat("signal:", Label(signal))];
    return absl::OkStatus();
  }
  if (absl::Status valid =
          ParseHexBytes(hash, digest_bytes, absl::StrCat(signal, " hash"))
              .status();
      !valid.ok()) {
    return FieldError(absl::StrCat(at, ".hashValue"), valid.message());
  }
  // The withdrawal is in hashStatus (not in caseNumbers or CSPFeedbacks).
  if (status == "Withdrawn" || status == "Deleted") {
    record.withdrawn = true;
  } else if (status != "Received" && status != "Active") {
    ++page.skipped[absl::StrCat("status:", Label(status))];
    return absl::OkStatus();
  }
  record.hash_value = absl::AsciiStrToLower(hash);
  page.records.push_back(std::move(record));
  return absl::OkStatus();
}

absl::Status ReadPageFields(const Json& json, StopNciiPage& page) {
  if (!json.is_object()) return FieldError("(top level)", "not an object");
  CM_ASSIGN_OR_RETURN(page.count, GetInteger(json, "count", "count"));
  CM_ASSIGN_OR_RETURN(page.next_set_timestamp,
                      GetInteger(json, "nextSetTimestamp", "nextSetTimestamp"));
  auto more = json.find("hasMoreRecords");
  if (more == json.end()) return FieldError("hasMoreRecords", "missing");
  if (!more->is_boolean()) return FieldError("hasMoreRecords", "not a boolean");
  page.has_more_records = more->get<bool>();
  auto token = json.find("nextPageToken");
  if (token != json.end() && !token->is_null()) {
    if (!token->is_string()) {
      return FieldError("nextPageToken", "neither a string nor null");
    }
    page.next_page_token = token->get<std::string>();
  }
  if (page.has_more_records &&
      (!page.next_page_token.has_value() || page.next_page_token->empty())) {
    return FieldError("nextPageToken", "missing while hasMoreRecords is true");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StopNciiPage> ParseFetchHashesPage(
    absl::string_view body, const StopNciiJsonLimits& limits) {
  if (body.size() > limits.max_page_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("FetchHashes page: ", body.size(), " bytes, over the ",
                     limits.max_page_bytes, "-byte limit"));
  }
  CM_RETURN_IF_ERROR(CheckDepth(body, limits.max_depth));
  Json json;
  try {
    json = Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    // Only the position: the parser's own message quotes page content.
    return absl::InvalidArgumentError(
        absl::StrCat("FetchHashes page: not valid JSON at byte ", e.byte));
  } catch (const Json::out_of_range&) {
    // A number beyond a double (e.g. 1E400): error 406, which is not a
    // parse_error (found by stopncii_json_fuzzer; it ended the process).
    return absl::InvalidArgumentError(
        "FetchHashes page: a number is out of range");
  }
  StopNciiPage page;
  CM_RETURN_IF_ERROR(ReadPageFields(json, page));
  auto records = json.find("hashRecords");
  if (records == json.end()) return FieldError("hashRecords", "missing");
  if (!records->is_array()) return FieldError("hashRecords", "not an array");
  page.records.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    CM_RETURN_IF_ERROR(
        ReadRecord((*records)[i], absl::StrCat("hashRecords[", i, "]"), page));
  }
  return page;
}

std::string BuildSubmitFeedbackBody(
    absl::Span<const StopNciiFeedback> feedbacks) {
  Json items = Json::array();
  for (const StopNciiFeedback& feedback : feedbacks) {
    items.push_back({{"hashValue", feedback.hash_value},
                     {"feedbackValue", feedback.feedback_value},
                     {"tags", Json::array()}});
  }
  Json body = {{"count", feedbacks.size()},
               {"hashFeedbacks", std::move(items)}};
  return body.dump();
}

}  // namespace clearmatch
