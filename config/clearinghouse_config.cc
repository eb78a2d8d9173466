// Defaults and checks of the clearinghouse sources in DaemonConfig.
#include "config/clearinghouse_config.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/daemon_config.h"

namespace clearmatch {
namespace {

void MakeRelativeTo(const std::filesystem::path& dir, std::string* path) {
  if (path->empty() || std::filesystem::path(*path).is_absolute()) return;
  *path = (dir / *path).lexically_normal().string();
}

// The fields both kinds of source share, for one set of checks.
struct SourceFields {
  std::string key;  // "ncmec_sources[0]"
  const std::string& name;
  const std::string& base_url;
  const std::string& credentials_file;
  const std::string& ca_file;
  int64_t start_time;
};

// "host:port" of an http(s) URL's authority; empty if it has none.
std::string UrlAuthority(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return "";
  absl::string_view rest = url.substr(scheme_end + 3);
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

absl::Status ValidateBaseUrl(const SourceFields& source) {
  const std::string key = absl::StrCat(source.key, ".base_url");
  const bool https = absl::StartsWith(source.base_url, "https://");
  if (!https && !absl::StartsWith(source.base_url, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", source.base_url,
                     "\" is not an https:// URL (http:// only on loopback)"));
  }
  const std::string authority = UrlAuthority(source.base_url);
  if (authority.empty() || absl::StrContains(authority, "@")) {
    return absl::InvalidArgumentError(
        absl::StrCat(key,
                     ": needs a host and no user info (credentials go in "
                     "credentials_file)"));
  }
  if (!https && !IsLoopbackUrl(source.base_url)) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", source.base_url,
                     "\" is http:// on a host that is not loopback: use "
                     "https://"));
  }
  if (!source.ca_file.empty() && !https) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.key, ".ca_file: only https:// URLs use a CA, not ",
                     source.base_url));
  }
  return absl::OkStatus();
}

absl::Status ValidateSource(const SourceFields& source,
                            std::set<std::string>& names) {
  if (source.name.empty() || source.name.size() > 128) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.key, ".name: must be 1..128 bytes"));
  }
  if (!names.insert(source.name).second) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.key, ".name: \"", source.name,
                     "\" is the name of another source or bank; names must "
                     "be unique"));
  }
  CM_RETURN_IF_ERROR(ValidateBaseUrl(source));
  if (source.credentials_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source.key, ".credentials_file: must not be empty"));
  }
  if (source.start_time < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source.key, ".start_time_unix_seconds: ", source.start_time,
        " is negative"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackUrl(absl::string_view url) {
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return false;
  }
  const std::string authority = UrlAuthority(url);
  if (authority.empty() || absl::StrContains(authority, "@")) return false;
  // IsLoopbackAddress wants HOST:PORT; a URL may leave the port out.
  const bool has_port = absl::StartsWith(authority, "[")
                            ? absl::StrContains(authority, "]:")
                            : absl::StrContains(authority, ":");
  return IsLoopbackAddress(has_port ? authority
                                    : absl::StrCat(authority, ":0"));
}

void ApplyClearinghouseDefaults(v1::DaemonConfig* config) {
  for (v1::NcmecSourceConfig& source : *config->mutable_ncmec_sources()) {
    if (source.name().empty()) source.set_name(kDefaultNcmecSourceName);
    if (!source.has_feedback()) source.set_feedback(true);
  }
  for (v1::StopNciiSourceConfig& source : *config->mutable_stopncii_sources()) {
    if (source.name().empty()) source.set_name(kDefaultStopNciiSourceName);
    if (source.base_url().empty()) source.set_base_url(kDefaultStopNciiBaseUrl);
    if (!source.has_feedback()) source.set_feedback(true);
  }
}

void MakeClearinghousePathsRelativeTo(const std::filesystem::path& dir,
                                      v1::DaemonConfig* config) {
  for (v1::NcmecSourceConfig& source : *config->mutable_ncmec_sources()) {
    MakeRelativeTo(dir, source.mutable_credentials_file());
    MakeRelativeTo(dir, source.mutable_ca_file());
  }
  for (v1::StopNciiSourceConfig& source : *config->mutable_stopncii_sources()) {
    MakeRelativeTo(dir, source.mutable_credentials_file());
    MakeRelativeTo(dir, source.mutable_ca_file());
  }
}

absl::Status ValidateClearinghouseSources(const v1::DaemonConfig& config) {
  std::set<std::string> names;
  for (const v1::BankCsvConfig& csv : config.bank_csvs()) {
    if (!csv.bank().empty()) names.insert(csv.bank());
  }
  for (int i = 0; i < config.ncmec_sources_size(); ++i) {
    const v1::NcmecSourceConfig& source = config.ncmec_sources(i);
    CM_RETURN_IF_ERROR(
        ValidateSource({absl::StrCat("ncmec_sources[", i, "]"), source.name(),
                        source.base_url(), source.credentials_file(),
                        source.ca_file(), source.start_time_unix_seconds()},
                       names));
  }
  for (int i = 0; i < config.stopncii_sources_size(); ++i) {
    const v1::StopNciiSourceConfig& source = config.stopncii_sources(i);
    CM_RETURN_IF_ERROR(ValidateSource(
        {absl::StrCat("stopncii_sources[", i, "]"), source.name(),
         source.base_url(), source.credentials_file(), source.ca_file(),
         source.start_time_unix_seconds()},
        names));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
