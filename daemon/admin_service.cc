// Admin RPCs: GetStatus, SyncFeeds.
#include "daemon/admin_service.h"

#include <string>

#include "daemon/grpc_status_util.h"

namespace clearmatch {
namespace {

int64_t UnixOrZero(absl::Time t) {
  return t == absl::InfinitePast() ? 0 : absl::ToUnixSeconds(t);
}

void FillIndex(const IndexUpdater::Status& status, absl::Time now,
               v1::IndexStatus* out) {
  out->set_serving(status.serving);
  out->set_version(status.version);
  out->set_size(status.size);
  out->set_delta_size(status.delta_size);
  out->set_loaded_unix_seconds(UnixOrZero(status.loaded));
  out->set_age_seconds(status.loaded == absl::InfinitePast()
                           ? -1
                           : absl::ToInt64Seconds(now - status.loaded));
  out->set_loaded_from(status.loaded_from);
}

void FillFeeds(const IndexUpdater::Status& status, absl::Time now,
               google::protobuf::RepeatedPtrField<v1::FeedStatus>* out) {
  for (const IndexUpdater::FeedStatus& feed : status.feeds) {
    v1::FeedStatus* f = out->Add();
    f->set_feed_id(feed.feed_id);
    f->set_url(feed.url);
    f->set_checkpoint_sequence(feed.sequence);
    f->set_entries(feed.entries);
    f->set_last_sync_result(feed.last_result);
    f->set_last_sync_unix_seconds(UnixOrZero(feed.last_sync));
    f->set_last_sync_age_seconds(
        feed.last_sync == absl::InfinitePast()
            ? -1
            : absl::ToInt64Seconds(now - feed.last_sync));
    f->set_last_success_unix_seconds(UnixOrZero(feed.last_success));
  }
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::GetStatus(
    grpc::CallbackServerContext* context, const v1::GetStatusRequest*,
    v1::GetStatusResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = authorizer_.Authorize(*context, "admin");
  if (status.ok()) {
    const IndexUpdater::Status s = updater_.GetStatus();
    FillIndex(s, start, response->mutable_index());
    FillFeeds(s, start, response->mutable_feeds());
    response->set_uptime_seconds(absl::ToInt64Seconds(start - started_));
    response->set_version(CLEARMATCH_VERSION);
  }
  metrics_.CountRequest("GetStatus", status.code());
  metrics_.ObserveRpcSeconds("GetStatus",
                             absl::ToDoubleSeconds(absl::Now() - start));
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::SyncFeeds(
    grpc::CallbackServerContext* context, const v1::SyncFeedsRequest*,
    v1::SyncFeedsResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = authorizer_.Authorize(*context, "admin");
  if (!status.ok()) {
    metrics_.CountRequest("SyncFeeds", status.code());
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  updater_.RequestSync([this, reactor, response,
                        start](IndexUpdater::Status s) {
    const absl::Time now = absl::Now();
    FillIndex(s, now, response->mutable_index());
    FillFeeds(s, now, response->mutable_feeds());
    metrics_.CountRequest("SyncFeeds", absl::StatusCode::kOk);
    metrics_.ObserveRpcSeconds("SyncFeeds", absl::ToDoubleSeconds(now - start));
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

}  // namespace clearmatch
