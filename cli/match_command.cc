// clearmatch match: bank CSV -> IndexSnapshot, then PDQ and exact lookups.
#include "cli/match_command.h"

#include <memory>
#include <optional>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bank/bank_csv.h"
#include "cli/command.h"
#include "cli/input_reader.h"
#include "cli/json_writer.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/pdq_hash.h"
#include "hashing/pdq_hasher.h"
#include "index/index_builder.h"
#include "index/index_snapshot.h"

namespace clearmatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearmatch match --bank FILE.csv [--max-distance 0..31] "
    "[--dihedral] [--json] (MEDIA... | --hashes FILE)\n";

// A query hashes file is bounded like a bank CSV line by line.
constexpr int64_t kMaxHashesFileBytes = int64_t{1} << 30;

struct MatchFlags {
  std::string bank;
  std::string hashes_file;
  int max_distance = PdqHash::kMatchDistance;
  bool dihedral = false;
  bool json = false;
  std::vector<std::string> media;
};

// Returns false (after printing why) on a usage error.
bool ParseFlags(const std::vector<std::string>& args, MatchFlags* flags,
                std::ostream& err) {
  const auto usage = [&](std::string_view problem) {
    err << "clearmatch match: " << problem << "\n" << kUsage;
    return false;
  };
  bool only_files = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_files || arg.empty() || arg[0] != '-') {
      flags->media.push_back(arg);
      continue;
    }
    const bool has_value = i + 1 < args.size();
    if (arg == "--") {
      only_files = true;
    } else if (arg == "--dihedral") {
      flags->dihedral = true;
    } else if (arg == "--json") {
      flags->json = true;
    } else if (arg == "--bank" || arg == "--hashes" ||
               arg == "--max-distance") {
      if (!has_value) return usage(arg + " needs a value");
      const std::string& value = args[++i];
      if (arg == "--bank") {
        flags->bank = value;
      } else if (arg == "--hashes") {
        flags->hashes_file = value;
      } else if (!absl::SimpleAtoi(absl::string_view(value),
                                   &flags->max_distance) ||
                 flags->max_distance < 0 ||
                 flags->max_distance > PdqHash::kMatchDistance) {
        return usage("--max-distance must be an integer in 0..31, got '" +
                     value + "'");
      }
    } else {
      return usage("unknown flag " + arg);
    }
  }
  if (flags->bank.empty()) return usage("--bank is required");
  if (flags->media.empty() == flags->hashes_file.empty()) {
    return usage("give media files or --hashes FILE (not both)");
  }
  if (flags->dihedral && !flags->hashes_file.empty()) {
    return usage("--dihedral needs media files (a hash cannot be rotated)");
  }
  return true;
}

class HitPrinter {
 public:
  HitPrinter(const IndexSnapshot& snapshot, bool json, std::ostream& out,
             std::ostream& err)
      : snapshot_(snapshot), json_(json), out_(out), err_(err) {}

  void Hit(const std::string& query, EntryRef ref, int distance,
           std::string_view transform) {
    const EntryView entry = snapshot_.entry(ref);
    const std::string_view type = HashTypeName(entry.type);
    if (json_) {
      out_ << JsonObjectWriter()
                  .Add("query", query)
                  .Add("entry_id", entry.entry_id)
                  .Add("bank", entry.bank)
                  .Add("hash_type", type)
                  .Add("distance", distance)
                  .Add("transform", transform)
                  .Finish()
           << '\n';
    } else {
      out_ << query << ": " << type << " match " << entry.entry_id << " bank "
           << (entry.bank.empty() ? "-" : entry.bank) << " distance "
           << distance << " (" << transform << ")\n";
    }
  }

  void Error(const std::string& query, std::string_view message) {
    if (json_) {
      out_ << JsonObjectWriter()
                  .Add("query", query)
                  .Add("error", message)
                  .Finish()
           << '\n';
    } else {
      err_ << query << ": error: " << message << "\n";
    }
  }

 private:
  const IndexSnapshot& snapshot_;
  const bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

// PDQ hits of `codes` (code i is dihedral variant i when `dihedral`).
absl::Status MatchPdq(const IndexSnapshot& snapshot, const std::string& query,
                      absl::Span<const PdqHash> codes, bool dihedral,
                      int max_distance, HitPrinter& printer) {
  absl::StatusOr<std::vector<PdqHit>> hits =
      snapshot.SearchPdq(codes, max_distance);
  if (!hits.ok()) return hits.status();
  for (const PdqHit& hit : *hits) {
    const std::string_view transform =
        dihedral
            ? DihedralTransformName(static_cast<DihedralTransform>(hit.query))
            : DihedralTransformName(DihedralTransform::kOriginal);
    printer.Hit(query, hit.entry, hit.distance, transform);
  }
  return absl::OkStatus();
}

absl::Status MatchMedia(const IndexSnapshot& snapshot, const MatchFlags& flags,
                        const std::string& file,
                        MediaFingerprinter& fingerprinter,
                        HitPrinter& printer) {
  absl::StatusOr<std::vector<uint8_t>> bytes =
      ReadInput(file, fingerprinter.max_input_bytes());
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<MediaFingerprint> fp = fingerprinter.Fingerprint(*bytes);
  if (!fp.ok()) return fp.status();
  const std::string_view original =
      DihedralTransformName(DihedralTransform::kOriginal);
  const std::pair<HashType, const std::string*> digests[] = {
      {HashType::kMd5, &fp->digests.md5},
      {HashType::kSha1, &fp->digests.sha1},
      {HashType::kSha256, &fp->digests.sha256}};
  for (const auto& [type, hex] : digests) {
    absl::StatusOr<std::vector<EntryRef>> refs =
        snapshot.LookupExact(type, absl::HexStringToBytes(*hex));
    if (!refs.ok()) return refs.status();
    for (EntryRef ref : *refs) printer.Hit(file, ref, 0, original);
  }
  // Videos: exact digests only (the bank CSV has no vPDQ entries).
  if (!fp->pdq.has_value()) return absl::OkStatus();
  const auto& variants = fp->pdq->hashes;
  return MatchPdq(snapshot, file,
                  absl::MakeConstSpan(variants.data(),
                                      flags.dihedral ? variants.size() : 1),
                  flags.dihedral, flags.max_distance, printer);
}

// Returns the exit code contribution of the hashes file.
int MatchHashesFile(const IndexSnapshot& snapshot, const MatchFlags& flags,
                    HitPrinter& printer, std::ostream& err) {
  absl::StatusOr<std::vector<uint8_t>> bytes =
      ReadInput(flags.hashes_file, kMaxHashesFileBytes);
  if (!bytes.ok()) {
    err << "clearmatch match: " << bytes.status().message() << "\n";
    return kExitInputFailed;
  }
  int exit_code = kExitOk;
  const absl::string_view text(reinterpret_cast<const char*>(bytes->data()),
                               bytes->size());
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (const size_t hash = line.find('#'); hash != line.npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<PdqHash> code =
        PdqHash::FromHex(std::string_view(line.data(), line.size()));
    if (!code.ok()) {
      printer.Error(std::string(line.substr(0, 80)),
                    std::string(flags.hashes_file) + " line " +
                        std::to_string(line_number) + ": " +
                        std::string(code.status().message()));
      exit_code = kExitInputFailed;
      continue;
    }
    const absl::Status status =
        MatchPdq(snapshot, code->ToHex(), {*code},
                 /*dihedral=*/false, flags.max_distance, printer);
    if (!status.ok()) {
      printer.Error(code->ToHex(), std::string(status.message()));
      exit_code = kExitInputFailed;
    }
  }
  return exit_code;
}

}  // namespace

int RunMatchCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  MatchFlags flags;
  if (!ParseFlags(args, &flags, err)) return kExitUsage;

  BankCsvOptions bank_options;
  bank_options.source_feed = flags.bank;
  absl::StatusOr<std::vector<HashEntry>> entries =
      ReadBankCsvFile(flags.bank, bank_options);
  if (!entries.ok()) {
    err << "clearmatch match: " << entries.status().message() << "\n";
    return kExitInputFailed;
  }
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      IndexBuilder(IndexBuilder::Options{}).Build(*std::move(entries), 0);
  if (!snapshot.ok()) {
    err << "clearmatch match: " << snapshot.status().message() << "\n";
    return kExitInputFailed;
  }
  HitPrinter printer(**snapshot, flags.json, out, err);
  if (!flags.hashes_file.empty()) {
    return MatchHashesFile(**snapshot, flags, printer, err);
  }

  MediaFingerprinter::Options options;
  options.dihedral = flags.dihedral;
  absl::StatusOr<std::unique_ptr<MediaFingerprinter>> fingerprinter =
      MediaFingerprinter::Create(options);
  if (!fingerprinter.ok()) {
    err << "clearmatch match: " << fingerprinter.status().message() << "\n";
    return kExitInputFailed;
  }
  int exit_code = kExitOk;
  for (const std::string& file : flags.media) {
    const absl::Status status =
        MatchMedia(**snapshot, flags, file, **fingerprinter, printer);
    if (!status.ok()) {
      printer.Error(file, std::string(status.message()));
      exit_code = kExitInputFailed;
    }
  }
  return exit_code;
}

}  // namespace clearmatch::cli
