// Clearinghouse sources and feedback sinks from the daemon's config.
#include "clearinghouse/clearinghouse_setup.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/ncmec_client.h"
#include "clearinghouse/ncmec_feedback_sink.h"
#include "clearinghouse/ncmec_index_source.h"
#include "clearinghouse/stopncii_client.h"
#include "clearinghouse/stopncii_feedback_sink.h"
#include "clearinghouse/stopncii_index_source.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// `status` with the config key in front of its message.
absl::Status Keyed(absl::string_view key, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(key, ": ", status.message()));
}

absl::StatusOr<NcmecCredentials> NcmecCredentialsOf(
    const v1::NcmecSourceConfig& source, absl::string_view key) {
  absl::StatusOr<std::string> text =
      ReadCredentialsFile(source.credentials_file());
  if (!text.ok()) return Keyed(key, text.status());
  absl::StatusOr<NcmecCredentials> credentials = ParseNcmecCredentials(*text);
  if (!credentials.ok()) return Keyed(key, credentials.status());
  return credentials;
}

absl::StatusOr<StopNciiCredentials> StopNciiCredentialsOf(
    const v1::StopNciiSourceConfig& source, absl::string_view key) {
  absl::StatusOr<std::string> text =
      ReadCredentialsFile(source.credentials_file());
  if (!text.ok()) return Keyed(key, text.status());
  absl::StatusOr<StopNciiCredentials> credentials =
      ParseStopNciiCredentials(*text);
  if (!credentials.ok()) return Keyed(key, credentials.status());
  return credentials;
}

HttpClient::Options HttpOptions(const std::string& ca_file,
                                const std::function<bool()>& cancelled) {
  HttpClient::Options http;
  http.ca_file = ca_file;
  http.cancelled = cancelled;
  return http;
}

std::string NcmecKey(int i) { return absl::StrCat("ncmec_sources[", i, "]"); }
std::string StopNciiKey(int i) {
  return absl::StrCat("stopncii_sources[", i, "]");
}

absl::StatusOr<std::unique_ptr<IndexSource>> MakeNcmecSource(
    const v1::NcmecSourceConfig& config, int i, ClearinghouseStore& store,
    const std::function<bool()>& cancelled) {
  NcmecIndexSource::Options options;
  options.name = config.name();
  options.base_url = config.base_url();
  CM_ASSIGN_OR_RETURN(
      options.credentials,
      NcmecCredentialsOf(config,
                         absl::StrCat(NcmecKey(i), ".credentials_file")));
  options.ca_file = config.ca_file();
  options.start_time_unix_seconds = config.start_time_unix_seconds();
  options.http = HttpOptions(config.ca_file(), cancelled);
  absl::StatusOr<std::unique_ptr<NcmecIndexSource>> source =
      NcmecIndexSource::Create(std::move(options), store);
  if (!source.ok()) return Keyed(NcmecKey(i), source.status());
  return std::unique_ptr<IndexSource>(*std::move(source));
}

absl::StatusOr<std::unique_ptr<IndexSource>> MakeStopNciiSource(
    const v1::StopNciiSourceConfig& config, int i, ClearinghouseStore& store,
    const std::function<bool()>& cancelled) {
  StopNciiIndexSource::Options options;
  options.name = config.name();
  options.base_url = config.base_url();
  CM_ASSIGN_OR_RETURN(
      options.credentials,
      StopNciiCredentialsOf(config,
                            absl::StrCat(StopNciiKey(i), ".credentials_file")));
  options.ca_file = config.ca_file();
  options.start_time_unix_seconds = config.start_time_unix_seconds();
  options.http = HttpOptions(config.ca_file(), cancelled);
  absl::StatusOr<std::unique_ptr<StopNciiIndexSource>> source =
      StopNciiIndexSource::Create(std::move(options), store);
  if (!source.ok()) return Keyed(StopNciiKey(i), source.status());
  return std::unique_ptr<IndexSource>(*std::move(source));
}

}  // namespace

bool HasClearinghouseSources(const v1::DaemonConfig& config) {
  return config.ncmec_sources_size() > 0 || config.stopncii_sources_size() > 0;
}

absl::StatusOr<std::vector<std::unique_ptr<IndexSource>>>
MakeClearinghouseSources(const v1::DaemonConfig& config,
                         ClearinghouseStore& store,
                         std::function<bool()> cancelled) {
  std::vector<std::unique_ptr<IndexSource>> sources;
  for (int i = 0; i < config.ncmec_sources_size(); ++i) {
    CM_ASSIGN_OR_RETURN(
        sources.emplace_back(),
        MakeNcmecSource(config.ncmec_sources(i), i, store, cancelled));
  }
  for (int i = 0; i < config.stopncii_sources_size(); ++i) {
    CM_ASSIGN_OR_RETURN(
        sources.emplace_back(),
        MakeStopNciiSource(config.stopncii_sources(i), i, store, cancelled));
  }
  return sources;
}

absl::StatusOr<std::vector<std::unique_ptr<FeedbackSink>>> MakeFeedbackSinks(
    const v1::DaemonConfig& config, std::function<bool()> cancelled) {
  std::vector<std::unique_ptr<FeedbackSink>> sinks;
  for (int i = 0; i < config.ncmec_sources_size(); ++i) {
    const v1::NcmecSourceConfig& source = config.ncmec_sources(i);
    if (!source.feedback()) continue;
    NcmecFeedbackSink::Options options;
    options.name = source.name();
    options.base_url = source.base_url();
    CM_ASSIGN_OR_RETURN(
        options.credentials,
        NcmecCredentialsOf(source,
                           absl::StrCat(NcmecKey(i), ".credentials_file")));
    options.ca_file = source.ca_file();
    options.negative_reason_guid = source.negative_reason_guid();
    options.http.ca_file = source.ca_file();
    options.http.cancelled = cancelled;
    absl::StatusOr<std::unique_ptr<NcmecFeedbackSink>> sink =
        NcmecFeedbackSink::Create(std::move(options));
    if (!sink.ok()) return Keyed(NcmecKey(i), sink.status());
    sinks.push_back(*std::move(sink));
  }
  for (int i = 0; i < config.stopncii_sources_size(); ++i) {
    const v1::StopNciiSourceConfig& source = config.stopncii_sources(i);
    if (!source.feedback()) continue;
    StopNciiFeedbackSink::Options options;
    options.bank = source.name();
    options.base_url = source.base_url();
    CM_ASSIGN_OR_RETURN(
        options.credentials,
        StopNciiCredentialsOf(
            source, absl::StrCat(StopNciiKey(i), ".credentials_file")));
    options.ca_file = source.ca_file();
    options.http.ca_file = source.ca_file();
    options.http.cancelled = cancelled;
    absl::StatusOr<std::unique_ptr<StopNciiFeedbackSink>> sink =
        StopNciiFeedbackSink::Create(std::move(options));
    if (!sink.ok()) return Keyed(StopNciiKey(i), sink.status());
    sinks.push_back(*std::move(sink));
  }
  return sinks;
}

namespace {

absl::StatusOr<std::string> CheckNcmec(const v1::NcmecSourceConfig& source,
                                       int i) {
  NcmecClient::Options options;
  options.name = source.name();
  options.base_url = source.base_url();
  CM_ASSIGN_OR_RETURN(
      options.credentials,
      NcmecCredentialsOf(source,
                         absl::StrCat(NcmecKey(i), ".credentials_file")));
  options.http.ca_file = source.ca_file();
  options.http.max_attempts = 2;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<NcmecClient> client,
                      NcmecClient::Create(std::move(options)));
  CM_ASSIGN_OR_RETURN(NcmecStatus status, client->GetStatus());
  return absl::StrCat("member ", status.member_id, " (", status.member_name,
                      "), username ", status.username, ", seen from ",
                      status.ip_address);
}

absl::StatusOr<std::string> CheckStopNcii(
    const v1::StopNciiSourceConfig& source, int i) {
  StopNciiClient::Options options;
  options.base_url = source.base_url();
  CM_ASSIGN_OR_RETURN(
      options.credentials,
      StopNciiCredentialsOf(source,
                            absl::StrCat(StopNciiKey(i), ".credentials_file")));
  options.http.ca_file = source.ca_file();
  options.http.max_attempts = 2;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<StopNciiClient> client,
                      StopNciiClient::Create(std::move(options)));
  CM_ASSIGN_OR_RETURN(
      StopNciiPage page,
      client->FetchHashes(source.start_time_unix_seconds(), 10, ""));
  int64_t records = static_cast<int64_t>(page.records.size());
  for (const auto& [reason, count] : page.skipped) records += count;
  return absl::StrCat("keys accepted, ", records, " records on the first page",
                      page.has_more_records ? ", more to come" : "");
}

}  // namespace

std::vector<ConnectionReport> CheckClearinghouseConnections(
    const v1::DaemonConfig& config) {
  std::vector<ConnectionReport> reports;
  for (int i = 0; i < config.ncmec_sources_size(); ++i) {
    const v1::NcmecSourceConfig& source = config.ncmec_sources(i);
    ConnectionReport& report = reports.emplace_back();
    report.name = source.name();
    report.kind = "ncmec";
    absl::StatusOr<std::string> who = CheckNcmec(source, i);
    report.status = who.status();
    if (who.ok()) report.who = *std::move(who);
  }
  for (int i = 0; i < config.stopncii_sources_size(); ++i) {
    const v1::StopNciiSourceConfig& source = config.stopncii_sources(i);
    ConnectionReport& report = reports.emplace_back();
    report.name = source.name();
    report.kind = "stopncii";
    absl::StatusOr<std::string> who = CheckStopNcii(source, i);
    report.status = who.status();
    if (who.ok()) report.who = *std::move(who);
  }
  return reports;
}

}  // namespace clearmatch
