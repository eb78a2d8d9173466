// End-to-end tests of clearmatchd: the real binary on loopback ports, a real
// gRPC C++ client, the Python client (wire compatibility), a real HTTP feed
// server. Expected matches come from the reference hashes of
// tests/testdata (computed by Meta's tools), never from our hasher.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clearmatch/v1/admin.grpc.pb.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/fault_http_server.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::AddRecord;
using ::clearmatch::testing::BinaryPath;
using ::clearmatch::testing::CreateTestFeed;
using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::FaultHttpServer;
using ::clearmatch::testing::HttpGet;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::TestFeed;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Reference hashes (hash,quality,file) of tests/testdata/pdq.
std::map<std::string, std::string> ReferenceHashes() {
  std::istringstream in(ReadTextFile(TestdataPath("pdq/reference_hashes.csv")));
  std::map<std::string, std::string> hashes;
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.rfind(',');
    if (a == std::string::npos || a == b) continue;
    hashes[line.substr(b + 1)] = line.substr(0, a);
  }
  return hashes;
}

// Line `index` (from 0) of a reference vPDQ file: frame,quality,hash,seconds.
std::vector<std::string> VpdqLine(const std::string& file, int index) {
  std::istringstream in(
      ReadTextFile(TestdataPath("vpdq/reference_r1/" + file)));
  std::string line;
  for (int i = 0; i <= index; ++i) std::getline(in, line);
  std::vector<std::string> fields;
  std::stringstream s(line);
  std::string field;
  while (std::getline(s, field, ',')) fields.push_back(field);
  return fields;
}

int HexDistance(const std::string& a, const std::string& b) {
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d += __builtin_popcount(std::stoi(a.substr(i, 1), nullptr, 16) ^
                            std::stoi(b.substr(i, 1), nullptr, 16));
  }
  return d;
}

// `hash` with its first `chars` hex digits inverted (4 bits each).
std::string FlipHex(std::string hash, int chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < chars; ++i) {
    hash[i] = kHex[15 - std::stoi(hash.substr(i, 1), nullptr, 16)];
  }
  return hash;
}

std::string Bytes(const std::string& path) {
  const std::vector<unsigned char> bytes = ReadFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

// A daemon on a bank CSV built from reference hashes, with one bank per
// policy under test.
class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    refs_ = ReferenceHashes();
    const std::string chair_frame = VpdqLine("chair-19-sd-bar.txt", 1)[2];
    const std::string csv =
        "pdq," + refs_["bridge-1-original.jpg"] + ",bridge-1,tid,ncii\n" +
        "pdq," + FlipHex(refs_["q0291.jpg"], 3) + ",q0291-1,review,ncii\n" +
        "pdq," + refs_["q0122.jpg"] + ",q0122-1,shadowed,ncii\n" + "pdq," +
        refs_["q2821.jpg"] + ",q2821-1,nodihedral,ncii\n" + "md5," +
        Md5sumOfFile(TestdataPath("pdq/q1050.jpg")) + ",q1050-md5,tid,\n" +
        "pdq," + chair_frame + ",chair-frame-1,tid,ncii\n";
    const std::string config =
        "bank_csvs { path: \"bank.csv\" }\n"
        "limits { max_message_bytes: 8000000 }\n"
        "banks { bank: \"review\" policy { auto_distance: 10 } }\n"
        "banks { bank: \"shadowed\" policy { shadow: true } }\n"
        "banks { bank: \"nodihedral\" policy { dihedral: false } }\n";
    dir_.Write("bank.csv", csv);
    config_path_ = dir_.Write("clearmatchd.textproto", config);
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config_path_, "--data-dir", dir_.path() + "/data"});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    channel_ = grpc::CreateChannel(daemon_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::Matcher::NewStub(channel_);
  }

  grpc::Status Check(const v1::CheckRequest& request,
                     v1::CheckResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(60));
    return stub_->Check(&context, request, response);
  }

  // Success, or a failure naming the gRPC status.
  ::testing::AssertionResult CheckOk(const v1::CheckRequest& request,
                                     v1::CheckResponse* response) {
    const grpc::Status status = Check(request, response);
    if (status.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "Check: " << status.error_code() << " " << status.error_message();
  }

  v1::CheckResponse CheckFile(const std::string& testdata, v1::Context ctx,
                              v1::CheckOptions::Dihedral dihedral =
                                  v1::CheckOptions::DIHEDRAL_DEFAULT) {
    v1::CheckRequest request;
    request.set_content_id(testdata);
    request.set_context(ctx);
    request.set_media(Bytes(TestdataPath(testdata)));
    request.mutable_options()->set_dihedral(dihedral);
    v1::CheckResponse response;
    const grpc::Status status = Check(request, &response);
    EXPECT_TRUE(status.ok()) << testdata << ": " << status.error_message();
    return response;
  }

  grpc::StatusCode CheckCode(const v1::CheckRequest& request) {
    v1::CheckResponse response;
    return Check(request, &response).error_code();
  }

  std::map<std::string, std::string> refs_;
  TempDir dir_;
  std::string config_path_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Matcher::Stub> stub_;
};

TEST_F(DaemonTest, ImageMatchBlocksOnUploadAndTakesDownOnRescan) {
  v1::CheckResponse upload = CheckFile("pdq/bridge-1-original.jpg", v1::UPLOAD);
  EXPECT_EQ(upload.decision(), v1::BLOCK);
  ASSERT_EQ(upload.matches_size(), 1);
  EXPECT_EQ(upload.matches(0).entry_id(), "bridge-1");
  EXPECT_EQ(upload.matches(0).bank(), "tid");
  EXPECT_LE(upload.matches(0).distance(), 6);  // reduced-size JPEG decode
  EXPECT_EQ(upload.content_id(), "pdq/bridge-1-original.jpg");
  EXPECT_EQ(upload.snapshot_version(), 0u);  // CSV only: no feed sequence
  EXPECT_FALSE(upload.request_id().empty());
  EXPECT_EQ(upload.media_format(), "jpeg");

  v1::CheckResponse rescan = CheckFile("pdq/bridge-1-original.jpg", v1::RESCAN);
  EXPECT_EQ(rescan.decision(), v1::TAKEDOWN);
}

TEST_F(DaemonTest, UnrelatedImageIsAllowed) {
  // Precondition from the reference data: q0746 is far from every bank hash.
  for (const char* bank_file :
       {"bridge-1-original.jpg", "q0291.jpg", "q0122.jpg", "q2821.jpg"}) {
    ASSERT_GT(HexDistance(refs_["q0746.jpg"], refs_[bank_file]), 31 + 6);
  }
  v1::CheckResponse response = CheckFile("pdq/q0746.jpg", v1::UPLOAD);
  EXPECT_EQ(response.decision(), v1::ALLOW);
  EXPECT_EQ(response.matches_size(), 0);
  EXPECT_EQ(response.hashes().pdq(0).hash().size(), 64u);
}

TEST_F(DaemonTest, RotatedCopyMatchesOnlyWithDihedral) {
  EXPECT_GT(HexDistance(refs_["bridge-2-rotate-90.jpg"],
                        refs_["bridge-1-original.jpg"]),
            31 + 6);
  v1::CheckResponse with = CheckFile("pdq/bridge-2-rotate-90.jpg", v1::UPLOAD);
  EXPECT_EQ(with.decision(), v1::BLOCK);
  ASSERT_EQ(with.matches_size(), 1);
  EXPECT_NE(with.matches(0).transform(), "original");

  v1::CheckResponse without = CheckFile(
      "pdq/bridge-2-rotate-90.jpg", v1::UPLOAD, v1::CheckOptions::DIHEDRAL_OFF);
  EXPECT_EQ(without.decision(), v1::ALLOW);
}

TEST_F(DaemonTest, BankWithoutDihedralIgnoresRotatedCopies) {
  // q2821 sits in bank "nodihedral": its own image matches, a rotated copy
  // (made here with ffmpeg) does not unless the request insists.
  const std::string rotated = dir_.path() + "/q2821-rot90.png";
  ASSERT_EQ(
      std::system(("ffmpeg -v error -y -i " + TestdataPath("pdq/q2821.jpg") +
                   " -vf transpose=clock " + rotated)
                      .c_str()),
      0);
  EXPECT_EQ(CheckFile("pdq/q2821.jpg", v1::UPLOAD).decision(), v1::BLOCK);
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(Bytes(rotated));
  v1::CheckResponse response;
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::ALLOW);
  request.mutable_options()->set_dihedral(v1::CheckOptions::DIHEDRAL_ON);
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::BLOCK);
}

TEST_F(DaemonTest, BorderedCopyMatchesItsTrimmedContent) {
  // The banked bridge photo re-posted inside a white frame (made here with
  // ffmpeg, re-encoded as JPEG): far from the bank as it is, a match once
  // its border is trimmed.
  const std::string framed = dir_.path() + "/bridge-framed.jpg";
  ASSERT_EQ(
      std::system(("ffmpeg -v error -y -i " +
                   TestdataPath("pdq/bridge-1-original.jpg") +
                   " -vf pad=iw+240:ih+160:120:40:color=white -q:v 4 " + framed)
                      .c_str()),
      0);
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(Bytes(framed));
  v1::CheckResponse response;
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::BLOCK);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).entry_id(), "bridge-1");
  EXPECT_EQ(response.matches(0).transform(), "trimmed");
  EXPECT_LE(response.matches(0).distance(), 31);
  // The response reports both hashes: the image's and its content's.
  std::vector<std::string> transforms;
  for (const v1::PdqHashValue& pdq : response.hashes().pdq()) {
    transforms.push_back(pdq.transform());
  }
  EXPECT_THAT(transforms, ::testing::Contains("original"));
  EXPECT_THAT(transforms, ::testing::Contains("trimmed"));
  EXPECT_GT(HexDistance(response.hashes().pdq(0).hash(),
                        refs_["bridge-1-original.jpg"]),
            31);

  request.mutable_options()->set_trim(v1::CheckOptions::TRIM_OFF);
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::ALLOW);
  for (const v1::PdqHashValue& pdq : response.hashes().pdq()) {
    EXPECT_EQ(pdq.transform().find("trimmed"), std::string::npos);
  }
}

TEST_F(DaemonTest, NearMatchOutsideAutoDistanceGivesReview) {
  // Bank "review" holds q0291's reference hash with 12 bits flipped and acts
  // automatically only up to distance 10; q0291 (256x256) hashes bit-exactly
  // like the reference, so its match is at distance 12: REVIEW.
  v1::CheckResponse response = CheckFile("pdq/q0291.jpg", v1::UPLOAD);
  EXPECT_EQ(response.decision(), v1::REVIEW);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).entry_id(), "q0291-1");
  EXPECT_EQ(response.matches(0).distance(), 12);

  // The same with the reference hash itself.
  v1::CheckRequest request;
  request.set_context(v1::RESCAN);
  v1::PdqHashValue* pdq = request.mutable_hashes()->add_pdq();
  pdq->set_hash(refs_["q0291.jpg"]);
  pdq->set_quality(100);
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::REVIEW);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).distance(), 12);
}

TEST_F(DaemonTest, PrecomputedHashes) {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  v1::PdqHashValue* pdq = request.mutable_hashes()->add_pdq();
  pdq->set_hash(refs_["bridge-1-original.jpg"]);
  pdq->set_quality(100);
  v1::CheckResponse response;
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::BLOCK);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).distance(), 0);

  // Below the minimum quality a hash never acts automatically.
  pdq->set_quality(30);
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::REVIEW);
  // Below review_min_quality (10) a hash matches nothing; without a
  // quality it is of unknown quality: REVIEW at most.
  pdq->set_quality(5);
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::ALLOW);
  EXPECT_EQ(response.matches_size(), 0);
  pdq->clear_quality();
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::REVIEW);

  // An exact MD5 (computed here by md5sum).
  v1::CheckRequest md5;
  md5.set_context(v1::RESCAN);
  md5.mutable_hashes()->set_md5(Md5sumOfFile(TestdataPath("pdq/q1050.jpg")));
  ASSERT_TRUE(CheckOk(md5, &response));
  EXPECT_EQ(response.decision(), v1::TAKEDOWN);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).hash_type(), "md5");
}

TEST_F(DaemonTest, ShadowBankReportsButAllows) {
  v1::CheckResponse response = CheckFile("pdq/q0122.jpg", v1::UPLOAD);
  EXPECT_EQ(response.decision(), v1::ALLOW);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_TRUE(response.matches(0).shadow());
  EXPECT_EQ(response.matches(0).decision(), v1::BLOCK);
}

TEST_F(DaemonTest, VideoFramesMatchAnImageEntry) {
  // The bank holds the reference PDQ of chair-19's frame at 1 s; another
  // video's reference frames are all far from it.
  const std::string entry = VpdqLine("chair-19-sd-bar.txt", 1)[2];
  for (int i = 0; i < 10; ++i) {
    const std::vector<std::string> line = VpdqLine("pattern-hd-no-bar.txt", i);
    if (line.size() < 3) break;
    ASSERT_GT(HexDistance(line[2], entry), 31 + 8);
  }
  v1::CheckResponse video = CheckFile("vpdq/chair-19-sd-bar.mp4", v1::UPLOAD);
  EXPECT_EQ(video.decision(), v1::BLOCK);
  ASSERT_GE(video.matches_size(), 1);
  EXPECT_EQ(video.matches(0).entry_id(), "chair-frame-1");
  ASSERT_GE(video.matches(0).query_ranges_size(), 1);
  EXPECT_LE(video.matches(0).query_ranges(0).start_seconds(), 1.0);
  EXPECT_GT(video.hashes().vpdq_size(), 0);

  EXPECT_EQ(CheckFile("vpdq/pattern-hd-no-bar.mp4", v1::RESCAN).decision(),
            v1::ALLOW);

  // The reference frame hashes, precomputed by the caller.
  v1::CheckRequest request;
  request.set_context(v1::RESCAN);
  for (int i = 0; i < 3; ++i) {
    const std::vector<std::string> line = VpdqLine("chair-19-sd-bar.txt", i);
    v1::VpdqFrameHash* frame = request.mutable_hashes()->add_vpdq();
    frame->set_frame_number(std::stoi(line[0]));
    frame->set_quality(std::stoi(line[1]));
    frame->set_hash(line[2]);
    frame->set_seconds(std::stod(line[3]));
  }
  v1::CheckResponse response;
  ASSERT_TRUE(CheckOk(request, &response));
  EXPECT_EQ(response.decision(), v1::TAKEDOWN);
}

TEST_F(DaemonTest, BadRequestsAreInvalidArgument) {
  v1::CheckRequest none;
  none.set_context(v1::UPLOAD);
  EXPECT_EQ(CheckCode(none), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CheckRequest both;
  both.set_context(v1::UPLOAD);
  both.set_media("\xff\xd8\xff");
  both.mutable_hashes()->set_md5(std::string(32, 'a'));
  EXPECT_EQ(CheckCode(both), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CheckRequest unknown_context;
  unknown_context.set_context(static_cast<v1::Context>(7));
  unknown_context.mutable_hashes()->set_md5(std::string(32, 'a'));
  EXPECT_EQ(CheckCode(unknown_context), grpc::StatusCode::INVALID_ARGUMENT);
  unknown_context.set_context(v1::CONTEXT_UNSPECIFIED);
  EXPECT_EQ(CheckCode(unknown_context), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CheckRequest oversized;  // the config allows 8,000,000 bytes
  oversized.set_context(v1::UPLOAD);
  oversized.set_media(std::string(9000000, 'x'));
  EXPECT_EQ(CheckCode(oversized), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CheckRequest garbage;
  garbage.set_context(v1::UPLOAD);
  garbage.set_media("definitely not an image");
  EXPECT_EQ(CheckCode(garbage), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CheckRequest bad_hash;
  bad_hash.set_context(v1::UPLOAD);
  bad_hash.mutable_hashes()->add_pdq()->set_hash("xyz");
  EXPECT_EQ(CheckCode(bad_hash), grpc::StatusCode::INVALID_ARGUMENT);

  // The daemon still serves.
  EXPECT_EQ(CheckFile("pdq/q0746.jpg", v1::UPLOAD).decision(), v1::ALLOW);
}

TEST_F(DaemonTest, CheckStreamAnswersEveryRequest) {
  grpc::ClientContext context;
  auto stream = stub_->CheckStream(&context);
  const std::vector<std::string> files = {"pdq/bridge-1-original.jpg",
                                          "pdq/q0746.jpg", "pdq/q0003.jpg"};
  for (const std::string& file : files) {
    v1::CheckRequest request;
    request.set_content_id(file);
    request.set_context(v1::RESCAN);
    request.set_media(Bytes(TestdataPath(file)));
    ASSERT_TRUE(stream->Write(request));
  }
  v1::CheckRequest bad;  // an error answers this item, not the stream
  bad.set_content_id("bad");
  bad.set_context(v1::RESCAN);
  ASSERT_TRUE(stream->Write(bad));
  stream->WritesDone();
  std::map<std::string, v1::CheckResponse> responses;
  v1::CheckResponse response;
  while (stream->Read(&response)) responses[response.content_id()] = response;
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(responses["pdq/bridge-1-original.jpg"].decision(), v1::TAKEDOWN);
  EXPECT_EQ(responses["pdq/q0746.jpg"].decision(), v1::ALLOW);
  EXPECT_EQ(responses["bad"].error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST_F(DaemonTest, CheckUploadInChunks) {
  const std::string bytes = Bytes(TestdataPath("pdq/bridge-1-original.jpg"));
  auto upload = [&](uint64_t declared, v1::CheckResponse* response) {
    grpc::ClientContext context;
    auto writer = stub_->CheckUpload(&context, response);
    v1::UploadChunk chunk;
    chunk.mutable_header()->set_content_id("big");
    chunk.mutable_header()->set_context(v1::UPLOAD);
    chunk.mutable_header()->set_declared_size(declared);
    writer->Write(chunk);
    for (size_t offset = 0; offset < bytes.size(); offset += 65536) {
      chunk.Clear();
      chunk.set_data(bytes.substr(offset, 65536));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  };
  v1::CheckResponse response;
  ASSERT_TRUE(upload(bytes.size(), &response).ok());
  EXPECT_EQ(response.decision(), v1::BLOCK);
  EXPECT_EQ(response.content_id(), "big");
  EXPECT_EQ(upload(bytes.size() + 1, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(upload(bytes.size() - 1, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DaemonTest, PythonClientIsWireCompatible) {
  const std::string stubs = dir_.path() + "/py";
  std::filesystem::create_directories(stubs);
  const std::string proto_dir = std::string(CLEARMATCH_SOURCE_DIR) + "/proto";
  ASSERT_EQ(std::system(("protoc -I " + proto_dir + " --python_out=" + stubs +
                         " --grpc_python_out=" + stubs +
                         " --plugin=protoc-gen-grpc_python=/usr/bin/"
                         "grpc_python_plugin " +
                         proto_dir + "/clearmatch/v1/matcher.proto")
                            .c_str()),
            0);
  auto run = [&](const std::string& file, const std::string& context) {
    const std::string command =
        "/usr/bin/python3 " + std::string(CLEARMATCH_SOURCE_DIR) +
        "/tests/integration/python_client.py " + stubs + " " +
        daemon_->address() + " " + TestdataPath(file) + " " + context;
    FILE* p = popen(command.c_str(), "r");
    char buffer[512] = {};
    const size_t n = fread(buffer, 1, sizeof(buffer) - 1, p);
    pclose(p);
    return std::string(buffer, n);
  };
  EXPECT_EQ(run("pdq/bridge-1-original.jpg", "UPLOAD"), "BLOCK bridge-1\n");
  EXPECT_EQ(run("pdq/bridge-1-original.jpg", "RESCAN"), "TAKEDOWN bridge-1\n");
  EXPECT_EQ(run("pdq/q0746.jpg", "UPLOAD"), "ALLOW \n");
  EXPECT_EQ(run("pdq/q0746.jpg", "CONTEXT_UNSPECIFIED"),
            "ERROR INVALID_ARGUMENT\n");
}

TEST_F(DaemonTest, CliCheckPrintsVerdicts) {
  std::ostringstream out, err;
  const int code = cli::RunCheckCommand(
      {"--addr", daemon_->address(), TestdataPath("pdq/bridge-1-original.jpg"),
       TestdataPath("pdq/q0746.jpg")},
      out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(),
              HasSubstr("BLOCK " + TestdataPath("pdq/bridge-1-original.jpg")));
  EXPECT_THAT(out.str(), HasSubstr("ALLOW " + TestdataPath("pdq/q0746.jpg")));
}

TEST_F(DaemonTest, CliRescanStreamsAListingAndResumes) {
  const std::string listing =
      dir_.Write("listing.csv",
                 "a," + TestdataPath("pdq/bridge-1-original.jpg") + "\nb," +
                     TestdataPath("pdq/q0746.jpg") + "\nc,/nonexistent.jpg\n");
  const std::string state = dir_.path() + "/rescan.state";
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunRescanCommand({"--listing", listing, "--addr",
                                   daemon_->address(), "--resume", state},
                                  out, err),
            1);  // c cannot be read
  const std::string verdicts = out.str();
  EXPECT_THAT(verdicts, HasSubstr("\"content_id\": \"a\", \"decision\":"
                                  " \"TAKEDOWN\""));
  EXPECT_THAT(verdicts,
              HasSubstr("\"content_id\": \"b\", \"decision\": \"ALLOW\""));
  EXPECT_THAT(verdicts, HasSubstr("\"content_id\": \"c\", \"error\""));
  // a and b are recorded as done: a second run checks only c.
  std::ostringstream again, err2;
  cli::RunRescanCommand(
      {"--listing", listing, "--addr", daemon_->address(), "--resume", state},
      again, err2);
  EXPECT_THAT(again.str(), Not(HasSubstr("\"content_id\": \"a\"")));
  EXPECT_THAT(again.str(), HasSubstr("\"content_id\": \"c\""));
}

TEST_F(DaemonTest, MetricsAndHealth) {
  CheckFile("pdq/bridge-1-original.jpg", v1::UPLOAD);
  const std::string metrics = HttpGet(daemon_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("200 OK"));
  EXPECT_THAT(
      metrics,
      HasSubstr("clearmatch_requests_total{rpc=\"Check\",code=\"OK\"}"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_match_verdicts_total{bank=\"tid\","
                                 "decision=\"BLOCK\",shadow=\"false\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_stage_duration_seconds_count{"
                                 "stage=\"decode_hash\"}"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_index_entries 6"));
  EXPECT_THAT(HttpGet(daemon_->metrics_port(), "/healthz"),
              HasSubstr("200 OK"));
}

TEST(DaemonConfigTest, BadConfigNamesTheKey) {
  TempDir dir;
  const std::string config = dir.Write(
      "bad.textproto", "banks { bank: \"x\" policy { review_distance: 50 } }");
  DaemonProcess daemon({"--config", config, "--data-dir", dir.path()});
  EXPECT_FALSE(daemon.started());
  // The reason is on stderr; the exit happens before any port is bound.
  const int status = daemon.WaitForExit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  EXPECT_THAT(daemon.Stderr(),
              AllOf(HasSubstr("clearmatchd: config: "),
                    HasSubstr("review_distance"), HasSubstr("50")));
  const std::string typo = dir.Write("typo.textproto", "lisen: \"x\"");
  DaemonProcess daemon2({"--config", typo, "--data-dir", dir.path()});
  EXPECT_FALSE(daemon2.started());
  const int status2 = daemon2.WaitForExit();
  EXPECT_TRUE(WIFEXITED(status2) && WEXITSTATUS(status2) != 0) << status2;
  EXPECT_THAT(daemon2.Stderr(), AllOf(HasSubstr(typo), HasSubstr("lisen")));
}

// Opens the write end of the FIFO `path`, which succeeds only once a reader
// (the daemon's gated decode worker) has it open; -1 after a minute.
int OpenGateForWriting(const std::string& path) {
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    const int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 || errno != ENXIO) return fd;  // ENXIO: no reader yet
    usleep(1000);
  }
  return -1;
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(120));
  return context;
}

v1::CheckRequest VideoCheck() {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(Bytes(TestdataPath("vpdq/doorknob-hd-no-bar.mp4")));
  return request;
}

// The one decode worker is held at the daemon's test-only decode gate (a
// FIFO) while a second video arrives: it is refused at once, by
// construction rather than by racing the first decode.
TEST(DaemonOverloadTest, FullPoolAnswersResourceExhaustedAtOnce) {
  TempDir dir;
  dir.Write("bank.csv", "md5," + std::string(32, '0') + ",e1,b,\n");
  const std::string config = dir.Write("c.textproto",
                                       "bank_csvs { path: \"bank.csv\" }\n"
                                       "limits { workers: 1 queue_size: 0 }\n");
  const std::string gate = dir.path() + "/decode-gate";
  ASSERT_EQ(mkfifo(gate.c_str(), 0600), 0);
  DaemonProcess daemon({"--config", config, "--data-dir", dir.path() + "/d"},
                       {"CLEARMATCHD_TEST_ONLY_DECODE_GATE=" + gate});
  ASSERT_TRUE(daemon.started()) << daemon.error();
  auto stub = v1::Matcher::NewStub(grpc::CreateChannel(
      daemon.address(), grpc::InsecureChannelCredentials()));

  grpc::Status held_status;
  std::thread held([&] {
    v1::CheckResponse response;
    grpc::ClientContext context;
    held_status = stub->Check(WithDeadline(&context), VideoCheck(), &response);
  });
  const int gate_fd = OpenGateForWriting(gate);  // the worker is at the gate
  if (gate_fd < 0) {
    held.join();
    FAIL() << "no decode reached the gate: " << daemon.Stderr();
  }

  v1::CheckResponse response;
  grpc::ClientContext context;
  const grpc::Status refused =
      stub->Check(WithDeadline(&context), VideoCheck(), &response);
  EXPECT_EQ(write(gate_fd, "g", 1), 1);  // let the held decode go on
  close(gate_fd);                        // (EOF lets it go on too)
  held.join();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << refused.error_message();
  EXPECT_THAT(refused.error_message(),
              HasSubstr("all 1 decode workers are busy and the queue is full"));
  EXPECT_TRUE(held_status.ok()) << held_status.error_message();

  // Still alive and serving once the worker is free again: it frees itself
  // just after the held call's answer is sent, and hash-only checks take a
  // worker too, so wait for the pool to be idle (no condition to wait on
  // from outside: poll its gauge, which counts no refusal).
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (HttpGet(daemon.metrics_port(), "/metrics")
             .find("\nclearmatch_worker_load 0\n") == std::string::npos) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "worker still busy";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->set_md5(std::string(32, '0'));
  grpc::ClientContext hash_context;
  ASSERT_TRUE(
      stub->Check(WithDeadline(&hash_context), request, &response).ok());
  EXPECT_EQ(response.decision(), v1::BLOCK);
  EXPECT_THAT(HttpGet(daemon.metrics_port(), "/metrics"),
              HasSubstr("clearmatch_rejected_requests_total{reason="
                        "\"overloaded\"} 1"));
}

// A signed feed served over real HTTP: a feed update while Check calls run
// fails none of them, the new entry matches after SyncFeeds, and after a
// SIGKILL the daemon serves from its snapshot file at once.
TEST(DaemonFeedTest, HotSwapUnderLoadAndRestartFromSnapshot) {
  TempDir dir;
  absl::StatusOr<TestFeed> feed = CreateTestFeed(dir);
  ASSERT_TRUE(feed.ok()) << feed.status();
  const std::map<std::string, std::string> refs = ReferenceHashes();
  auto add = [](const std::string& id, const std::string& hash) {
    return AddRecord(id, HashType::kPdq, hash, "feedbank");
  };
  ASSERT_TRUE(
      feed->publisher->Publish({add("old", refs.at("bridge-1-original.jpg"))})
          .ok());
  auto http = FaultHttpServer::Start(feed->dir);
  ASSERT_TRUE(http.ok()) << http.status();

  const std::string config = dir.Write(
      "c.textproto", "sync_interval_seconds: 0\nfeeds { url: \"" +
                         (*http)->base_url() + "\" public_key_file: \"" +
                         feed->pubkey_file + "\" }\n");
  auto daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{
      "--config", config, "--data-dir", dir.path() + "/data"});
  ASSERT_TRUE(daemon->started()) << daemon->error();
  auto channel = grpc::CreateChannel(daemon->address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::Matcher::NewStub(channel);
  auto admin = v1::Admin::NewStub(grpc::CreateChannel(
      daemon->unix_address(), grpc::InsecureChannelCredentials()));
  auto sync = [&] {
    grpc::ClientContext context;
    v1::SyncFeedsResponse response;
    EXPECT_TRUE(admin->SyncFeeds(&context, {}, &response).ok());
    return response;
  };
  EXPECT_EQ(sync().index().version(), 1u);

  auto check_hash = [&](v1::Matcher::Stub& s, const std::string& hash,
                        v1::CheckResponse* response) {
    v1::CheckRequest request;
    request.set_context(v1::UPLOAD);
    v1::PdqHashValue* pdq = request.mutable_hashes()->add_pdq();
    pdq->set_hash(hash);
    pdq->set_quality(100);
    grpc::ClientContext context;
    return s.Check(&context, request, response);
  };
  const std::string new_hash = refs.at("q2821.jpg");
  v1::CheckResponse response;
  ASSERT_TRUE(check_hash(*stub, new_hash, &response).ok());
  EXPECT_EQ(response.decision(), v1::ALLOW);

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      auto s = v1::Matcher::NewStub(channel);
      while (!stop) {
        v1::CheckResponse r;
        const grpc::Status status =
            check_hash(*s, refs.at("bridge-1-original.jpg"), &r);
        ++calls;
        if (!status.ok() || r.decision() != v1::BLOCK) ++failures;
      }
    });
  }
  ASSERT_TRUE(feed->publisher->Publish({add("new", new_hash)}).ok());
  const v1::SyncFeedsResponse synced = sync();
  ASSERT_TRUE(check_hash(*stub, new_hash, &response).ok());
  stop = true;
  for (std::thread& t : load) t.join();
  EXPECT_EQ(synced.index().version(), 2u);
  EXPECT_EQ(synced.feeds(0).last_sync_result(), "ok");
  EXPECT_EQ(response.decision(), v1::BLOCK);
  EXPECT_EQ(response.snapshot_version(), 2u);
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(failures.load(), 0);

  // Crash, feed server gone: the restarted daemon serves from index.snap.
  daemon->Kill();
  http->reset();
  daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{
      "--config", config, "--data-dir", dir.path() + "/data"});
  ASSERT_TRUE(daemon->started()) << daemon->error();
  channel = grpc::CreateChannel(daemon->address(),
                                grpc::InsecureChannelCredentials());
  stub = v1::Matcher::NewStub(channel);
  admin = v1::Admin::NewStub(grpc::CreateChannel(
      daemon->unix_address(), grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(check_hash(*stub, new_hash, &response).ok());
  EXPECT_EQ(response.decision(), v1::BLOCK);
  EXPECT_EQ(response.snapshot_version(), 2u);
  grpc::ClientContext context;
  v1::GetStatusResponse status;
  ASSERT_TRUE(admin->GetStatus(&context, {}, &status).ok());
  EXPECT_EQ(status.index().loaded_from(), "snapshot_file");
  EXPECT_TRUE(status.index().serving());
}

// A video banked with `clearmatch feed publish --add-media` reaches the
// daemon through the signed feed as a vPDQ entry, and the video matches it.
TEST(DaemonFeedTest, VideoPublishedWithAddMediaMatchesByVpdq) {
  TempDir dir;
  const std::string video = TestdataPath("vpdq/test-padded-dimensions.mp4");
  std::ostringstream out, err;
  ASSERT_EQ(
      cli::RunFeedCommand({"keygen", "--out", dir.File("keys")}, out, err),
      cli::kExitOk)
      << err.str();
  ASSERT_EQ(cli::RunFeedCommand(
                {"publish", "--key", dir.File("keys/private.pem"), "--feed-dir",
                 dir.File("feed"), "--add-media", video, "--bank", "videos"},
                out, err),
            cli::kExitOk)
      << err.str();
  const std::string config = dir.Write(
      "c.textproto", "sync_interval_seconds: 0\nfeeds { url: \"file://" +
                         dir.File("feed") + "\" public_key_file: \"" +
                         dir.File("keys/public.pem") + "\" }\n");
  DaemonProcess daemon({"--config", config, "--data-dir", dir.File("data")});
  ASSERT_TRUE(daemon.started()) << daemon.error();
  auto channel =
      grpc::CreateChannel(daemon.address(), grpc::InsecureChannelCredentials());
  grpc::ClientContext sync_context;
  v1::SyncFeedsResponse synced;
  ASSERT_TRUE(v1::Admin::NewStub(
                  grpc::CreateChannel(daemon.unix_address(),
                                      grpc::InsecureChannelCredentials()))
                  ->SyncFeeds(&sync_context, {}, &synced)
                  .ok());

  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(Bytes(video));
  v1::CheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      v1::Matcher::NewStub(channel)->Check(&context, request, &response).ok());
  EXPECT_EQ(response.decision(), v1::BLOCK);
  // The video as it is, and its content inside its black bars (banked as
  // an entry of its own, matched by the trimmed frames).
  std::map<std::string, std::string> vpdq_matches;
  for (const v1::Match& match : response.matches()) {
    if (match.hash_type() != "vpdq") continue;
    vpdq_matches[match.entry_id()] = match.transform();
    EXPECT_EQ(match.bank(), "videos");
    EXPECT_GE(match.query_pct(), 80);
  }
  EXPECT_EQ(vpdq_matches,
            (std::map<std::string, std::string>{
                {"test-padded-dimensions.mp4-vpdq", "original"},
                {"test-padded-dimensions.mp4-vpdq-trimmed", "trimmed"}}))
      << response.DebugString();
}

// A damaged hash store stops the daemon with a message naming the store; it
// never comes up serving an index with entries silently missing.
TEST(DaemonFeedTest, DamagedHashStoreIsReportedNotServed) {
  TempDir dir;
  absl::StatusOr<TestFeed> feed = CreateTestFeed(dir);
  ASSERT_TRUE(feed.ok()) << feed.status();
  // Enough entries for the store to span many pages.
  ASSERT_TRUE(feed->publisher->Publish(testing::TestAdds(0, 5000)).ok());
  const std::string config =
      dir.Write("c.textproto",
                "sync_interval_seconds: 0\nfeeds { url: \"file://" + feed->dir +
                    "\" public_key_file: \"" + feed->pubkey_file + "\" }\n");
  const std::string data_dir = dir.path() + "/data";
  {
    DaemonProcess daemon({"--config", config, "--data-dir", data_dir});
    ASSERT_TRUE(daemon.started()) << daemon.error();
    EXPECT_EQ(daemon.Stop(), 0);  // clean stop: the WAL is checkpointed
  }
  std::string store;
  for (const auto& file : std::filesystem::directory_iterator(data_dir)) {
    const std::string name = file.path().filename().string();
    if (name.rfind("feed-", 0) == 0 && file.path().extension() == ".sqlite") {
      store = file.path().string();
    }
  }
  ASSERT_FALSE(store.empty());
  const auto size = std::filesystem::file_size(store);
  ASSERT_GT(size, 100000u);
  {
    std::fstream file(store, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(8192, '\x5a');
    file.write(garbage.data(), garbage.size());
  }
  // `timeout`: should the daemon come up anyway, the test fails instead of
  // waiting for it forever.
  const std::string command =
      "timeout 60 " + BinaryPath("daemon/clearmatchd") + " --config " + config +
      " --data-dir " + data_dir +
      " --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe);
  EXPECT_NE(status, 0) << output;
  EXPECT_THAT(output, Not(HasSubstr("listening")));
  EXPECT_THAT(output, HasSubstr(store));
}

}  // namespace
}  // namespace clearmatch
