// CheckRequest syntax checks.
#include "matching/check_request_checks.h"

#include "absl/strings/str_cat.h"
#include "matching/query.h"

namespace clearmatch {

absl::Status ValidateCheckRequest(const v1::CheckRequest& request,
                                  uint64_t max_request_bytes) {
  if (request.context() != v1::UPLOAD && request.context() != v1::RESCAN) {
    return absl::InvalidArgumentError(
        absl::StrCat("context: ", request.context(),
                     " is not a known context (UPLOAD = 1 or RESCAN = 2)"));
  }
  if (request.content_id().size() > kMaxCheckContentIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("content_id: ", request.content_id().size(),
                     " bytes; at most ", kMaxCheckContentIdBytes));
  }
  const bool has_media = !request.media().empty();
  if (has_media && request.has_hashes()) {
    return absl::InvalidArgumentError(
        "both media and hashes are set; send exactly one");
  }
  if (!has_media && !request.has_hashes()) {
    return absl::InvalidArgumentError(
        "no payload: set media (the file's bytes) or hashes");
  }
  const uint64_t size = request.ByteSizeLong();
  if (size > max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request is ", size, " bytes, over the limit of ",
                     max_request_bytes, "; send large media with CheckUpload"));
  }
  if (request.has_hashes()) return Query::FromHashes(request.hashes()).status();
  return absl::OkStatus();
}

}  // namespace clearmatch
