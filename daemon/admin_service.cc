// Admin RPCs: GetStatus, SyncFeeds.
#include "daemon/admin_service.h"

#include <string>

#include "daemon/grpc_status_util.h"
#include "daemon/source_metrics.h"

namespace clearmatch {
namespace {

int64_t UnixOrZero(absl::Time t) {
  return t == absl::InfinitePast() ? 0 : absl::ToUnixSeconds(t);
}

int64_t AgeOrMinusOne(absl::Time t, absl::Time now) {
  return t == absl::InfinitePast() ? -1 : absl::ToInt64Seconds(now - t);
}

// "never", "ok" or the error message.
std::string SyncResultText(const SourceStatus& source) {
  switch (source.last_result) {
    case SyncOutcome::kNever:
      return "never";
    case SyncOutcome::kOk:
      return "ok";
    case SyncOutcome::kFailed:
      return source.last_error;
  }
  return "";
}

void FillIndex(const IndexStatus& index, absl::Time now, v1::IndexStatus* out) {
  out->set_serving(index.serving);
  out->set_version(index.version);
  out->set_size(index.size);
  out->set_delta_size(index.delta_size);
  out->set_loaded_unix_seconds(UnixOrZero(index.loaded));
  out->set_age_seconds(AgeOrMinusOne(index.loaded, now));
  out->set_loaded_from(std::string(IndexOriginName(index.loaded_from)));
}

// The synced sources; bank CSVs are loaded once and not listed.
void FillFeeds(const std::vector<SourceStatus>& sources, absl::Time now,
               google::protobuf::RepeatedPtrField<v1::FeedStatus>* out) {
  for (const SourceStatus& source : sources) {
    if (source.kind == SourceKind::kBankCsv) continue;
    v1::FeedStatus* f = out->Add();
    f->set_feed_id(source.state.id);
    f->set_url(source.name);
    f->set_checkpoint_sequence(source.state.version);
    f->set_entries(source.state.entries);
    f->set_last_sync_result(SyncResultText(source));
    f->set_last_sync_unix_seconds(UnixOrZero(source.last_sync));
    f->set_last_sync_age_seconds(AgeOrMinusOne(source.last_sync, now));
    f->set_last_success_unix_seconds(UnixOrZero(source.last_success));
    f->set_kind(std::string(SourceKindName(source.kind)));
    f->mutable_entries_by_type()->insert(source.state.entries_by_type.begin(),
                                         source.state.entries_by_type.end());
    f->mutable_skipped()->insert(source.state.skipped.begin(),
                                 source.state.skipped.end());
    f->set_lag_seconds(AgeOrMinusOne(source.state.published, now));
  }
}

template <typename Response>
void FillStatus(const ServingStatus& status, absl::Time now,
                Response* response) {
  FillIndex(status.index, now, response->mutable_index());
  FillFeeds(status.sources, now, response->mutable_feeds());
}

}  // namespace

void AdminService::Finish(absl::string_view rpc, absl::Time start,
                          const absl::Status& status,
                          grpc::ServerUnaryReactor* reactor) {
  metrics_.CountRequest(rpc, status.code());
  metrics_.ObserveRpcSeconds(rpc, absl::ToDoubleSeconds(absl::Now() - start));
  reactor->Finish(ToGrpcStatus(status));
}

grpc::ServerUnaryReactor* AdminService::GetStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest*,
    v1::GetStatusResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = authorizer_.Authorize(*context, "admin");
  if (status.ok()) {
    FillStatus(manager_.GetStatus(), start, response);
    response->set_uptime_seconds(absl::ToInt64Seconds(start - started_));
    response->set_version(CLEARMATCH_VERSION);
    if (feedback_status_) {
      for (v1::FeedbackStatus& row : feedback_status_()) {
        *response->add_feedback() = std::move(row);
      }
    }
  }
  Finish("GetStatus", start, status, reactor);
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::SyncFeeds(
    grpc::CallbackServerContext* context, const v1::SyncFeedsRequest*,
    v1::SyncFeedsResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = authorizer_.Authorize(*context, "admin");
  if (!status.ok()) {
    // Refusals are counted, not timed (as before).
    metrics_.CountRequest("SyncFeeds", status.code());
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  manager_.RequestSync([this, reactor, response, start](ServingStatus s) {
    FillStatus(s, absl::Now(), response);
    Finish("SyncFeeds", start, absl::OkStatus(), reactor);
  });
  return reactor;
}

}  // namespace clearmatch
