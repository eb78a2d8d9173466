// NCMEC hash sharing API on loopback, for tests: cpp-httplib handlers over
// an in-memory entry list.
#include "testing/ncmec_test_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "http/listening_thread.h"
#include "httplib.h"

namespace clearmatch::testing {
namespace {

constexpr char kPrefix[] = "/hashsharing";
constexpr char kXmlHead[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr char kNs[] = "https://hashsharing.ncmec.org/hashsharing/v2";

std::string Escape(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string Time(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

bool ParseTime(const std::string& text, int64_t* seconds) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return false;
  *seconds = absl::ToUnixSeconds(time);
  return true;
}

// Replaces the socket behind the connection from `remote_port` with
// /dev/null after setting SO_LINGER to 0: the kernel resets the connection,
// and httplib's later writes and close act on /dev/null.
void ResetConnection(int server_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* item = readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(item->d_name, &fd) || fd == dirfd(dir)) continue;
    sockaddr_in local{}, peer{};
    socklen_t local_size = sizeof(local), peer_size = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != server_port ||
        ntohs(peer.sin_port) != remote_port) {
      continue;
    }
    linger hard{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null_fd, fd);
    close(null_fd);
    break;
  }
  closedir(dir);
}

// A step that visits every residue mod n.
uint64_t CoprimeStep(uint64_t n) {
  for (uint64_t prime : {7919, 104729, 1299709, 15485863}) {
    if (std::gcd(prime, n) == 1) return prime;
  }
  return 1;
}

// Billion laughs: ten levels of ten references each.
std::string EntityBomb() {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE queryResult [\n";
  xml += " <!ENTITY lol0 \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&xml, " <!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) absl::StrAppend(&xml, "&lol", i - 1, ";");
    xml += "\">\n";
  }
  xml +=
      "]>\n<queryResult><images count=\"1\"><image><id>&lol9;</id>"
      "</image></images></queryResult>\n";
  return xml;
}

void AppendEntry(const NcmecTestServer::Entry& entry, bool unknown,
                 bool* wrong_md5, std::string& xml) {
  const char* tag = entry.video ? (entry.deleted ? "deletedVideo" : "video")
                                : (entry.deleted ? "deletedImage" : "image");
  absl::StrAppend(&xml, "<", tag, "><member id=\"", entry.member_id,
                  "\">Member ", entry.member_id, "</member>");
  if (entry.deleted) {
    absl::StrAppend(&xml, "<id>", Escape(entry.id), "</id><timestamp>",
                    Time(entry.timestamp), "</timestamp></", tag, ">");
    return;
  }
  absl::StrAppend(&xml, "<timestamp>", Time(entry.timestamp), "</timestamp>",
                  "<id>", Escape(entry.id), "</id>");
  std::string classification = entry.classification;
  if (unknown && classification.empty()) classification = "Z9";
  if (!classification.empty()) {
    absl::StrAppend(&xml, "<classification>", Escape(classification),
                    "</classification>");
  }
  if (unknown) xml += "<reviewHistory><step n=\"1\">new</step></reviewHistory>";
  xml += "<fingerprints>";
  for (const auto& [type, value] : entry.fingerprints) {
    std::string text = value;
    if (type == "md5" && *wrong_md5 && !entry.video) {
      text = value.substr(0, 31);
      *wrong_md5 = false;
    }
    absl::StrAppend(&xml, "<", type, ">", Escape(text), "</", type, ">");
  }
  if (unknown) xml += "<futurehash>0123</futurehash>";
  absl::StrAppend(&xml, "</fingerprints><feedback/></", tag, ">");
}

}  // namespace

NcmecTestServer::NcmecTestServer(Options options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<NcmecTestServer>> NcmecTestServer::Start(
    Options options) {
  auto server =
      std::unique_ptr<NcmecTestServer>(new NcmecTestServer(std::move(options)));
  NcmecTestServer* self = server.get();
  const Options& o = self->options_;
  if (!o.cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(o.cert_file.c_str(),
                                                    o.key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError("NcmecTestServer: bad TLS files");
    }
    self->server_ = std::move(tls);
  } else {
    self->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *self->server_;
  http.set_keep_alive_timeout(1);  // stop() waits for idle connections
  const std::string p = kPrefix;
  http.Get(p + "/v2/status", [self](const auto& req, auto& res) {
    if (self->Authorized(req, res)) self->ServeStatus(req, res);
  });
  http.Get(p + "/v2/entries", [self](const auto& req, auto& res) {
    if (self->Authorized(req, res)) self->ServeEntries(req, res);
  });
  http.Get(p + R"(/v2/feedback/([A-Za-z0-9_]+)/reasons)",
           [self](const auto& req, auto& res) {
             if (self->Authorized(req, res)) self->ServeReasons(req, res);
           });
  http.Put(p + R"(/v2/entries/(\d+)/([^/]+)/([A-Za-z0-9_]+)/feedback)",
           [self](const auto& req, auto& res) {
             if (self->Authorized(req, res)) self->RecordFeedback(req, res);
           });
  self->port_ = http.bind_to_any_port("127.0.0.1");
  if (self->port_ <= 0) {
    return absl::UnavailableError("NcmecTestServer: cannot listen");
  }
  self->thread_ = StartListeningThread(http);
  return server;
}

NcmecTestServer::~NcmecTestServer() {
  Release();
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string NcmecTestServer::base_url() const {
  return absl::StrCat(options_.cert_file.empty() ? "http" : "https",
                      "://127.0.0.1:", port_, kPrefix);
}

bool NcmecTestServer::Authorized(const httplib::Request& request,
                                 httplib::Response& response) {
  const std::string expected =
      "Basic " +
      absl::Base64Escape(options_.username + ":" + options_.password);
  if (request.get_header_value("Authorization") == expected) return true;
  response.status = 401;
  response.set_header("WWW-Authenticate", "Basic realm=\"hashsharing\"");
  response.set_content("unauthorized", "text/plain");
  return false;
}

void NcmecTestServer::Add(Entry entry) {
  std::vector<Entry> one;
  one.push_back(std::move(entry));
  AddAll(std::move(one));
}

void NcmecTestServer::AddAll(std::vector<Entry> entries) {
  absl::MutexLock lock(&mu_);
  for (Entry& entry : entries) {
    auto key = std::make_pair(entry.member_id, entry.id);
    entries_[std::move(key)] = std::move(entry);
  }
  sorted_ = false;
  counts_.clear();
}

std::map<std::pair<int64_t, std::string>, NcmecTestServer::Entry>
NcmecTestServer::entries() const {
  absl::MutexLock lock(&mu_);
  return entries_;
}

void NcmecTestServer::QueueFaults(std::vector<Fault> faults) {
  absl::MutexLock lock(&mu_);
  faults_.insert(faults_.end(), faults.begin(), faults.end());
}

void NcmecTestServer::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
}

void NcmecTestServer::QueueFeedbackFaults(std::vector<Fault> faults) {
  absl::MutexLock lock(&mu_);
  feedback_faults_.insert(feedback_faults_.end(), faults.begin(), faults.end());
}

void NcmecTestServer::HoldRequest(int n) {
  absl::MutexLock lock(&mu_);
  hold_countdown_ = n;
  holding_ = false;
  released_ = false;
}

bool NcmecTestServer::WaitForHeld(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&holding_), timeout);
}

void NcmecTestServer::Release() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

void NcmecTestServer::SetReasons(const std::string& type,
                                 std::vector<Reason> reasons) {
  absl::MutexLock lock(&mu_);
  reasons_[type] = std::move(reasons);
}

std::vector<NcmecTestServer::FeedbackPut> NcmecTestServer::feedback() const {
  absl::MutexLock lock(&mu_);
  return feedback_;
}

std::vector<std::string> NcmecTestServer::entries_requests() const {
  absl::MutexLock lock(&mu_);
  return entries_requests_;
}

int NcmecTestServer::status_requests() const {
  absl::MutexLock lock(&mu_);
  return status_requests_;
}

void NcmecTestServer::ServeStatus(const httplib::Request&,
                                  httplib::Response& response) {
  {
    absl::MutexLock lock(&mu_);
    ++status_requests_;
  }
  response.set_content(
      absl::StrCat(kXmlHead, "<status xmlns=\"", kNs,
                   "\"><ipAddress>127.0.0.1</ipAddress><username>",
                   Escape(options_.username), "</username><member id=\"",
                   options_.member_id, "\">", Escape(options_.member_name),
                   "</member></status>\n"),
      "application/xml");
}

void NcmecTestServer::ServeReasons(const httplib::Request& request,
                                   httplib::Response& response) {
  std::string xml =
      absl::StrCat(kXmlHead, "<availableFeedbackReasons xmlns=\"", kNs, "\">");
  {
    absl::MutexLock lock(&mu_);
    for (const Reason& reason : reasons_[request.matches[1].str()]) {
      absl::StrAppend(&xml, "<reason guid=\"", Escape(reason.guid),
                      "\" name=\"", Escape(reason.name), "\" type=\"",
                      Escape(request.matches[1].str()), "\"/>");
    }
  }
  xml += "</availableFeedbackReasons>\n";
  response.set_content(xml, "application/xml");
}

void NcmecTestServer::RecordFeedback(const httplib::Request& request,
                                     httplib::Response& response) {
  FeedbackPut put;
  if (!absl::SimpleAtoi(request.matches[1].str(), &put.member_id)) {
    response.status = 400;
    return;
  }
  put.id = request.matches[2].str();
  put.type = request.matches[3].str();
  put.body = request.body;
  {
    absl::MutexLock lock(&mu_);
    Fault fault = Fault::kNone;
    if (!feedback_faults_.empty()) {
      fault = feedback_faults_.front();
      feedback_faults_.pop_front();
    }
    if (fault == Fault::kTooManyRequests || fault == Fault::kServerError) {
      response.status = fault == Fault::kServerError ? 500 : 429;
      if (fault == Fault::kTooManyRequests) {
        response.set_header("Retry-After", "1");
      }
      return;
    }
    feedback_.push_back(std::move(put));
  }
  response.set_content(
      absl::StrCat(kXmlHead, "<submissionResult xmlns=\"", kNs, "\"/>\n"),
      "application/xml");
}

NcmecTestServer::Fault NcmecTestServer::NextFault() {
  absl::MutexLock lock(&mu_);
  Fault fault = Fault::kNone;
  if (!faults_.empty()) {
    fault = faults_.front();
    faults_.pop_front();
  }
  if (hold_countdown_ == 0) {
    holding_ = true;
    mu_.Await(absl::Condition(&released_));
    hold_countdown_ = -1;
    holding_ = false;
  } else if (hold_countdown_ > 0) {
    --hold_countdown_;
  }
  return fault;
}

void NcmecTestServer::SortIfNeeded() {
  if (sorted_) return;
  by_time_.clear();
  by_time_.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) by_time_.push_back(&entry);
  std::stable_sort(by_time_.begin(), by_time_.end(),
                   [](const Entry* a, const Entry* b) {
                     return a->timestamp < b->timestamp;
                   });
  sorted_ = true;
}

std::string NcmecTestServer::PageXml(int64_t from, int64_t to, int64_t start,
                                     int64_t size, Fault fault) {
  absl::MutexLock lock(&mu_);
  SortIfNeeded();
  const auto by_timestamp = [](const Entry* e, int64_t t) {
    return e->timestamp < t;
  };
  const size_t lo =
      std::lower_bound(by_time_.begin(), by_time_.end(), from, by_timestamp) -
      by_time_.begin();
  const size_t hi =
      std::lower_bound(by_time_.begin(), by_time_.end(), to + 1, by_timestamp) -
      by_time_.begin();
  const uint64_t window = hi - lo;
  auto [counts_at, fresh] = counts_.try_emplace({from, to});
  Counts& counts = counts_at->second;
  for (size_t i = lo; fresh && i < hi; ++i) {
    const Entry& e = *by_time_[i];
    (e.video ? counts.videos : counts.images) += 1;
    int64_t& max = e.video ? counts.max_video : counts.max_image;
    max = std::max(max, e.timestamp);
  }
  // Position j of the window's order is entry (a * o + n / 3) mod n of the
  // timestamp order within j's block of n entries (o = j's offset in the
  // block, a coprime to n): a permutation, far from sorted.
  const uint64_t block =
      options_.disorder_block > 0 ? options_.disorder_block : window;
  const auto position = [&](uint64_t j) {
    const uint64_t start_of_block = j / block * block;
    const uint64_t n = std::min(block, window - start_of_block);
    return start_of_block + (CoprimeStep(n) * (j - start_of_block) + n / 3) % n;
  };
  const uint64_t first = static_cast<uint64_t>(std::max<int64_t>(start, 1) - 1);
  const uint64_t last = std::min<uint64_t>(first + size, window);
  std::string images, videos;
  const bool unknown = fault == Fault::kUnknownElements;
  bool wrong_md5 = fault == Fault::kWrongLengthHash;
  for (uint64_t j = first; j < last; ++j) {
    const Entry& e = *by_time_[lo + position(j)];
    AppendEntry(e, unknown, &wrong_md5, e.video ? videos : images);
  }
  std::string xml = absl::StrCat(kXmlHead, "<queryResult xmlns=\"", kNs, "\">");
  if (unknown) xml += "<serverNotice level=\"info\">hello</serverNotice>";
  absl::StrAppend(&xml, "<images count=\"", counts.images, "\" maxTimestamp=\"",
                  Time(counts.max_image), "\">", images, "</images>");
  absl::StrAppend(&xml, "<videos count=\"", counts.videos, "\" maxTimestamp=\"",
                  Time(counts.max_video), "\">", videos, "</videos>");
  if (last < window) {
    const auto encoded = [](int64_t t) {
      return absl::StrReplaceAll(Time(t), {{":", "%3A"}});
    };
    absl::StrAppend(&xml, "<paging><next>/v2/entries?from=", encoded(from),
                    "&amp;to=", encoded(to), "&amp;start=", last + 1,
                    "&amp;size=", size, "&amp;max=", last + size,
                    "</next></paging>");
  }
  if (fault == Fault::kOversize) {
    absl::StrAppend(&xml, "<!--", std::string(options_.oversize_bytes, 'x'),
                    "-->");
  }
  xml += "</queryResult>\n";
  return xml;
}

void NcmecTestServer::ServeEntries(const httplib::Request& request,
                                   httplib::Response& response) {
  const Fault fault = NextFault();
  {
    absl::MutexLock lock(&mu_);
    entries_requests_.push_back(request.target);
  }
  int64_t from = 0, to = 0, start = 1, size = options_.page_size;
  if (!ParseTime(request.get_param_value("from"), &from) ||
      !ParseTime(request.get_param_value("to"), &to) ||
      (request.has_param("start") &&
       !absl::SimpleAtoi(request.get_param_value("start"), &start)) ||
      (request.has_param("size") &&
       !absl::SimpleAtoi(request.get_param_value("size"), &size)) ||
      size <= 0) {
    response.status = 400;
    response.set_content("bad query", "text/plain");
    return;
  }
  switch (fault) {
    case Fault::kTooManyRequests:
      response.status = 429;
      response.set_header("Retry-After", "1");
      return;
    case Fault::kServerError:
      response.status = 500;
      return;
    case Fault::kReset:
      ResetConnection(port_, request.remote_port);
      response.status = 500;
      return;
    case Fault::kEntityBomb:
      response.set_content(EntityBomb(), "application/xml");
      return;
    default:
      break;
  }
  std::string xml = PageXml(from, to, start, size, fault);
  if (fault == Fault::kTruncatedXml) xml.resize(xml.size() / 2);
  if (fault == Fault::kTruncatedBody) {
    const size_t length = xml.size();
    response.set_content_provider(
        length, "application/xml",
        [body = std::move(xml)](size_t offset, size_t,
                                httplib::DataSink& sink) {
          if (offset > 0) return false;
          sink.write(body.data(), body.size() / 2);
          return true;
        });
    return;
  }
  response.set_content(xml, "application/xml");
}

}  // namespace clearmatch::testing
