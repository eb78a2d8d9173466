// The gRPC transport limits of clearmatchd (docs/DAEMON.md, "Transport
// limits") against the real daemon: many idle streams, a CheckStream client
// that never reads, slow and stalled uploads, a huge vPDQ list, keepalive
// abuse, connection idle and age limits. Every wait has a generous bound;
// what is asserted is codes, counts and memory, never how fast this machine
// is.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

// Under AddressSanitizer the daemon keeps up to 256 MiB of freed memory in
// quarantine (resident): a bound on its growth allows for that too.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kAsanQuarantineBytes = int64_t{256} << 20;
#else
constexpr int64_t kAsanQuarantineBytes = 0;
#endif

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::HasSubstr;

constexpr char kBankedMd5[] = "0123456789abcdef0123456789abcdef";

std::string RandomHex(std::mt19937_64& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(digits, '0');
  for (char& c : hex) c = kHex[rng() % 16];
  return hex;
}

// A daemon on a bank of one md5 and one PDQ entry, with `extra` config.
struct Daemon {
  explicit Daemon(const std::string& extra) {
    std::mt19937_64 rng(13);
    pdq = RandomHex(rng, 64);
    dir.Write("bank.csv", absl::StrCat("md5,", kBankedMd5, ",e-md5,b,\n",
                                       "pdq,", pdq, ",e-pdq,b,\n"));
    config =
        dir.Write("c.textproto",
                  absl::StrCat("bank_csvs { path: \"bank.csv\" }\n", extra));
    process = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config, "--data-dir", dir.path() + "/d"});
  }

  std::shared_ptr<grpc::Channel> NewChannel(
      grpc::ChannelArguments args = {}) const {
    // A connection of its own, not one shared with other channels.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(process->address(),
                                     grpc::InsecureChannelCredentials(), args);
  }

  // The daemon's pid, found by its unique --config path.
  int Pid() const {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::ifstream in(entry.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
      if (cmdline.find("clearmatchd") != std::string::npos &&
          cmdline.find(config) != std::string::npos) {
        return std::stoi(entry.path().filename().string());
      }
    }
    return -1;
  }

  // VmRSS in bytes, -1 if unknown.
  int64_t RssBytes() const {
    std::ifstream in(absl::StrCat("/proc/", Pid(), "/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) {
        return int64_t{1024} * std::stoll(line.substr(6));
      }
    }
    return -1;
  }

  TempDir dir;
  std::string pdq;
  std::string config;
  std::unique_ptr<DaemonProcess> process;
};

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

v1::CheckRequest Md5Check(const std::string& md5) {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->set_md5(md5);
  return request;
}

// A hash-only Check on a fresh connection: its status and decision.
grpc::Status CheckBankedMd5(const Daemon& daemon, v1::Decision* decision) {
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  grpc::ClientContext context;
  context.set_deadline(In(120));
  v1::CheckResponse response;
  const grpc::Status status =
      stub->Check(&context, Md5Check(kBankedMd5), &response);
  *decision = response.decision();
  return status;
}

void ExpectServing(const Daemon& daemon) {
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  const grpc::Status status = CheckBankedMd5(daemon, &decision);
  EXPECT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_EQ(decision, v1::BLOCK);
}

class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++n_;
  }
  // True once the count reaches `n`, false after `timeout`.
  bool WaitFor(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return n_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  int value() {
    absl::MutexLock lock(&mu_);
    return n_;
  }

 private:
  absl::Mutex mu_;
  int n_ ABSL_GUARDED_BY(mu_) = 0;
};

// A CheckStream that sends one hash-only request, reads its one answer and
// then stays open and idle until cancelled.
class IdleStream final
    : public grpc::ClientBidiReactor<v1::CheckRequest, v1::CheckResponse> {
 public:
  IdleStream(v1::Matcher::Stub& stub, Counter& answered, Counter& done)
      : answered_(answered), done_(done) {
    request_ = Md5Check(std::string(32, 'f'));
    stub.async()->CheckStream(&context_, this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) answered_.Add();
  }
  void OnDone(const grpc::Status&) override { done_.Add(); }
  void Cancel() { context_.TryCancel(); }

 private:
  Counter& answered_;
  Counter& done_;
  grpc::ClientContext context_;
  v1::CheckRequest request_;
  v1::CheckResponse response_;
};

// 10,000 streams open at once over 100 connections (the default cap is 100
// streams per connection), each answered once and then idle: the daemon
// keeps answering another client and its memory grows by less than 1 GiB.
TEST(TransportLimitsTest, TenThousandIdleStreams) {
  Daemon daemon("limits { queue_size: 1000 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  ExpectServing(daemon);
  const int64_t rss_before = daemon.RssBytes();
  ASSERT_GT(rss_before, 0);

  constexpr int kConnections = 100;
  constexpr int kStreamsPerConnection = 100;
  constexpr int kStreams = kConnections * kStreamsPerConnection;
  std::vector<std::unique_ptr<v1::Matcher::Stub>> stubs;
  std::vector<std::unique_ptr<IdleStream>> streams;
  Counter answered, done;
  for (int c = 0; c < kConnections; ++c) {
    stubs.push_back(v1::Matcher::NewStub(daemon.NewChannel()));
    for (int s = 0; s < kStreamsPerConnection; ++s) {
      streams.push_back(
          std::make_unique<IdleStream>(*stubs.back(), answered, done));
    }
  }
  const bool all_answered = answered.WaitFor(kStreams, absl::Minutes(5));
  EXPECT_TRUE(all_answered) << answered.value() << " of " << kStreams;
  EXPECT_EQ(done.value(), 0);  // every stream is still open
  ExpectServing(daemon);
  const int64_t growth = daemon.RssBytes() - rss_before;
  EXPECT_LT(growth, int64_t{1} << 30) << "VmRSS grew by " << growth;
  RecordProperty("vmrss_growth_bytes", absl::StrCat(growth));

  for (auto& stream : streams) stream->Cancel();
  EXPECT_TRUE(done.WaitFor(kStreams, absl::Minutes(5))) << done.value();
  ExpectServing(daemon);
}

// The `frames` first frames of a vPDQ list of random hashes; `match_at`
// carries `pdq` (-1: none).
v1::CheckRequest VpdqCheck(int frames, int match_at, const std::string& pdq,
                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.mutable_options()->set_omit_hashes(true);
  for (int i = 0; i < frames; ++i) {
    v1::VpdqFrameHash* frame = request.mutable_hashes()->add_vpdq();
    frame->set_frame_number(i);
    frame->set_quality(100);
    frame->set_seconds(i / 30.0);
    frame->set_hash(i == match_at ? pdq : RandomHex(rng, 64));
  }
  return request;
}

// A client that writes CheckStream requests and never reads: once
// max_stream_outgoing answers wait, the daemon reads no more, so the
// client's writes stop (flow control) long before all are sent; the
// daemon's memory stays flat and it serves others.
TEST(TransportLimitsTest, StreamClientThatNeverReadsIsHeldBack) {
  Daemon daemon("limits { max_stream_outgoing: 8 queue_size: 1000 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  const int64_t rss_before = daemon.RssBytes();
  ASSERT_GT(rss_before, 0);

  // ~1.5 KB each: 150 MB in all, far beyond any flow-control window.
  constexpr int kRequests = 100000;
  v1::CheckRequest request = VpdqCheck(16, -1, "", 1);
  request.mutable_options()->set_omit_hashes(false);  // big answers
  request.set_content_id(std::string(256, 'c'));
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  grpc::ClientContext context;
  auto stream = stub->CheckStream(&context);
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; i < kRequests && stream->Write(request); ++i) ++written;
  });
  // Wait until the writes stop for 5 s (or all went through).
  int last = -1;
  for (int still = 0, second = 0; still < 5 && second < 300; ++second) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const int now = written.load();
    still = now == last ? still + 1 : 0;
    last = now;
    if (now == kRequests) break;
  }
  EXPECT_LT(written.load(), kRequests) << "the daemon read every request";
  ExpectServing(daemon);
  const int64_t growth = daemon.RssBytes() - rss_before;
  EXPECT_LT(growth, (int64_t{256} << 20) + kAsanQuarantineBytes)
      << "VmRSS grew by " << growth;
  RecordProperty("vmrss_growth_bytes", absl::StrCat(growth));
  RecordProperty("requests_written", written.load());
  context.TryCancel();
  writer.join();
  ExpectServing(daemon);
}

// Sends the header of a `declared`-byte upload and `sent` bytes, then
// nothing more; the call's status once the daemon ends it.
grpc::Status StalledUploadOnce(const Daemon& daemon, uint64_t declared,
                               size_t sent) {
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  grpc::ClientContext context;
  context.set_deadline(In(300));
  v1::CheckResponse response;
  auto writer = stub->CheckUpload(&context, &response);
  v1::UploadChunk chunk;
  chunk.mutable_header()->set_context(v1::UPLOAD);
  chunk.mutable_header()->set_declared_size(declared);
  writer->Write(chunk);
  chunk.Clear();
  chunk.set_data(std::string(sent, 'x'));
  writer->Write(chunk);
  return writer->Finish();  // no WritesDone: the upload stalls
}

// StalledUploadOnce, again while every upload slot is taken (by the other
// uploads of a test, which start at the same time).
grpc::Status StalledUpload(const Daemon& daemon, uint64_t declared,
                           size_t sent) {
  grpc::Status status;
  for (int i = 0; i < 1000; ++i) {
    status = StalledUploadOnce(daemon, declared, sent);
    if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status;
}

grpc::Status GoodUpload(const Daemon& daemon, v1::CheckResponse* response) {
  const std::vector<unsigned char> bytes =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  grpc::ClientContext context;
  context.set_deadline(In(120));
  auto writer = stub->CheckUpload(&context, response);
  v1::UploadChunk chunk;
  chunk.mutable_header()->set_context(v1::UPLOAD);
  chunk.mutable_header()->set_declared_size(bytes.size());
  writer->Write(chunk);
  chunk.Clear();
  chunk.set_data(std::string(bytes.begin(), bytes.end()));
  writer->Write(chunk);
  writer->WritesDone();
  return writer->Finish();
}

// One worker: two upload slots. Two uploads that stall after one byte hold
// both (a third is refused: the stalled ones retry until they have a slot,
// the third is tried until it is refused), are ended as too slow once the
// 5 s grace is over, and free their slots: the next upload is checked.
TEST(TransportLimitsTest, SlowUploadsAreEndedAndFreeTheirSlots) {
  Daemon daemon("limits { workers: 1 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  const absl::Time start = absl::Now();
  grpc::Status slow[2];
  std::vector<std::thread> threads;
  for (grpc::Status& status : slow) {
    threads.emplace_back(
        [&daemon, &status] { status = StalledUpload(daemon, 1 << 20, 1); });
  }
  grpc::Status refused;
  v1::CheckResponse response;
  for (int i = 0; i < 600; ++i) {  // until both stalled uploads hold a slot
    refused = GoodUpload(daemon, &response);
    if (refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("uploads are already"));
  for (std::thread& thread : threads) thread.join();
  const absl::Duration took = absl::Now() - start;
  for (const grpc::Status& status : slow) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << status.error_message();
    EXPECT_THAT(status.error_message(),
                HasSubstr("limits.upload_min_bytes_per_second"));
  }
  EXPECT_GE(took, absl::Seconds(5));    // not before the grace is over
  EXPECT_LT(took, absl::Seconds(200));  // and not at the client's deadline
  const grpc::Status next = GoodUpload(daemon, &response);
  EXPECT_TRUE(next.ok()) << next.error_message();
  EXPECT_EQ(response.decision(), v1::ALLOW);
}

// With no rate limit, a stalled upload still ends at upload_timeout_ms.
TEST(TransportLimitsTest, StalledUploadEndsAtTheUploadTimeout) {
  Daemon daemon(
      "limits { upload_timeout_ms: 2000 upload_min_bytes_per_second: 0 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  const absl::Time start = absl::Now();
  const grpc::Status status = StalledUpload(daemon, 1000, 10);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("did not arrive within 2s"));
  EXPECT_THAT(status.error_message(), HasSubstr("10 bytes received"));
  EXPECT_GE(took, absl::Seconds(2));
  EXPECT_LT(took, absl::Seconds(200));
}

// 100,000 vPDQ frames in one hash-only Check (one frame is the banked PDQ):
// answered correctly, while other clients' Checks are answered too.
TEST(TransportLimitsTest, HugeVpdqListIsAnsweredWithoutBlockingOthers) {
  Daemon daemon("");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  const v1::CheckRequest huge = VpdqCheck(100000, 54321, daemon.pdq, 2);
  grpc::Status huge_status;
  v1::CheckResponse huge_response;
  std::atomic<bool> huge_done{false};
  std::thread thread([&] {
    auto stub = v1::Matcher::NewStub(daemon.NewChannel());
    grpc::ClientContext context;
    context.set_deadline(In(300));
    huge_status = stub->Check(&context, huge, &huge_response);
    huge_done = true;
  });
  int others = 0;
  while (!huge_done.load() || others < 5) {
    ExpectServing(daemon);
    ++others;
  }
  thread.join();
  ASSERT_TRUE(huge_status.ok()) << huge_status.error_message();
  EXPECT_EQ(huge_response.decision(), v1::BLOCK);
  ASSERT_EQ(huge_response.matches_size(), 1);
  EXPECT_EQ(huge_response.matches(0).entry_id(), "e-pdq");
}

// Waits (at most 120 s) for the idle CheckStream of `stub` to be ended by
// the daemon; its status.
grpc::Status IdleStreamEnd(v1::Matcher::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(In(120));
  auto stream = stub.CheckStream(&context);
  v1::CheckResponse response;
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

// A client pinging every 10 ms (with no data, even without calls) is
// disconnected after a few strikes; others are still served.
TEST(TransportLimitsTest, KeepaliveAbuseIsDisconnected) {
  Daemon daemon("");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 10);
  auto stub = v1::Matcher::NewStub(daemon.NewChannel(args));
  const absl::Time start = absl::Now();
  const grpc::Status status = IdleStreamEnd(*stub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(100));
  ExpectServing(daemon);
}

// A client pinging every 3 s is within min_ping_interval_ms: 1000 and is
// never disconnected (gRPC's own default, 5 minutes, would close it after
// three pings): the daemon applies the configured interval.
TEST(TransportLimitsTest, KeepaliveWithinTheIntervalIsKept) {
  Daemon daemon("transport { min_ping_interval_ms: 1000 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 3000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 3000);
  auto stub = v1::Matcher::NewStub(daemon.NewChannel(args));
  grpc::ClientContext context;
  context.set_deadline(In(20));  // about six pings
  auto stream = stub->CheckStream(&context);
  v1::CheckResponse response;
  while (stream->Read(&response)) {
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
}

// With max_concurrent_streams: 2 a third stream on the same connection
// waits until one of the two ends.
TEST(TransportLimitsTest, StreamsPerConnectionAreCapped) {
  Daemon daemon("transport { max_concurrent_streams: 2 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  Counter answered, done, third_answered, third_done;
  IdleStream first(*stub, answered, done);
  IdleStream second(*stub, answered, done);
  ASSERT_TRUE(answered.WaitFor(2, absl::Minutes(2)));
  IdleStream third(*stub, third_answered, third_done);
  EXPECT_FALSE(third_answered.WaitFor(1, absl::Seconds(3)));
  first.Cancel();
  EXPECT_TRUE(third_answered.WaitFor(1, absl::Minutes(2)));
  second.Cancel();
  third.Cancel();
  EXPECT_TRUE(done.WaitFor(2, absl::Minutes(2)));
  EXPECT_TRUE(third_done.WaitFor(1, absl::Minutes(2)));
}

// A connection with no call for max_connection_idle_ms is closed.
TEST(TransportLimitsTest, IdleConnectionIsClosed) {
  Daemon daemon("transport { max_connection_idle_ms: 1000 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  auto channel = daemon.NewChannel();
  auto stub = v1::Matcher::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(In(120));
  v1::CheckResponse response;
  ASSERT_TRUE(stub->Check(&context, Md5Check(kBankedMd5), &response).ok());
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(channel->WaitForStateChange(GRPC_CHANNEL_READY, In(120)));
  EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY);
}

// A connection older than max_connection_age_ms is asked to go away and,
// after the grace, its open call is ended.
TEST(TransportLimitsTest, OldConnectionIsClosed) {
  Daemon daemon(
      "transport { max_connection_age_ms: 2000 "
      "max_connection_age_grace_ms: 1000 }\n");
  ASSERT_TRUE(daemon.process->started()) << daemon.process->error();
  auto stub = v1::Matcher::NewStub(daemon.NewChannel());
  const absl::Time start = absl::Now();
  const grpc::Status status = IdleStreamEnd(*stub);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_GE(absl::Now() - start, absl::Seconds(2));
  EXPECT_LT(absl::Now() - start, absl::Seconds(100));
  ExpectServing(daemon);
}

}  // namespace
}  // namespace clearmatch
