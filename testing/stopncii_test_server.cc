// The StopNCII API on loopback for the adapter's tests (cpp-httplib).
#include "testing/stopncii_test_server.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/listening_thread.h"
#include "httplib.h"

namespace clearmatch::testing {
namespace {

constexpr char kJson[] = "application/json";

void AppendRecord(std::string& out, const std::string& last_modified,
                  const std::string& signal, const std::string& hash,
                  const std::string& status) {
  absl::StrAppend(
      &out, R"({"lastModtimestamp":)", last_modified, R"(,"signalType":")",
      signal, R"(","hashValue":")", hash, R"(","hashStatus":")", status,
      R"(","caseNumbers":{"0b7e3c1a-5d2f-4e8a-9c61-7f4d2a1b3e90":")", status,
      R"("},"CSPFeedbacks":[]})");
}

// The records a fault adds at the end of a page.
std::string FaultRecords(StopNciiTestServer::Fault fault) {
  using Fault = StopNciiTestServer::Fault;
  std::string out;
  switch (fault) {
    case Fault::kWrongLengthHash:
      AppendRecord(out, "1", "ImagePDQ", std::string(63, 'a'), "Active");
      break;
    case Fault::kUnknownEnums:
      AppendRecord(out, "1", "HologramXYZ", "00ff", "Active");
      out += ',';
      AppendRecord(out, "1", "ImagePDQ", std::string(64, 'b'), "Frozen");
      out.insert(out.size() - 1, R"(,"futureField":[1])");
      break;
    case Fault::kWrongType:
      AppendRecord(out, "\"12\"", "VideoMD5", std::string(32, 'c'), "Active");
      break;
    default:
      break;
  }
  return out;
}

bool IsMatchable(const StopNciiTestServer::Record& record) {
  return (record.signal_type == "ImagePDQ" ||
          record.signal_type == "VideoMD5") &&
         (record.hash_status == "Active" || record.hash_status == "Received");
}

void JsonError(httplib::Response& response, int status,
               const std::string& message) {
  response.status = status;
  response.set_content(absl::StrCat(R"({"error":")", message, "\"}"), kJson);
}

}  // namespace

absl::StatusOr<std::unique_ptr<StopNciiTestServer>> StopNciiTestServer::Start(
    Options options) {
  std::unique_ptr<httplib::Server> http;
  if (!options.cert_file.empty() && !options.key_file.empty()) {
    auto https = std::make_unique<httplib::SSLServer>(options.cert_file.c_str(),
                                                      options.key_file.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError("test server: certificate refused");
    }
    http = std::move(https);
  } else {
    http = std::make_unique<httplib::Server>();
  }
  auto server = std::unique_ptr<StopNciiTestServer>(
      new StopNciiTestServer(std::move(options), std::move(http)));
  StopNciiTestServer* self = server.get();
  server->http_->Get("/v1/FetchHashes", [self](const httplib::Request& request,
                                               httplib::Response& response) {
    self->HandleFetch(request, response);
  });
  server->http_->Post(
      "/v1/SubmitFeedback",
      [self](const httplib::Request& request, httplib::Response& response) {
        self->HandleFeedback(request, response);
      });
  server->port_ = server->http_->bind_to_any_port("127.0.0.1");
  if (server->port_ <= 0) {
    return absl::UnavailableError("test server: cannot listen on 127.0.0.1");
  }
  server->thread_ = StartListeningThread(*server->http_);
  return server;
}

StopNciiTestServer::StopNciiTestServer(Options options,
                                       std::unique_ptr<httplib::Server> http)
    : options_(std::move(options)), http_(std::move(http)) {}

StopNciiTestServer::~StopNciiTestServer() {
  Release();
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string StopNciiTestServer::base_url() const {
  const bool https = !options_.cert_file.empty() && !options_.key_file.empty();
  return absl::StrCat(https ? "https" : "http", "://127.0.0.1:", port_, "/v1");
}

void StopNciiTestServer::Upsert(Record record) {
  absl::MutexLock lock(&mu_);
  auto key = std::make_pair(record.signal_type, record.hash_value);
  records_[std::move(key)] = std::move(record);
}

std::vector<StopNciiTestServer::Record> StopNciiTestServer::MatchableRecords()
    const {
  absl::MutexLock lock(&mu_);
  std::vector<Record> out;
  for (const auto& [key, record] : records_) {
    if (IsMatchable(record)) out.push_back(record);
  }
  return out;
}

void StopNciiTestServer::AddFault(Endpoint endpoint, FaultSpec fault, int nth) {
  absl::MutexLock lock(&mu_);
  const int done =
      endpoint == Endpoint::kFetchHashes ? fetch_requests_ : feedback_attempts_;
  faults_[{endpoint, done + nth}] = std::move(fault);
}

void StopNciiTestServer::HoldFetch(int nth) {
  absl::MutexLock lock(&mu_);
  hold_at_ = fetch_requests_ + nth;
  held_ = false;
  released_ = false;
}

bool StopNciiTestServer::WaitUntilHeld(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&held_), timeout);
}

void StopNciiTestServer::Release() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

void StopNciiTestServer::ExpireTokens() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, token] : tokens_) token.expired = true;
}

int StopNciiTestServer::fetch_requests() const {
  absl::MutexLock lock(&mu_);
  return fetch_requests_;
}

std::vector<StopNciiTestServer::Keys> StopNciiTestServer::fetch_keys() const {
  absl::MutexLock lock(&mu_);
  return fetch_keys_;
}

std::vector<StopNciiTestServer::FeedbackRequest>
StopNciiTestServer::feedback_requests() const {
  absl::MutexLock lock(&mu_);
  return feedback_;
}

int StopNciiTestServer::feedback_attempts() const {
  absl::MutexLock lock(&mu_);
  return feedback_attempts_;
}

std::optional<StopNciiTestServer::FaultSpec> StopNciiTestServer::BeginRequest(
    Endpoint endpoint) {
  absl::MutexLock lock(&mu_);
  int number = 0;
  if (endpoint == Endpoint::kFetchHashes) {
    number = ++fetch_requests_;
    if (number == hold_at_ && !released_) {
      held_ = true;
      mu_.Await(absl::Condition(&released_));
    }
  } else {
    number = ++feedback_attempts_;
  }
  auto it = faults_.find({endpoint, number});
  if (it == faults_.end()) return std::nullopt;
  FaultSpec fault = std::move(it->second);
  faults_.erase(it);
  return fault;
}

std::shared_ptr<const StopNciiTestServer::Run> StopNciiTestServer::NewRun(
    int64_t start) const {
  auto run = std::make_shared<Run>();
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, record] : records_) {
      if (record.last_modified >= start) run->records.push_back(record);
    }
  }
  std::sort(run->records.begin(), run->records.end(),
            [](const Record& a, const Record& b) {
              return std::tie(a.last_modified, a.hash_value) <
                     std::tie(b.last_modified, b.hash_value);
            });
  run->next_set_timestamp =
      run->records.empty() ? start : run->records.back().last_modified + 1;
  return run;
}

std::string StopNciiTestServer::PageJson(
    const std::shared_ptr<const Run>& run, size_t offset, size_t page_size,
    const std::optional<FaultSpec>& fault) {
  const size_t end = std::min(run->records.size(), offset + page_size);
  const bool more = end < run->records.size();
  std::string token = "null";
  if (more) {
    absl::MutexLock lock(&mu_);
    const std::string name = absl::StrCat("pt", ++next_token_, "x", rand());
    tokens_[name] = Token{run, end, absl::Now()};
    token = absl::StrCat("\"", name, "\"");
  }
  std::string out = absl::StrCat(
      R"({"count":)", end - offset, R"(,"nextPageToken":)", token,
      R"(,"nextSetTimestamp":)", run->next_set_timestamp,
      R"(,"hasMoreRecords":)", more ? "true" : "false", R"(,"hashRecords":[)");
  for (size_t i = offset; i < end; ++i) {
    const Record& r = run->records[i];
    if (i > offset) out += ',';
    AppendRecord(out, absl::StrCat(r.last_modified), r.signal_type,
                 r.hash_value, r.hash_status);
  }
  if (fault.has_value()) {
    const std::string extra = FaultRecords(fault->fault);
    if (!extra.empty() && end > offset) out += ',';
    out += extra;
  }
  out += "]}";
  return out;
}

void StopNciiTestServer::HandleFetch(const httplib::Request& request,
                                     httplib::Response& response) {
  std::optional<FaultSpec> fault = BeginRequest(Endpoint::kFetchHashes);
  const Keys keys{request.get_header_value("Ocp-Apim-Subscription-Key"),
                  request.get_header_value("x-functions-key")};
  {
    absl::MutexLock lock(&mu_);
    fetch_keys_.push_back(keys);
  }
  if (keys.subscription_key != options_.subscription_key ||
      keys.functions_key != options_.fetch_hashes_key) {
    return JsonError(response, 401, "Access denied: invalid key");
  }
  if (fault.has_value() && fault->fault == Fault::kStatus) {
    if (!fault->retry_after.empty()) {
      response.set_header("Retry-After", fault->retry_after);
    }
    return JsonError(response, fault->status, "fault injected");
  }
  if (fault.has_value() && fault->fault == Fault::kReset) {
    response.set_content_provider(
        1000, kJson, [](size_t, size_t, httplib::DataSink&) { return false; });
    return;
  }
  int64_t start = 0;
  int64_t page_size = 0;
  if (!absl::SimpleAtoi(request.get_param_value("startTimestamp"), &start) ||
      !absl::SimpleAtoi(request.get_param_value("pageSize"), &page_size) ||
      page_size < 1 || page_size > 100000) {
    return JsonError(response, 400, "startTimestamp and pageSize required");
  }
  std::shared_ptr<const Run> run;
  size_t offset = 0;
  if (request.has_param("nextPageToken")) {
    absl::MutexLock lock(&mu_);
    auto it = tokens_.find(request.get_param_value("nextPageToken"));
    if (it == tokens_.end() || it->second.expired ||
        absl::Now() - it->second.issued > options_.token_lifetime) {
      JsonError(response, 400, "invalid or expired nextPageToken");
      return;
    }
    run = it->second.run;
    offset = it->second.offset;
  } else {
    run = NewRun(start);
  }
  std::string body = PageJson(run, offset, page_size, fault);
  if (fault.has_value() && fault->fault == Fault::kTruncatedJson) {
    body.resize(body.size() / 2);
  } else if (fault.has_value() && fault->fault == Fault::kOversizePage &&
             body.size() < fault->oversize_bytes) {
    body.insert(1, std::string(fault->oversize_bytes - body.size(), ' '));
  }
  response.set_content(body, kJson);
}

void StopNciiTestServer::HandleFeedback(const httplib::Request& request,
                                        httplib::Response& response) {
  std::optional<FaultSpec> fault = BeginRequest(Endpoint::kSubmitFeedback);
  const Keys keys{request.get_header_value("Ocp-Apim-Subscription-Key"),
                  request.get_header_value("x-functions-key")};
  if (keys.subscription_key != options_.subscription_key ||
      keys.functions_key != options_.submit_feedback_key) {
    return JsonError(response, 401, "Access denied: invalid key");
  }
  if (fault.has_value() && fault->fault == Fault::kStatus) {
    if (!fault->retry_after.empty()) {
      response.set_header("Retry-After", fault->retry_after);
    }
    return JsonError(response, fault->status, "fault injected");
  }
  if (fault.has_value() && fault->fault == Fault::kReset) {
    response.set_content_provider(
        100, kJson, [](size_t, size_t, httplib::DataSink&) { return false; });
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    feedback_.push_back({request.body, keys});
  }
  response.set_content(R"({"status":"ok"})", kJson);
}

}  // namespace clearmatch::testing
