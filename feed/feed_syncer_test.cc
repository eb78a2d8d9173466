// Fault tests of the feed client against a real HTTP server on a loopback
// port: every fault leaves the store at its last good state and the error
// says what happened.
#include "feed/feed_syncer.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "crypto/ed25519_signer.h"
#include "feed/feed_format.h"
#include "feed/feed_publisher.h"
#include "feed/http_feed_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/file_digests.h"
#include "testing/fault_http_server.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::FaultHttpServer;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::RemoveChange;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestAdds;
using ::clearmatch::testing::TestEntry;
using ::clearmatch::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;
using Fault = FaultHttpServer::Fault;
using Response = FaultHttpServer::Response;

constexpr absl::Duration kExpiresIn = absl::Hours(24);

class FeedSyncerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = *Ed25519Signer::GenerateKeyPair();
    publisher_ = *FeedPublisher::Create(PublisherOptions(keys_.private_pem));
    // Delta 1 adds e0..e9; delta 2 adds e10..e19 and withdraws e0.
    Publish(TestAdds(0, 10));
    std::vector<FeedChange> second = TestAdds(10, 10);
    second.push_back(RemoveChange("e0"));
    Publish(second);
    server_ = *FaultHttpServer::Start(feed_dir());
    HashStore::Options store_options;
    store_options.path = dir_.File("store.sqlite");
    store_ = *HashStore::Open(store_options);
  }

  std::string feed_dir() const { return dir_.File("feed"); }

  FeedPublisher::Options PublisherOptions(const std::string& private_pem) {
    FeedPublisher::Options options;
    options.feed_dir = feed_dir();
    options.private_key_pem = private_pem;
    options.feed_id = "test-feed";
    options.expires_in = kExpiresIn;
    return options;
  }

  void Publish(const std::vector<FeedChange>& changes) {
    ASSERT_TRUE(publisher_->Publish(changes).ok());
    for (const FeedChange& change : changes) {
      if (change.op == FeedChange::Op::kAdd) {
        expected_[change.entry.entry_id] = change.entry;
      } else {
        expected_.erase(change.entry.entry_id);
      }
    }
  }

  absl::StatusOr<FeedSyncer::Result> Sync(const std::string& public_pem = "",
                                          absl::Time now = absl::Now()) {
    HttpFeedSource::Options http;
    http.base_url = server_->base_url();
    http.connect_timeout = absl::Seconds(30);
    http.attempt_timeout = attempt_timeout_;
    http.max_attempts = 3;
    http.initial_backoff = absl::Milliseconds(1);
    http.sleep = [this](absl::Duration d) { sleeps_.push_back(d); };
    auto source = HttpFeedSource::Create(http);
    if (!source.ok()) return source.status();
    FeedSyncer::Options options;
    options.public_key_pem = public_pem.empty() ? keys_.public_pem : public_pem;
    options.reader.now = [now] { return now; };
    auto syncer = FeedSyncer::Create(options, **source, *store_);
    if (!syncer.ok()) return syncer.status();
    return (*syncer)->Sync();
  }

  // The store holds exactly expected_ (== brute-force replay of what was
  // published and applied) at checkpoint `sequence`.
  void ExpectStoreAt(uint64_t sequence) {
    auto checkpoint = store_->GetCheckpoint("test-feed");
    ASSERT_TRUE(checkpoint.ok());
    ASSERT_TRUE(checkpoint->has_value());
    EXPECT_EQ((*checkpoint)->sequence, sequence);
    auto entries = store_->ListEntries("test-feed");
    ASSERT_TRUE(entries.ok());
    std::vector<FeedEntry> want;
    for (const auto& [id, entry] : expected_) want.push_back(entry);
    EXPECT_EQ(*entries, want);
    EXPECT_TRUE(store_->CheckIntegrity().ok());
  }

  // Syncs to 2, then publishes delta 3 (adds e20..e24) without syncing it:
  // the state every fault test starts from. expected_ stays at state 2.
  void SyncedToTwoWithThreeOnOffer() {
    ASSERT_TRUE(Sync().ok());
    const auto state_two = expected_;
    Publish(TestAdds(20, 5));
    state_three_ = expected_;
    expected_ = state_two;
  }

  // Writes `delta_bytes` as delta N+1 and signs a manifest listing it, as a
  // (buggy or malicious) publisher holding the right key would.
  void PublishRawDelta(const std::string& delta_bytes, uint64_t records) {
    v1::FeedManifest manifest;
    ASSERT_TRUE(manifest.ParseFromString(
        ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
    const uint64_t sequence = manifest.sequence() + 1;
    const std::string path = absl::StrCat("deltas/raw", sequence, ".delta");
    WriteFile(feed_dir() + "/" + path, delta_bytes);
    v1::FeedFile* file = manifest.add_deltas();
    file->set_sequence(sequence);
    file->set_path(path);
    file->set_sha256(Sha256Hex(delta_bytes));
    file->set_record_count(records);
    file->set_size_bytes(delta_bytes.size());
    manifest.set_sequence(sequence);
    SignAndWrite(manifest, keys_.private_pem);
  }

  void SignAndWrite(const v1::FeedManifest& manifest,
                    const std::string& private_pem) {
    std::string bytes;
    manifest.SerializeToString(&bytes);
    auto signer = *Ed25519Signer::Create(private_pem);
    WriteFile(feed_dir() + "/" + std::string(kManifestPath), bytes);
    WriteFile(feed_dir() + "/" + std::string(kManifestSignaturePath),
              *signer->Sign(bytes));
  }

  TempDir dir_;
  Ed25519KeyPair keys_;
  // Generous: a loaded machine still answers on loopback well within it.
  absl::Duration attempt_timeout_ = absl::Seconds(30);
  std::unique_ptr<FeedPublisher> publisher_;
  std::unique_ptr<FaultHttpServer> server_;
  std::unique_ptr<HashStore> store_;
  std::map<std::string, FeedEntry> expected_;
  std::map<std::string, FeedEntry> state_three_;
  std::vector<absl::Duration> sleeps_;
};

TEST_F(FeedSyncerTest, AppliesEveryDeltaInOrderAndReportsChanges) {
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->feed_id, "test-feed");
  EXPECT_EQ(result->from_sequence, 0u);
  EXPECT_EQ(result->to_sequence, 2u);
  EXPECT_EQ(result->applied_deltas, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(result->records, 21);
  ExpectStoreAt(2);
  // e0 was added then withdrawn within the sync: the index must not get it.
  EXPECT_EQ(result->changes.added.size(), 19u);
  EXPECT_THAT(result->changes.removed_entry_ids, ::testing::Contains("e0"));
  for (const FeedEntry& entry : result->changes.added) {
    EXPECT_NE(entry.entry_id, "e0");
  }
}

TEST_F(FeedSyncerTest, SecondSyncChangesNothing) {
  ASSERT_TRUE(Sync().ok());
  auto again = Sync();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->applied_deltas.empty());
  EXPECT_TRUE(again->changes.added.empty());
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, SameDeltaTwiceChangesNothing) {
  ASSERT_TRUE(Sync().ok());
  // Delta 3 repeats delta 2 exactly.
  std::vector<FeedChange> second = TestAdds(10, 10);
  second.push_back(RemoveChange("e0"));
  Publish(second);
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->applied_deltas, (std::vector<uint64_t>{3}));
  EXPECT_TRUE(result->changes.added.empty());
  EXPECT_TRUE(result->changes.removed_entry_ids.empty());
  ExpectStoreAt(3);
}

TEST_F(FeedSyncerTest, TruncatedBodyIsRetriedThenReported) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("deltas/000000000003.delta",
                    Response::WithFault(Fault::kTruncate));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("truncated"));
  EXPECT_THAT(result.status().message(), HasSubstr("3 attempts"));
  EXPECT_EQ(server_->RequestCount("deltas/000000000003.delta"), 3);
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, ConnectionResetIsReported) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("manifest.pb", Response::WithFault(Fault::kReset));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("connection failed"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, ServerErrorIsRetriedWithBackoff) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("deltas/000000000003.delta", Response::WithStatus(500), 2);
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(sleeps_.size(), 2u);
  expected_ = state_three_;
  ExpectStoreAt(3);
}

TEST_F(FeedSyncerTest, PersistentServerErrorIsReported) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("manifest.pb", Response::WithStatus(500));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("HTTP 500"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, TooManyRequestsHonoursRetryAfter) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("manifest.pb",
                    Response::WithStatus(429, {{"Retry-After", "7"}}), 1);
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_GE(sleeps_[0], absl::Seconds(7));
  expected_ = state_three_;
  ExpectStoreAt(3);
}

TEST_F(FeedSyncerTest, RetryAfterBeyondLimitGivesUp) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("manifest.pb",
                    Response::WithStatus(429, {{"Retry-After", "86400"}}));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("retry after"));
  EXPECT_TRUE(sleeps_.empty());
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, ServerThatNeverAnswersTimesOut) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("manifest.pb", Response::WithFault(Fault::kNeverAnswer));
  HttpFeedSource::Options http;
  http.base_url = server_->base_url();
  // The server never answers, so this timeout is exceeded by construction,
  // however fast or slow the machine is.
  http.attempt_timeout = absl::Milliseconds(300);
  http.max_attempts = 1;
  auto source = *HttpFeedSource::Create(http);
  const int requests_before = server_->RequestCount("manifest.pb");
  // The fetch runs on a thread only so that a source ignoring its timeout
  // fails the test (after a minute) instead of hanging it.
  absl::StatusOr<std::string> fetched;
  absl::Notification returned;
  std::thread fetcher([&] {
    fetched = source->Fetch("manifest.pb", 1 << 20);
    returned.Notify();
  });
  const bool in_time =
      returned.WaitForNotificationWithTimeout(absl::Minutes(1));
  if (!in_time) server_.reset();  // closes the connection: Fetch returns
  fetcher.join();
  ASSERT_TRUE(in_time) << "Fetch ignored attempt_timeout: " << fetched.status();
  ASSERT_EQ(fetched.status().code(), absl::StatusCode::kDeadlineExceeded)
      << fetched.status();
  EXPECT_THAT(fetched.status().message(),
              AllOf(HasSubstr("timed out"), HasSubstr("after 1 attempts")));
  EXPECT_EQ(server_->RequestCount("manifest.pb"), requests_before + 1);
  attempt_timeout_ = absl::Milliseconds(300);
  auto result = Sync();  // the syncer reports the same
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, BodyThatNeverEndsHitsTheSizeCap) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("deltas/000000000003.delta",
                    Response::WithFault(Fault::kEndlessBody));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(result.status().message(), HasSubstr("exceeds the limit"));
  EXPECT_EQ(server_->RequestCount("deltas/000000000003.delta"), 1);
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, BadSignatureIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  std::string signature =
      ReadTextFile(feed_dir() + "/" + std::string(kManifestSignaturePath));
  signature[10] ^= 0x01;
  server_->SetFault("manifest.pb.sig", Response::WithBody(signature));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(result.status().message(), HasSubstr("does not verify"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, TamperedManifestIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  v1::FeedManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
  manifest.set_expires_at_unix_seconds(manifest.expires_at_unix_seconds() +
                                       365 * 86400);
  std::string tampered;
  manifest.SerializeToString(&tampered);
  server_->SetFault("manifest.pb", Response::WithBody(tampered));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, SignatureByAnotherKeyIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  const Ed25519KeyPair other = *Ed25519Signer::GenerateKeyPair();
  v1::FeedManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
  manifest.set_signing_key_id(
      (*Ed25519Signer::Create(other.private_pem))->key_id());
  SignAndWrite(manifest, other.private_pem);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(result.status().message(), HasSubstr("another key"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, ManifestOlderThanCheckpointIsRefused) {
  // Keep the signed manifest of sequence 2, move the store to 3, replay 2.
  const std::string old_manifest =
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath));
  const std::string old_signature =
      ReadTextFile(feed_dir() + "/" + std::string(kManifestSignaturePath));
  Publish(TestAdds(20, 5));
  ASSERT_TRUE(Sync().ok());
  server_->SetFault("manifest.pb", Response::WithBody(old_manifest));
  server_->SetFault("manifest.pb.sig", Response::WithBody(old_signature));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("rollback"));
  ExpectStoreAt(3);
}

TEST_F(FeedSyncerTest, ExpiredManifestIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  auto result = Sync("", absl::Now() + kExpiresIn + absl::Hours(1));
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("expired"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, DeltaWithWrongSha256IsRefused) {
  SyncedToTwoWithThreeOnOffer();
  std::string delta = ReadTextFile(feed_dir() + "/deltas/000000000003.delta");
  delta[delta.size() / 2] ^= 0x01;
  server_->SetFault("deltas/000000000003.delta", Response::WithBody(delta));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("sha256"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, MissingDeltaFileIsReported) {
  SyncedToTwoWithThreeOnOffer();
  server_->SetFault("deltas/000000000003.delta", Response::WithStatus(404));
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("000000000003.delta"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, GapInManifestDeltasIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  v1::FeedManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
  // Deltas 1 and 3, no 2.
  manifest.mutable_deltas()->DeleteSubrange(1, 1);
  SignAndWrite(manifest, keys_.private_pem);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("not contiguous"));
  ExpectStoreAt(2);
}

TEST_F(FeedSyncerTest, CheckpointBehindDeltasOnOfferWithoutSnapshotIsRefused) {
  // A fresh store while the feed only lists delta 2: no way to get state 1.
  v1::FeedManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
  manifest.mutable_deltas()->DeleteSubrange(0, 1);
  SignAndWrite(manifest, keys_.private_pem);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("too old"));
  EXPECT_FALSE(store_->GetCheckpoint("test-feed")->has_value());
}

class MalformedRecordTest : public FeedSyncerTest,
                            public ::testing::WithParamInterface<
                                std::pair<std::string, std::string>> {};

TEST_P(MalformedRecordTest, WholeDeltaIsRefused) {
  SyncedToTwoWithThreeOnOffer();
  // Two good records, then the bad one: nothing of the delta may land.
  std::string bytes = EncodeFeedRecords(TestAdds(100, 2));
  v1::FeedRecord bad;
  bad.set_op(v1::FeedRecord::OP_ADD);
  bad.set_entry_id("bad");
  const auto& [kind, hash] = GetParam();
  bad.set_hash(hash);
  std::string record;
  if (kind == "unknown type") {
    bad.SerializeToString(&record);
    record += std::string("\x18\x09", 2);  // field 3 (hash_type) = 9
  } else {
    bad.set_hash_type(v1::HASH_TYPE_MD5);
    bad.SerializeToString(&record);
  }
  bytes.push_back(static_cast<char>(record.size()));
  bytes += record;
  expected_ = state_three_;  // delta 3 is fine and applies first
  PublishRawDelta(bytes, 3);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("record 2"));
  EXPECT_THAT(result.status().message(), HasSubstr("refused whole"));
  ExpectStoreAt(3);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MalformedRecordTest,
    ::testing::Values(
        std::make_pair("bad hex",
                       std::string("0123456789abcdef0123456789abcdeg")),
        std::make_pair("wrong length", std::string("0123456789abcdef")),
        std::make_pair("unknown type",
                       std::string("0123456789abcdef0123456789abcdef"))));

TEST_F(FeedSyncerTest, LoadsSnapshotWhenCheckpointIsTooOld) {
  // Republish with snapshots, keeping only the newest delta.
  FeedPublisher::Options options = PublisherOptions(keys_.private_pem);
  options.write_snapshot = true;
  options.keep_deltas = 1;
  publisher_ = *FeedPublisher::Create(options);
  Publish({RemoveChange("e5"), {FeedChange::Op::kAdd, TestEntry(30)}});
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->snapshot_sequence, 3u);
  EXPECT_TRUE(result->changes.full_reload);
  ExpectStoreAt(3);
  // A store at the checkpoint the deltas reach takes the delta instead.
  Publish(TestAdds(40, 3));
  auto next = Sync();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_FALSE(next->snapshot_sequence.has_value());
  EXPECT_EQ(next->applied_deltas, (std::vector<uint64_t>{4}));
  ExpectStoreAt(4);
}

TEST_F(FeedSyncerTest, AnotherFeedIdIsRefused) {
  ASSERT_TRUE(Sync().ok());
  v1::FeedManifest manifest;
  ASSERT_TRUE(manifest.ParseFromString(
      ReadTextFile(feed_dir() + "/" + std::string(kManifestPath))));
  manifest.set_feed_id("other-feed");
  SignAndWrite(manifest, keys_.private_pem);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("other-feed"));
  ExpectStoreAt(2);
}

}  // namespace
}  // namespace clearmatch
