#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/input_reader.h"
#include "cli/json_writer.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearmatch hash [--dihedral] [--no-trim] [--json]\n"
    "                       [--seconds-per-hash S] [--keyframes] FILE...\n"
    "                       (- reads stdin)\n";

struct HashFlags {
  bool dihedral = false;
  bool trim = true;
  bool json = false;
  double seconds_per_hash = 1.0;
  bool keyframes = false;
  std::vector<std::string> files;
};

// Returns false (after printing why) on a usage error.
bool ParseFlags(const std::vector<std::string>& args, HashFlags* flags,
                std::ostream& err) {
  bool only_files = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_files || arg == "-" || arg.empty() || arg[0] != '-') {
      flags->files.push_back(arg);
    } else if (arg == "--") {
      only_files = true;
    } else if (arg == "--dihedral") {
      flags->dihedral = true;
    } else if (arg == "--no-trim") {
      flags->trim = false;
    } else if (arg == "--json") {
      flags->json = true;
    } else if (arg == "--keyframes") {
      flags->keyframes = true;
    } else if (arg == "--seconds-per-hash") {
      if (i + 1 == args.size() ||
          !absl::SimpleAtod(args[i + 1], &flags->seconds_per_hash) ||
          !(flags->seconds_per_hash >= 0)) {
        err << "clearmatch hash: --seconds-per-hash needs a number >= 0\n"
            << kUsage;
        return false;
      }
      ++i;
    } else {
      err << "clearmatch hash: unknown flag " << arg << "\n" << kUsage;
      return false;
    }
  }
  if (flags->files.empty()) {
    err << kUsage;
    return false;
  }
  return true;
}

std::vector<std::string> DihedralHex(const PdqDihedralResult& pdq) {
  std::vector<std::string> hex;
  for (const PdqHash& hash : pdq.hashes) hex.push_back(hash.ToHex());
  return hex;
}

// The frames of a video as a JSON array.
std::string FramesJson(const std::vector<VpdqFeature>& features) {
  std::string frames = "[";
  for (size_t i = 0; i < features.size(); ++i) {
    if (i > 0) frames += ", ";
    frames += JsonObjectWriter()
                  .Add("frame", features[i].frame_number)
                  .Add("quality", features[i].quality)
                  .Add("pdq", features[i].hash.ToHex())
                  .AddFixed("seconds", features[i].seconds, 3)
                  .Finish();
  }
  return frames + "]";
}

// Videos: JSON keys file, md5, sha1, sha256, vpdq (an array of frames),
// vpdq_trimmed (the same with letterbox bars trimmed, when some frame had
// bars); plain: one line per sampled frame, "frame,quality,hash,seconds,
// file" (the frames as decoded only: the reference's form, which frames
// files of bank CSVs take).
void PrintVideo(const std::string& file, const MediaFingerprint& fp,
                const HashFlags& flags, std::ostream& out) {
  const std::vector<VpdqFeature>& features = fp.vpdq->features;
  if (!flags.json) {
    for (const VpdqFeature& feature : features) {
      out << FormatVpdqFeature(feature) << ',' << file << '\n';
    }
    return;
  }
  JsonObjectWriter json;
  json.Add("file", file)
      .Add("md5", fp.digests.md5)
      .Add("sha1", fp.digests.sha1)
      .Add("sha256", fp.digests.sha256)
      .AddRaw("vpdq", FramesJson(features));
  if (const auto* trimmed = fp.vpdq->TrimmedFeatures()) {
    json.AddRaw("vpdq_trimmed", FramesJson(*trimmed));
  }
  out << json.Finish() << '\n';
}

// Images with a border: the trimmed content's JSON object (rect [x, y,
// width, height] in the file's pixels, pdq, quality, pdq_dihedral).
std::string TrimmedJson(const ContentRect& r, const PdqDihedralResult& pdq,
                        const HashFlags& flags) {
  JsonObjectWriter json;
  json.AddRaw("rect", absl::StrCat("[", r.x, ", ", r.y, ", ", r.width, ", ",
                                   r.height, "]"))
      .Add("pdq", pdq.hashes[0].ToHex())
      .Add("quality", pdq.quality);
  if (flags.dihedral) json.Add("pdq_dihedral", DihedralHex(pdq));
  return json.Finish();
}

// Images: JSON keys file, pdq, quality, digests, pdq_dihedral, trimmed
// (when a border was trimmed) and trimmed_alternative (the border's second
// reading, when it has one); plain: "hash(es),quality,file", and for a
// bordered image a line "hash(es),quality,file,trimmed" per reading.
void PrintFingerprint(const std::string& file, const MediaFingerprint& fp,
                      const HashFlags& flags, std::ostream& out) {
  if (fp.vpdq.has_value()) return PrintVideo(file, fp, flags, out);
  const PdqDihedralResult& pdq = *fp.pdq;
  const bool trimmed = fp.trimmed_pdq.has_value() && fp.content_rect;
  if (flags.json) {
    JsonObjectWriter json;
    json.Add("file", file)
        .Add("pdq", pdq.hashes[0].ToHex())
        .Add("quality", pdq.quality)
        .Add("md5", fp.digests.md5)
        .Add("sha1", fp.digests.sha1)
        .Add("sha256", fp.digests.sha256);
    if (flags.dihedral) json.Add("pdq_dihedral", DihedralHex(pdq));
    if (trimmed) {
      json.AddRaw("trimmed",
                  TrimmedJson(*fp.content_rect, *fp.trimmed_pdq, flags));
    }
    if (trimmed && fp.alternative_pdq && fp.alternative_rect) {
      json.AddRaw(
          "trimmed_alternative",
          TrimmedJson(*fp.alternative_rect, *fp.alternative_pdq, flags));
    }
    out << json.Finish() << '\n';
    return;
  }
  auto hashes = [&](const PdqDihedralResult& result) {
    return flags.dihedral ? absl::StrJoin(DihedralHex(result), ",")
                          : result.hashes[0].ToHex();
  };
  out << hashes(pdq) << ',' << pdq.quality << ',' << file << '\n';
  if (!trimmed) return;
  for (const std::optional<PdqDihedralResult>* reading :
       {&fp.trimmed_pdq, &fp.alternative_pdq}) {
    if (!*reading) continue;
    out << hashes(**reading) << ',' << (*reading)->quality << ',' << file
        << ",trimmed\n";
  }
}

}  // namespace

int RunHashCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  HashFlags flags;
  if (!ParseFlags(args, &flags, err)) return kExitUsage;
  MediaFingerprinter::Options options;
  options.dihedral = flags.dihedral;
  options.trim = flags.trim;
  options.video.seconds_per_hash = flags.seconds_per_hash;
  options.video.keyframes_only = flags.keyframes;
  auto fingerprinter = MediaFingerprinter::Create(options);
  if (!fingerprinter.ok()) {
    err << "clearmatch hash: " << fingerprinter.status().message() << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const std::string& file : flags.files) {
    absl::StatusOr<MediaFingerprint> fp =
        [&]() -> absl::StatusOr<MediaFingerprint> {
      auto bytes = ReadInput(file, (*fingerprinter)->max_input_bytes());
      if (!bytes.ok()) return bytes.status();
      return (*fingerprinter)->Fingerprint(*bytes);
    }();
    if (!fp.ok()) {
      exit_code = kExitInputFailed;
      if (flags.json) {
        out << JsonObjectWriter()
                   .Add("file", file)
                   .Add("error", std::string(fp.status().message()))
                   .Finish()
            << '\n';
      } else {
        err << file << ": error: " << fp.status().message() << "\n";
      }
      continue;
    }
    PrintFingerprint(file, *fp, flags, out);
  }
  return exit_code;
}

}  // namespace clearmatch::cli
