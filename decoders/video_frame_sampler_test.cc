#include "decoders/video_frame_sampler.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/vpdq_matcher.h"
#include "testing/open_watch.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

const char* const kVideos[] = {
    "chair-19-sd-bar",     "chair-22-with-large-logo-bar",
    "doorknob-hd-no-bar",  "pattern-hd-no-bar",
    "pattern-sd-grey-bar", "test-padded-dimensions"};

std::vector<uint8_t> VideoBytes(const std::string& name) {
  std::vector<unsigned char> bytes =
      testing::ReadFileBytes(testing::TestdataPath("vpdq/" + name + ".mp4"));
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::vector<VpdqFeature> ReadFeatures(const std::string& relative) {
  std::ifstream in(testing::TestdataPath(relative));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<VpdqFeature>> f = ParseVpdqFeatures(text.str());
  EXPECT_TRUE(f.ok()) << relative << ": " << f.status();
  return f.ok() ? *f : std::vector<VpdqFeature>{};
}

std::unique_ptr<VideoFrameSampler> Sampler(
    const VideoFrameSampler::Options& options) {
  absl::StatusOr<std::unique_ptr<VideoFrameSampler>> sampler =
      VideoFrameSampler::Create(options);
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return std::move(sampler).value();
}

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", s);
  return text;
}

// Same frames and seconds as the reference; reliable frames within 8 bits,
// mean at most 2.
void ExpectConformant(const std::string& name,
                      const std::vector<VpdqFeature>& actual) {
  const std::vector<VpdqFeature> expected =
      ReadFeatures("vpdq/reference_r1/" + name + ".txt");
  ASSERT_EQ(actual.size(), expected.size()) << name;
  int reliable = 0, total_distance = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].frame_number, expected[i].frame_number) << name;
    EXPECT_EQ(Seconds(actual[i].seconds), Seconds(expected[i].seconds)) << name;
    if (expected[i].quality >= 50) {
      const int d = actual[i].hash.DistanceTo(expected[i].hash);
      EXPECT_LE(d, 8) << name << " frame " << expected[i].frame_number;
      ++reliable;
      total_distance += d;
    }
  }
  ASSERT_GT(reliable, 0) << name;
  EXPECT_LE(static_cast<double>(total_distance) / reliable, 2.0) << name;
}

TEST(VideoFrameSamplerTest, OneHashPerSecondConformsToReference) {
  auto sampler = Sampler({});
  for (const char* name : kVideos) {
    absl::StatusOr<VpdqVideoHash> video = sampler->Hash(VideoBytes(name));
    ASSERT_TRUE(video.ok()) << name << ": " << video.status();
    EXPECT_EQ(video->container, "mov");
    EXPECT_EQ(video->codec, "h264");
    EXPECT_DOUBLE_EQ(video->fps, 30);
    EXPECT_TRUE(video->skipped_unsampled_frames) << name;
    ExpectConformant(name, video->features);
  }
}

TEST(VideoFrameSamplerTest, EveryFrameDecodedConformsToReference) {
  auto sampler = Sampler({.skip_unsampled_frames = false});
  for (const char* name : kVideos) {
    absl::StatusOr<VpdqVideoHash> video = sampler->Hash(VideoBytes(name));
    ASSERT_TRUE(video.ok()) << name << ": " << video.status();
    EXPECT_FALSE(video->skipped_unsampled_frames);
    ExpectConformant(name, video->features);
  }
}

TEST(VideoFrameSamplerTest, LumaPlaneConversionConformsToReference) {
  auto sampler =
      Sampler({.conversion = VideoFrameSampler::FrameConversion::kLumaPlane});
  for (const char* name : kVideos) {
    absl::StatusOr<VpdqVideoHash> video = sampler->Hash(VideoBytes(name));
    ASSERT_TRUE(video.ok()) << name << ": " << video.status();
    ExpectConformant(name, video->features);
  }
}

TEST(VideoFrameSamplerTest, SkippingUnsampledFramesKeepsSampledFramesExact) {
  // Bit-identical sampled frames: the same hashes as decoding every frame,
  // with one and two decoder threads, at several sampling intervals.
  for (int threads : {1, 2}) {
    for (double seconds : {1.0, 0.5}) {
      auto fast =
          Sampler({.seconds_per_hash = seconds, .decoder_threads = threads});
      auto exact = Sampler({.seconds_per_hash = seconds,
                            .decoder_threads = threads,
                            .skip_unsampled_frames = false});
      for (const char* name : {"chair-19-sd-bar", "pattern-hd-no-bar"}) {
        const std::vector<uint8_t> bytes = VideoBytes(name);
        absl::StatusOr<VpdqVideoHash> a = fast->Hash(bytes);
        absl::StatusOr<VpdqVideoHash> b = exact->Hash(bytes);
        ASSERT_TRUE(a.ok()) << a.status();
        ASSERT_TRUE(b.ok()) << b.status();
        EXPECT_TRUE(a->skipped_unsampled_frames);
        EXPECT_EQ(a->decoded_frames, b->decoded_frames);
        EXPECT_EQ(a->features, b->features)
            << name << " threads=" << threads << " seconds=" << seconds;
      }
    }
  }
}

TEST(VideoFrameSamplerTest, EveryFrameMatchesMetaSampleHashes) {
  auto sampler = Sampler({.seconds_per_hash = 0});
  for (const char* name : {"doorknob-hd-no-bar", "pattern-sd-grey-bar",
                           "test-padded-dimensions"}) {
    absl::StatusOr<VpdqVideoHash> video = sampler->Hash(VideoBytes(name));
    ASSERT_TRUE(video.ok()) << name << ": " << video.status();
    const std::vector<VpdqFeature> meta =
        ReadFeatures(std::string("vpdq/meta_sample_hashes/") + name + ".txt");
    EXPECT_EQ(video->features.size(), meta.size()) << name;
    VpdqMatchResult r = MatchVpdq(video->features, meta, VpdqMatchOptions{});
    EXPECT_EQ(r.query_pct, 100) << name;
    EXPECT_EQ(r.target_pct, 100) << name;
    EXPECT_TRUE(r.is_match) << name;
  }
}

TEST(VideoFrameSamplerTest, KeyframeModeHashesKeyframesThatMatchTheVideo) {
  auto sampler = Sampler({.keyframes_only = true});
  for (const char* name : {"chair-19-sd-bar", "pattern-hd-no-bar"}) {
    absl::StatusOr<VpdqVideoHash> video = sampler->Hash(VideoBytes(name));
    ASSERT_TRUE(video.ok()) << name << ": " << video.status();
    ASSERT_FALSE(video->features.empty());
    EXPECT_EQ(video->features[0].frame_number, 0);
    for (size_t i = 1; i < video->features.size(); ++i) {
      EXPECT_GT(video->features[i].frame_number,
                video->features[i - 1].frame_number);
      // At 30 fps, a keyframe's timestamp is its frame number / 30.
      EXPECT_EQ(Seconds(video->features[i].seconds),
                Seconds(video->features[i].frame_number / 30.0));
    }
    const std::vector<VpdqFeature> meta =
        ReadFeatures(std::string("vpdq/meta_sample_hashes/") + name + ".txt");
    for (const VpdqFeature& f : video->features) {
      // The keyframe is the same frame as Meta's hash of that frame number.
      ASSERT_LT(f.frame_number, static_cast<int64_t>(meta.size()));
      if (f.quality >= 50) {
        EXPECT_LE(f.hash.DistanceTo(meta[f.frame_number].hash), 31)
            << name << " frame " << f.frame_number;
      }
    }
  }
}

// ---- Bad input. Fixtures are generated into a temp dir with the ffmpeg CLI
// or built in C++; the sampler itself only ever sees bytes.

class BadVideoTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.File(name); }

  // Runs `ffmpeg -v error -y ARGS` (paths relative to the temp dir).
  void Ffmpeg(const std::string& args) const {
    const std::string command =
        "cd '" + dir_.path() + "' && ffmpeg -nostdin -v fatal -y " + args;
    ASSERT_EQ(std::system(command.c_str()), 0) << command.substr(0, 300);
  }

  std::vector<uint8_t> Read(const std::string& name) const {
    std::vector<unsigned char> bytes = testing::ReadFileBytes(Path(name));
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  void Write(const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream out(Path(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  absl::Status HashStatus(const std::vector<uint8_t>& bytes,
                          VideoFrameSampler::Options options = {}) const {
    return Sampler(options)->Hash(bytes).status();
  }

  const testing::TempDir dir_{"clearmatch-video-test"};
};

size_t Find(const std::vector<uint8_t>& bytes, const std::string& needle) {
  auto it =
      std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  return it == bytes.end() ? std::string::npos : it - bytes.begin();
}

TEST_F(BadVideoTest, EmptyInput) {
  absl::Status s = HashStatus({});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST_F(BadVideoTest, TruncatedMidMoov) {
  Ffmpeg(
      "-f lavfi -i testsrc=s=64x64:r=30:d=2 -c:v libx264 "
      "-movflags +faststart v.mp4");
  std::vector<uint8_t> bytes = Read("v.mp4");
  const size_t moov = Find(bytes, "moov");
  ASSERT_NE(moov, std::string::npos);
  bytes.resize(moov + 200);
  absl::Status s = HashStatus(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("mov"));
}

TEST_F(BadVideoTest, ZeroFrames) {
  // A Matroska file with a video track and no frame.
  Ffmpeg("-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v libx264 -t 0 v.mkv");
  absl::Status s = HashStatus(Read("v.mkv"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

TEST_F(BadVideoTest, HeaderClaims65535x65535) {
  Ffmpeg("-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v libx264 v.mp4");
  std::vector<uint8_t> bytes = Read("v.mp4");
  // avc1 sample entry: 6 reserved, 2 data reference index, 16 pre-defined /
  // reserved, then 16-bit width and height.
  // (The first "avc1" is a compatible brand in ftyp; the entry follows stsd.)
  const size_t stsd = Find(bytes, "stsd");
  ASSERT_NE(stsd, std::string::npos);
  const size_t avc1 =
      stsd +
      Find(std::vector<uint8_t>(bytes.begin() + stsd, bytes.end()), "avc1");
  ASSERT_NE(avc1, std::string::npos);
  for (int i = 0; i < 4; ++i) bytes[avc1 + 4 + 24 + i] = 0xff;
  absl::Status s = HashStatus(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("65535x65535"));
}

// H.264 RBSP bit reader/writer for rewriting an SPS.
class Bits {
 public:
  explicit Bits(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  int Bit() {
    const int bit = (bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1;
    ++pos_;
    return bit;
  }
  uint32_t Read(int n) {
    uint32_t v = 0;
    while (n--) v = v << 1 | Bit();
    return v;
  }
  uint32_t Ue() {
    int zeros = 0;
    while (Bit() == 0) ++zeros;
    return (1u << zeros) - 1 + Read(zeros);
  }
  size_t pos() const { return pos_; }
  size_t size_bits() const { return bytes_.size() * 8; }

 private:
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0;
};

class BitWriter {
 public:
  void Put(uint32_t v, int n) {
    while (n--) PutBit((v >> n) & 1);
  }
  void PutUe(uint32_t v) {
    const uint32_t x = v + 1;
    int len = 0;
    while ((x >> len) > 1) ++len;
    Put(0, len);
    Put(x, len + 1);
  }
  void PutBit(int b) {
    if (bits_ % 8 == 0) bytes_.push_back(0);
    if (b) bytes_.back() |= uint8_t(0x80 >> (bits_ % 8));
    ++bits_;
  }
  std::vector<uint8_t> bytes_;
  size_t bits_ = 0;
};

std::vector<uint8_t> Unescape(const std::vector<uint8_t>& nal) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < nal.size(); ++i) {
    if (i >= 2 && nal[i] == 3 && nal[i - 1] == 0 && nal[i - 2] == 0 &&
        out.size() >= 2 && out[out.size() - 1] == 0 &&
        out[out.size() - 2] == 0) {
      continue;
    }
    out.push_back(nal[i]);
  }
  return out;
}

std::vector<uint8_t> Escape(const std::vector<uint8_t>& rbsp) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push_back(3);
      zeros = 0;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

// Rewrites the size fields of a Baseline-profile SPS (NAL payload after the
// header byte) to width_mbs x height_mbs macroblocks, copying other fields.
std::vector<uint8_t> ResizeBaselineSps(const std::vector<uint8_t>& payload,
                                       uint32_t width_mbs,
                                       uint32_t height_mbs) {
  Bits in(Unescape(payload));
  BitWriter out;
  const uint32_t profile = in.Read(8);
  EXPECT_EQ(profile, 66u) << "fixture must be Baseline";
  out.Put(profile, 8);
  out.Put(in.Read(16), 16);  // constraint flags, level
  out.PutUe(in.Ue());        // sps id
  out.PutUe(in.Ue());        // log2_max_frame_num_minus4
  const uint32_t poc_type = in.Ue();
  out.PutUe(poc_type);
  if (poc_type == 0) out.PutUe(in.Ue());
  EXPECT_NE(poc_type, 1u);
  out.PutUe(in.Ue());      // max_num_ref_frames
  out.Put(in.Read(1), 1);  // gaps allowed
  in.Ue();
  in.Ue();
  out.PutUe(width_mbs - 1);
  out.PutUe(height_mbs - 1);
  const uint32_t frame_mbs_only = in.Read(1);
  out.Put(frame_mbs_only, 1);
  if (!frame_mbs_only) out.Put(in.Read(1), 1);
  out.Put(in.Read(1), 1);  // direct_8x8_inference
  if (in.Read(1)) {        // cropping: dropped
    for (int i = 0; i < 4; ++i) in.Ue();
  }
  out.Put(0, 1);
  // VUI flag, VUI and the trailing bits, copied as they are.
  while (in.pos() < in.size_bits()) out.PutBit(in.Bit());
  return Escape(out.bytes_);
}

// How much `work` raises the peak resident size (KiB), measured in a forked
// child: a new process's high-water mark starts at its own size, so what
// earlier tests in this process allocated cannot mask the peak (ru_maxrss
// never goes down). -1 if `work` returned false or the child failed.
long PeakGrowthInChildKiB(const std::function<bool()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    const bool ok = work();
    getrusage(RUSAGE_SELF, &after);
    const long growth = ok ? after.ru_maxrss - before.ru_maxrss : -1;
    _exit(write(fds[1], &growth, sizeof(growth)) == sizeof(growth) ? 0 : 1);
  }
  close(fds[1]);
  long growth = -1;
  if (pid < 0 || read(fds[0], &growth, sizeof(growth)) != sizeof(growth)) {
    growth = -1;
  }
  close(fds[0]);
  int status = 0;
  if (pid > 0) waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? growth : -1;
}

TEST_F(BadVideoTest, H264At16000x16000RefusedBeforeDecoding) {
  Ffmpeg(
      "-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v libx264 "
      "-profile:v baseline -pix_fmt yuv420p -f h264 small.h264");
  std::vector<uint8_t> stream = Read("small.h264");
  // Replace the SPS NAL (type 7) between its start code and the next one.
  const std::string start_code("\0\0\0\1", 4);
  const size_t sps = Find(stream, start_code + "\x67");
  ASSERT_NE(sps, std::string::npos);
  const size_t payload = sps + 5;
  std::vector<uint8_t> rest(stream.begin() + payload, stream.end());
  const size_t next = Find(rest, std::string("\0\0\1", 3));
  ASSERT_NE(next, std::string::npos);
  std::vector<uint8_t> sps_payload(rest.begin(), rest.begin() + next);
  while (!sps_payload.empty() && sps_payload.back() == 0)
    sps_payload.pop_back();
  std::vector<uint8_t> patched(stream.begin(), stream.begin() + payload);
  const std::vector<uint8_t> huge = ResizeBaselineSps(sps_payload, 1000, 1000);
  patched.insert(patched.end(), huge.begin(), huge.end());
  patched.insert(patched.end(), rest.begin() + next - (rest[next - 1] == 0),
                 rest.end());
  Write("huge.h264", patched);
  // (max_pixels keeps the CLI's own stream probing from decoding 16000^2.)
  Ffmpeg("-max_pixels 4096 -f h264 -r 30 -i huge.h264 -c copy huge.mkv");
  std::vector<uint8_t> mkv = Read("huge.mkv");

  // The container lies (64x64); only the SPS says 16000x16000.
  std::vector<uint8_t> lying = mkv;
  int patched_fields = 0;
  for (size_t i = 0; i + 4 <= lying.size(); ++i) {
    if ((lying[i] == 0xb0 || lying[i] == 0xba) && lying[i + 1] == 0x82 &&
        lying[i + 2] == 0x3e && lying[i + 3] == 0x80) {
      lying[i + 2] = 0;
      lying[i + 3] = 64;
      ++patched_fields;
    }
  }
  ASSERT_EQ(patched_fields, 2);

  // First, before this process decodes either: one 16000x16000 YUV 4:2:0
  // frame alone takes 384 MB (FFmpeg's default path 1.9 GB); decoder set-up
  // stays well under half of that.
  const long growth = PeakGrowthInChildKiB([&] {
    return HashStatus(mkv).code() == absl::StatusCode::kResourceExhausted &&
           HashStatus(lying).code() == absl::StatusCode::kResourceExhausted;
  });
  ASSERT_GE(growth, 0) << "the child failed or was not refused";
  EXPECT_LT(growth, 192 * 1024) << "KiB";

  absl::Status declared = HashStatus(mkv);
  EXPECT_EQ(declared.code(), absl::StatusCode::kResourceExhausted) << declared;
  EXPECT_THAT(declared.message(), HasSubstr("16000x16000"));
  absl::Status lied = HashStatus(lying);
  EXPECT_EQ(lied.code(), absl::StatusCode::kResourceExhausted) << lied;
  EXPECT_THAT(lied.message(), HasSubstr("16000x16000"));
}

TEST_F(BadVideoTest, MillionsOfTinyFramesHitTheFrameLimit) {
  // 1,200,000 frames at 2000 fps: 2000 encoded once, the packets repeated.
  Ffmpeg(
      "-f lavfi -i color=s=16x16:r=2000:d=1 -c:v libx264 -preset "
      "ultrafast -g 1000000 -video_track_timescale 2000 clip.mp4");
  Ffmpeg(
      "-stream_loop 599 -i clip.mp4 -c copy -video_track_timescale 2000 "
      "many.mp4");
  absl::Status s = HashStatus(Read("many.mp4"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  // Refused from the container's declared frame count (all 1,200,000),
  // before a single frame is decoded: bounded work by construction, on any
  // machine. A decode loop stopping at the limit would say 432001.
  EXPECT_THAT(s.message(), HasSubstr("max_decoded_frames=432000 frames "
                                     "(1200000 reached)"));
}

TEST_F(BadVideoTest, TimestampsJumpingBy1e8Seconds) {
  Ffmpeg(
      "-f lavfi -i testsrc=s=64x64:r=30:d=2 -c:v libx264 -bf 0 "
      "-bsf:v 'setts=ts=TS+gte(N\\,30)*100000000/TB' jump.mkv");
  absl::Status s = HashStatus(Read("jump.mkv"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("max_duration_seconds"));
}

TEST_F(BadVideoTest, NonMonotonicTimestampsFallBackToDecodingEveryFrame) {
  // Presentation timestamps out of decode order (decode timestamps stay
  // monotonic): the pre-scan cannot identify frames, so every frame is
  // decoded and counted, as the reference does.
  Ffmpeg(
      "-f lavfi -i testsrc=s=64x64:r=30:d=4 -c:v libx264 -bf 0 "
      "-bsf:v 'setts=pts=DTS+mod(N\\,2)*3000/(TB*1000)' jumbled.mkv");
  absl::StatusOr<VpdqVideoHash> v = Sampler({})->Hash(Read("jumbled.mkv"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->skipped_unsampled_frames);
  EXPECT_EQ(v->decoded_frames, 120);
  ASSERT_EQ(v->features.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(v->features[i].frame_number, static_cast<int64_t>(30 * i));
  }
}

TEST_F(BadVideoTest, ThousandStreams) {
  std::string maps;
  // 1000 is the most the ffmpeg CLI itself can write.
  for (int i = 0; i < 1000; ++i) maps += " -map 0:v";
  Ffmpeg("-f lavfi -i testsrc=s=16x16:r=1:d=1 -c:v libx264" + maps +
         " streams.mkv");
  absl::Status s = HashStatus(Read("streams.mkv"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("max_streams=32"));
}

using ::clearmatch::testing::OpenWatch;

// The allow-list refuses playlists (hls, concat) before their demuxer runs,
// so this never reaches the nested-open guard of FfmpegMemoryInput: that is
// tested by FfmpegMemoryInputTest.NestedOpensAreRefusedByTheGuard.
TEST_F(BadVideoTest, PlaylistsOpenNothing) {
  Ffmpeg("-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v libx264 sentinel.mp4");
  const std::string sentinel = Path("sentinel.mp4");
  const std::string hls =
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n"
      "#EXTINF:1.0,\nfile://" +
      sentinel + "\n#EXTINF:1.0,\n" + sentinel + "\n#EXT-X-ENDLIST\n";
  const std::string concat = "ffconcat version 1.0\nfile '" + sentinel + "'\n";
  for (const std::string& text : {hls, concat}) {
    OpenWatch watch(sentinel);
    absl::Status s = HashStatus(std::vector<uint8_t>(text.begin(), text.end()));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(s.message(), HasSubstr("not allowed"));
    EXPECT_FALSE(watch.Touched()) << text;
  }
}

TEST_F(BadVideoTest, TenHourBlackVideo) {
  Ffmpeg(
      "-f lavfi -i color=black:s=32x32:r=0.1:d=36000 -c:v libx264 "
      "-preset ultrafast black.mp4");
  const std::vector<uint8_t> bytes = Read("black.mp4");
  absl::Status s = HashStatus(bytes);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("max_duration_seconds"));

  // Allowed a longer duration: nothing hashable, never a match.
  VideoFrameSampler::Options long_videos;
  long_videos.limits.max_duration_seconds = 11 * 3600;
  absl::StatusOr<VpdqVideoHash> v = Sampler(long_videos)->Hash(bytes);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_FALSE(v->features.empty());
  for (const VpdqFeature& f : v->features) EXPECT_LT(f.quality, 50);
  EXPECT_FALSE(MatchVpdq(v->features, v->features, {}).is_match);
}

TEST_F(BadVideoTest, AudioOnly) {
  Ffmpeg("-f lavfi -i sine=d=1 -c:a aac audio.mp4");
  absl::Status s = HashStatus(Read("audio.mp4"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("no video stream"));
}

TEST_F(BadVideoTest, RefusedContainerAndCodecAreNamed) {
  Ffmpeg("-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v libx264 v.avi");
  absl::Status avi = HashStatus(Read("v.avi"));
  EXPECT_EQ(avi.code(), absl::StatusCode::kInvalidArgument) << avi;
  EXPECT_THAT(avi.message(), HasSubstr("'avi' is not allowed"));
  Ffmpeg("-f lavfi -i testsrc=s=64x64:r=30:d=1 -c:v mpeg2video v.mkv");
  absl::Status mpeg2 = HashStatus(Read("v.mkv"));
  EXPECT_EQ(mpeg2.code(), absl::StatusCode::kInvalidArgument) << mpeg2;
  EXPECT_THAT(mpeg2.message(), HasSubstr("mpeg2video"));
}

TEST_F(BadVideoTest, ByteLimit) {
  const std::vector<uint8_t> bytes = VideoBytes("chair-19-sd-bar");
  VideoFrameSampler::Options small;
  small.limits.max_bytes = 1000;
  absl::Status s = HashStatus(bytes, small);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_THAT(s.message(), HasSubstr("max_bytes=1000"));
}

// A fake clock for the wall-time budget: frozen at `start` for its first
// `frozen_calls` readings, then past any budget. Thread-safe.
class SteppingClock {
 public:
  explicit SteppingClock(int64_t frozen_calls) : frozen_calls_(frozen_calls) {}
  absl::Time Now() {
    return ++calls_ <= frozen_calls_ ? kStart : kStart + absl::Hours(1000);
  }
  int64_t calls() const { return calls_.load(); }
  std::function<absl::Time()> AsFunction() {
    return [this] { return Now(); };
  }

 private:
  static constexpr absl::Time kStart = absl::UnixEpoch();
  const int64_t frozen_calls_;
  std::atomic<int64_t> calls_{0};
};

// The budget is spent by construction (a fake clock), never by racing the
// machine: time that does not pass never exceeds it, time that passes at
// once (after the deadline is set) or halfway through the decode does.
TEST_F(BadVideoTest, WallTimeBudgetIsCheckedBeforeAndDuringTheDecode) {
  const std::vector<uint8_t> bytes = VideoBytes("chair-19-sd-bar");
  VideoFrameSampler::Options options;
  options.limits.max_wall_time = absl::Seconds(1);

  SteppingClock frozen(std::numeric_limits<int64_t>::max());
  options.clock = frozen.AsFunction();
  absl::StatusOr<VpdqVideoHash> whole = Sampler(options)->Hash(bytes);
  ASSERT_TRUE(whole.ok()) << whole.status();
  const int64_t readings = frozen.calls();  // how often a decode checks
  ASSERT_GT(readings, 10);

  for (int64_t frozen_calls : {int64_t{1}, readings / 2}) {
    SCOPED_TRACE(frozen_calls);
    SteppingClock clock(frozen_calls);
    options.clock = clock.AsFunction();
    absl::Status s = Sampler(options)->Hash(bytes).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
    EXPECT_THAT(s.message(), HasSubstr("wall-time budget"));
    EXPECT_LT(clock.calls(), readings);  // stopped early
  }
}

TEST(VideoFrameSamplerTest, RejectsBadOptions) {
  EXPECT_EQ(VideoFrameSampler::Create({.seconds_per_hash = -1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VideoFrameSampler::Create({.decoder_threads = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  VideoFrameSampler::Options no_frames;
  no_frames.limits.max_decoded_frames = 0;
  EXPECT_EQ(VideoFrameSampler::Create(no_frames).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearmatch
