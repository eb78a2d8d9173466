// Feedback to NCMEC: one PUT per verdict.
#include "clearinghouse/ncmec_feedback_sink.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// Transient failures are worth another try later; everything else is final.
FeedbackResult ResultOf(absl::Status status) {
  FeedbackResult result;
  if (status.ok()) return result;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kAborted:
      result.outcome = FeedbackOutcome::kRetry;
      break;
    default:
      result.outcome = FeedbackOutcome::kRejected;
  }
  result.status = std::move(status);
  return result;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NcmecFeedbackSink>> NcmecFeedbackSink::Create(
    Options options) {
  if (!options.negative_reason_guid.empty()) {
    absl::StatusOr<std::string> body =
        NcmecNegativeFeedbackXml(options.negative_reason_guid);
    if (!body.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.name, ": negative_reason_guid: ", body.status().message()));
    }
  }
  NcmecClient::Options client_options;
  client_options.name = options.name;
  client_options.base_url = options.base_url;
  client_options.credentials = options.credentials;
  client_options.http = options.http;
  client_options.http.ca_file = options.ca_file;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<NcmecClient> client,
                      NcmecClient::Create(std::move(client_options)));
  return std::unique_ptr<NcmecFeedbackSink>(
      new NcmecFeedbackSink(std::move(options), std::move(client)));
}

absl::StatusOr<std::string> NcmecFeedbackSink::FeedbackType(
    absl::string_view hash_type) {
  if (hash_type == "md5") return std::string("MD5");
  if (hash_type == "sha1") return std::string("SHA1");
  if (hash_type == "pdq") return std::string("PDQ");
  return absl::InvalidArgumentError(
      absl::StrCat("NCMEC takes no feedback on hash type \"", hash_type, "\""));
}

absl::StatusOr<std::string> NcmecFeedbackSink::NegativeReason(
    const std::string& type) {
  if (!options_.negative_reason_guid.empty()) {
    return options_.negative_reason_guid;
  }
  if (auto it = reason_by_type_.find(type); it != reason_by_type_.end()) {
    return it->second;
  }
  CM_ASSIGN_OR_RETURN(std::vector<NcmecFeedbackReason> reasons,
                      client_->GetFeedbackReasons(type));
  if (reasons.size() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.name, ": NCMEC offers ", reasons.size(),
                     " negative feedback reasons for ", type,
                     ": set negative_reason_guid to the one to send"));
  }
  reason_by_type_[type] = reasons[0].guid;
  return reasons[0].guid;
}

FeedbackResult NcmecFeedbackSink::SendOne(const FeedbackItem& item) {
  const size_t dash = item.entry_id.find('-');
  int64_t member_id = 0;
  if (dash == std::string::npos || dash + 1 == item.entry_id.size() ||
      !absl::SimpleAtoi(item.entry_id.substr(0, dash), &member_id)) {
    return ResultOf(absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": entry id \"", item.entry_id,
                     "\" is not <member id>-<id>")));
  }
  const std::string id = item.entry_id.substr(dash + 1);
  absl::StatusOr<std::string> type = FeedbackType(item.hash_type);
  if (!type.ok()) return ResultOf(type.status());
  std::string reason;
  if (item.verdict == FeedbackVerdict::kFalsePositive) {
    absl::StatusOr<std::string> guid = NegativeReason(*type);
    if (!guid.ok()) return ResultOf(guid.status());
    reason = *std::move(guid);
  }
  return ResultOf(client_->PutFeedback(member_id, id, *type, reason));
}

std::vector<FeedbackResult> NcmecFeedbackSink::Send(
    absl::Span<const FeedbackItem> items) {
  std::vector<FeedbackResult> results;
  results.reserve(items.size());
  for (const FeedbackItem& item : items) results.push_back(SendOne(item));
  return results;
}

}  // namespace clearmatch
