// Bad media end to end: every class of bad input the decoder tests cover
// (truncated, corrupt, wrong magic, empty, over the pixel limit, polyglots,
// each decoder bomb, broken videos, a video without a video stream) sent to
// a running clearmatchd through Check and through CheckUpload. For each: the
// gRPC code and a message naming the problem, an answer long before the
// call's 20 s deadline; after all of them the daemon's resident memory has
// grown by less than 256 MiB and it still answers a good Check. The daemon
// runs with lowered decode limits (max_jpeg_scans 50, max_decoded_bytes
// 300 MiB) and media between those and the defaults, so a limit the config
// sets but the decoder does not get fails here. Only Matcher calls are made.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/bad_media.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::GifWithFrames;
using ::clearmatch::testing::JpegHeaderOnly;
using ::clearmatch::testing::MediaBytes;
using ::clearmatch::testing::PngChunk;
using ::clearmatch::testing::PngInflatedBytes;
using ::clearmatch::testing::PngOfZeros;
using ::clearmatch::testing::ProgressiveJpegBomb;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::ZtxtChunks;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(20);
// An answer after this is too slow for "a few seconds", even on a loaded
// 2-core machine or in a sanitizer build; the deadline is not what ends it.
constexpr auto kAnswerBound = std::chrono::seconds(12);
constexpr int64_t kMaxRssGrowthKib = 256 * 1024;
constexpr int kRgb = 2, kRgba = 6, kGrey = 0;

std::string Text(const MediaBytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string FileBytes(const std::string& path) {
  const std::vector<unsigned char> bytes = ReadFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string Testdata(const std::string& name) {
  return FileBytes(TestdataPath(name));
}

std::string FirstHalf(const std::string& bytes) {
  return bytes.substr(0, bytes.size() / 2);
}

// VmRSS (or another field) of /proc/<pid>/status, in KiB; -1 if not found.
int64_t ProcStatusKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

struct BadMedia {
  std::string name;
  std::string bytes;
  grpc::StatusCode code;
  std::string message;  // a part of the error message
};

// The classes of bad input, each as small as it can be.
std::vector<BadMedia> BadInputs(const TempDir& dir) {
  using grpc::StatusCode::INVALID_ARGUMENT;
  const std::string q0003 = Testdata("pdq/q0003.jpg");
  const std::string mp4_box = std::string("\x00\x00\x00\x18", 4) + "ftypisom" +
                              std::string("\x00\x00\x02\x00", 4) + "isomiso2";
  MediaBytes corrupt_png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  for (const MediaBytes& chunk :
       {PngChunk("IHDR", {0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0}),
        PngChunk("IDAT", {0x78, 0x9C, 0xFF, 0xFF, 0x12, 0x34, 0x56}),
        PngChunk("IEND", {})}) {
    corrupt_png.insert(corrupt_png.end(), chunk.begin(), chunk.end());
  }
  std::string gif_truncated = Text(GifWithFrames(1));
  gif_truncated.pop_back();
  const std::string padded = Testdata("vpdq/test-padded-dimensions.mp4");
  const uint32_t ftyp_size = static_cast<uint8_t>(padded[3]);
  std::string mp4_noise = padded.substr(0, ftyp_size);
  for (int i = 0; i < 20000; ++i) mp4_noise.push_back(char(i * 131 % 251));
  const std::string audio = dir.File("audio.mp4");
  const std::string ffmpeg =
      "ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440:duration=1 "
      "-c:a aac '" +
      audio + "'";
  EXPECT_EQ(std::system(ffmpeg.c_str()), 0) << ffmpeg;
  const uint64_t rows_64 = PngInflatedBytes(64, 64, 8, false);
  return {
      {"random bytes", std::string(4096, '\x5A'), INVALID_ARGUMENT,
       "unknown is not an allowed media format"},
      {"wrong magic (bmp)", std::string("BM\x3A\0\0\0\0\0\0\0\x36\0\0\0", 14),
       INVALID_ARGUMENT, "bmp is not an allowed media format"},
      {"truncated jpeg", FirstHalf(Testdata("pdq/bridge-1-original.jpg")),
       INVALID_ARGUMENT, "truncated"},
      {"truncated png", FirstHalf(Testdata("pdq/L.png")), INVALID_ARGUMENT,
       "truncated"},
      {"truncated webp", FirstHalf(Testdata("pdq/F.webp")), INVALID_ARGUMENT,
       "truncated"},
      {"truncated gif", gif_truncated, INVALID_ARGUMENT, "gif: truncated"},
      {"corrupt png data", Text(corrupt_png), INVALID_ARGUMENT,
       "could not decode png"},
      {"jpeg over the pixel limit", Text(JpegHeaderOnly(65535, 65535)),
       INVALID_ARGUMENT, "16384 pixels per side"},
      {"png over the pixel limit",
       Text(PngOfZeros(16000, 16000, 8, kRgb, false, 100)), INVALID_ARGUMENT,
       "pixels exceeds the limit of 67108864"},
      {"polyglot jpeg + mp4", q0003 + mp4_box, INVALID_ARGUMENT, "polyglot"},
      {"animated webp",
       std::string("RIFF\x24\0\0\0WEBPVP8X\x0A\0\0\0\x02\0\0\0\x0F\0\0\x0F\0\0"
                   "ANIM\x06\0\0\0\0\0\0\0\0\0",
                   44),
       INVALID_ARGUMENT, "animated webp"},
      {"progressive scan bomb", Text(ProgressiveJpegBomb(8192, 8192, 3000)),
       INVALID_ARGUMENT, "3000 scans, over the limit of 50 (max_jpeg_scans)"},
      {"scans over the configured limit",
       Text(ProgressiveJpegBomb(8192, 8192, 60)), INVALID_ARGUMENT,
       "60 scans, over the limit of 50"},
      {"16-bit png at the pixel limit",
       Text(PngOfZeros(8192, 8192, 16, kRgba, false,
                       PngInflatedBytes(8192, 8192, 64, false))),
       INVALID_ARGUMENT, "limit of 314572800 (max_decoded_bytes)"},
      {"16-bit png over the configured bytes",
       Text(PngOfZeros(8192, 8192, 16, kRgb, false,
                       PngInflatedBytes(8192, 8192, 48, false))),
       INVALID_ARGUMENT,
       "png 8192x8192, 16-bit, 3 channels (colour type 2) decodes to"},
      {"zlib bomb past the last row",
       Text(PngOfZeros(64, 64, 8, kGrey, false, rows_64 + (uint64_t{4} << 30))),
       INVALID_ARGUMENT, "continues past the last row"},
      {"gif with too many frames", Text(GifWithFrames(65537)), INVALID_ARGUMENT,
       "max_gif_frames"},
      {"broken mp4", mp4_noise, INVALID_ARGUMENT, "malformed"},
      {"broken matroska",
       std::string("\x1A\x45\xDF\xA3", 4) + std::string(5000, '\x33'),
       INVALID_ARGUMENT, "Invalid data found"},
      {"video without a video stream", FileBytes(audio), INVALID_ARGUMENT,
       "no video stream"},
  };
}

// Heavy but within every limit: answered (OK), in bounded time.
std::vector<BadMedia> HeavyInputs() {
  const uint64_t rows_64 = PngInflatedBytes(64, 64, 8, false);
  return {
      {"progressive jpeg under the scan limit",
       Text(ProgressiveJpegBomb(8192, 8192, 40)), grpc::StatusCode::OK, ""},
      {"8-bit png at the pixel limit",
       Text(PngOfZeros(8192, 8192, 8, kRgb, false,
                       PngInflatedBytes(8192, 8192, 24, false))),
       grpc::StatusCode::OK, ""},
      {"zTXt bomb",
       Text(PngOfZeros(64, 64, 8, kGrey, false, rows_64,
                       ZtxtChunks(1000, uint64_t{7} << 20))),
       grpc::StatusCode::OK, ""},
  };
}

class BadMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("bank.csv", "pdq," + ReferencePdqHash("bridge-1-original.jpg") +
                               ",bridge-1,tid,ncii\n");
    const std::string config = dir_.Write(
        "clearmatchd.textproto",
        "bank_csvs { path: \"bank.csv\" }\n"
        "limits { max_jpeg_scans: 50 max_decoded_bytes: 314572800 }\n");
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config, "--data-dir", dir_.path() + "/data"});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    stub_ = v1::Matcher::NewStub(grpc::CreateChannel(
        daemon_->address(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Check(const std::string& media, v1::CheckResponse* response) {
    v1::CheckRequest request;
    request.set_content_id("bad");
    request.set_context(v1::UPLOAD);
    request.set_media(media);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    return stub_->Check(&context, request, response);
  }

  grpc::Status Upload(const std::string& media, v1::CheckResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kDeadline);
    auto writer = stub_->CheckUpload(&context, response);
    v1::UploadChunk chunk;
    chunk.mutable_header()->set_content_id("bad-upload");
    chunk.mutable_header()->set_context(v1::UPLOAD);
    chunk.mutable_header()->set_declared_size(media.size());
    bool open = writer->Write(chunk);
    for (size_t offset = 0; open && offset < media.size(); offset += 1 << 18) {
      chunk.Clear();
      chunk.set_data(media.substr(offset, 1 << 18));
      open = writer->Write(chunk);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Sends `media` both ways and checks the answer and its time.
  void Expect(const BadMedia& media) {
    for (const bool upload : {false, true}) {
      const std::string how = media.name + (upload ? " (CheckUpload)" : "");
      v1::CheckResponse response;
      const auto start = std::chrono::steady_clock::now();
      const grpc::Status status = upload ? Upload(media.bytes, &response)
                                         : Check(media.bytes, &response);
      const auto took = std::chrono::steady_clock::now() - start;
      EXPECT_EQ(status.error_code(), media.code)
          << how << ": " << status.error_message();
      EXPECT_THAT(status.error_message(), HasSubstr(media.message)) << how;
      EXPECT_LT(took, kAnswerBound) << how;
    }
  }

  void ExpectGoodCheck() {
    v1::CheckResponse response;
    const grpc::Status status =
        Check(Testdata("pdq/bridge-1-original.jpg"), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.decision(), v1::BLOCK);
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> stub_;
};

TEST_F(BadMediaTest, EveryBadInputIsRefusedQuicklyAndTheDaemonStaysFlat) {
  // First a good Check and a video, so that what stays loaded (the video
  // module, codec tables, pools) is in the baseline.
  ExpectGoodCheck();
  Expect({"a real video", Testdata("vpdq/test-padded-dimensions.mp4"),
          grpc::StatusCode::OK, ""});
  const int64_t rss_before = ProcStatusKib(daemon_->pid(), "VmRSS");
  ASSERT_GT(rss_before, 0);

  // An empty upload (Check refuses an empty payload before any decoding).
  v1::CheckResponse response;
  grpc::Status empty = Check("", &response);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty.error_message(), HasSubstr("no payload"));
  empty = Upload("", &response);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty.error_message(), HasSubstr("declared_size: 0"));

  for (const BadMedia& media : BadInputs(dir_)) Expect(media);
  for (const BadMedia& media : HeavyInputs()) Expect(media);

  const int64_t rss_after = ProcStatusKib(daemon_->pid(), "VmRSS");
  RecordProperty("vmrss_before_kib", std::to_string(rss_before));
  RecordProperty("vmrss_after_kib", std::to_string(rss_after));
  RecordProperty("vmhwm_kib",
                 std::to_string(ProcStatusKib(daemon_->pid(), "VmHWM")));
  EXPECT_LT(rss_after - rss_before, kMaxRssGrowthKib)
      << "VmRSS " << rss_before << " -> " << rss_after << " KiB (peak "
      << ProcStatusKib(daemon_->pid(), "VmHWM") << " KiB)";
  ExpectGoodCheck();
}

}  // namespace
}  // namespace clearmatch
