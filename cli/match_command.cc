// clearmatch match: bank CSV -> IndexSnapshot, then the daemon's matching
// core (matching/: Query, Matcher, VerdictPolicy) on each query.
#include <memory>
#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bank/bank_csv.h"
#include "cli/command.h"
#include "cli/input_reader.h"
#include "cli/match_printer.h"
#include "common/status_macros.h"
#include "config/daemon_config.h"
#include "fingerprint/media_fingerprinter.h"
#include "index/index_builder.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "matching/verdict_policy.h"

namespace clearmatch::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: clearmatch match --bank FILE.csv [--config clearmatchd.textproto] "
    "[--context upload|rescan] [--max-distance 0..47] "
    "[--dihedral | --no-dihedral] [--trim | --no-trim] [--json] "
    "(MEDIA... | --hashes FILE)\n";

// A query hashes file is bounded like a bank CSV line by line.
constexpr int64_t kMaxHashesFileBytes = int64_t{1} << 30;

struct MatchFlags {
  std::string bank;
  std::string config;
  std::string hashes_file;
  Matcher::Options match;
  bool json = false;
  std::vector<std::string> media;
};

// Sets the flag `arg` from `value`; false if the value is bad.
bool SetValueFlag(const std::string& arg, const std::string& value,
                  MatchFlags* flags) {
  if (arg == "--bank") {
    flags->bank = value;
  } else if (arg == "--config") {
    flags->config = value;
  } else if (arg == "--hashes") {
    flags->hashes_file = value;
  } else if (arg == "--context") {
    if (value != "upload" && value != "rescan") return false;
    flags->match.context = value == "upload" ? v1::UPLOAD : v1::RESCAN;
  } else {  // --max-distance
    int& distance = flags->match.max_distance;
    return absl::SimpleAtoi(absl::string_view(value), &distance) &&
           distance >= 0 && distance <= VerdictPolicy::kMaxReviewDistance;
  }
  return true;
}

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
    } else if (arg == "--") {
      only_files = true;
    } else if (arg == "--dihedral" || arg == "--no-dihedral") {
      flags->match.dihedral = arg == "--dihedral"
                                  ? v1::CheckOptions::DIHEDRAL_ON
                                  : v1::CheckOptions::DIHEDRAL_OFF;
    } else if (arg == "--trim" || arg == "--no-trim") {
      flags->match.trim = arg == "--trim" ? v1::CheckOptions::TRIM_ON
                                          : v1::CheckOptions::TRIM_OFF;
    } else if (arg == "--json") {
      flags->json = true;
    } else if (arg == "--bank" || arg == "--hashes" || arg == "--config" ||
               arg == "--context" || arg == "--max-distance") {
      if (i + 1 >= args.size()) return usage(arg + " needs a value");
      const std::string& value = args[++i];
      if (!SetValueFlag(arg, value, flags)) {
        return usage(arg + ": bad value '" + value + "'");
      }
    } else {
      return usage("unknown flag " + arg);
    }
  }
  if (flags->bank.empty()) return usage("--bank is required");
  if (flags->media.empty() == flags->hashes_file.empty()) {
    return usage("give media files or --hashes FILE (not both)");
  }
  if (flags->match.dihedral == v1::CheckOptions::DIHEDRAL_ON &&
      !flags->hashes_file.empty()) {
    return usage("--dihedral needs media files (a hash cannot be rotated)");
  }
  return true;
}

// The daemon's policies from --config, or the defaults.
absl::StatusOr<VerdictPolicy> LoadPolicy(const std::string& config_path) {
  if (config_path.empty()) return VerdictPolicy::Create({});
  CM_ASSIGN_OR_RETURN(v1::DaemonConfig config,
                      LoadDaemonConfigFile(config_path));
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config_path, ": ", policy.status().message()));
  }
  return policy;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> LoadBank(
    const std::string& path) {
  BankCsvOptions bank_options;
  bank_options.source_feed = path;
  CM_ASSIGN_OR_RETURN(std::vector<HashEntry> entries,
                      ReadBankCsvFile(path, bank_options));
  return IndexBuilder(IndexBuilder::Options{}).Build(std::move(entries), 0);
}

// Everything one `clearmatch match` run matches against.
struct Matching {
  const IndexSnapshot& snapshot;
  const Matcher& matcher;
  const MatchFlags& flags;
  MatchPrinter& printer;

  absl::Status Run(const std::string& name, const Query& query) const {
    CM_ASSIGN_OR_RETURN(std::vector<v1::Match> matches,
                        matcher.FindMatches(snapshot, query, flags.match));
    const v1::Decision decision =
        VerdictPolicy::Conclude(v1::Hashes(), /*hashes_from_caller=*/true,
                                /*allowlist=*/nullptr, matches);
    printer.Verdict(name, matches, decision);
    return absl::OkStatus();
  }
};

absl::Status MatchMedia(const Matching& matching, const std::string& file,
                        MediaFingerprinter& fingerprinter, bool dihedral) {
  CM_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                      ReadInput(file, fingerprinter.max_input_bytes()));
  CM_ASSIGN_OR_RETURN(MediaFingerprint fp, fingerprinter.Fingerprint(bytes));
  return matching.Run(file, Query::FromFingerprint(fp, dihedral));
}

// One line of a hashes file: "HEX[,QUALITY[,...]]". Without a quality the
// hash's quality is unknown (REVIEW at most), as a request's hash without
// one is.
absl::StatusOr<Query> ParseHashLine(absl::string_view line) {
  std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
  v1::Hashes hashes;
  v1::PdqHashValue* pdq = hashes.add_pdq();
  pdq->set_hash(std::string(absl::StripAsciiWhitespace(fields[0])));
  if (fields.size() > 1) {
    int quality = 0;
    if (!absl::SimpleAtoi(fields[1], &quality)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "quality '", fields[1].substr(0, 20), "' is not an integer"));
    }
    pdq->set_quality(quality);
  }
  return Query::FromHashes(hashes);
}

// Returns the exit code contribution of the hashes file.
int MatchHashesFile(const Matching& matching, std::ostream& err) {
  const std::string& path = matching.flags.hashes_file;
  absl::StatusOr<std::vector<uint8_t>> bytes =
      ReadInput(path, kMaxHashesFileBytes);
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
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    absl::StatusOr<Query> query = ParseHashLine(line);
    absl::Status status = query.status();
    std::string name(line.substr(0, 80));
    if (query.ok()) {
      name = query->pdq[0].hash.ToHex();
      status = matching.Run(name, *query);
    } else {
      status = absl::InvalidArgumentError(absl::StrCat(
          path, " line ", line_number, ": ", query.status().message()));
    }
    if (!status.ok()) {
      matching.printer.Error(name, status.message());
      exit_code = kExitInputFailed;
    }
  }
  return exit_code;
}

int MatchMediaFiles(const Matching& matching, const VerdictPolicy& policy,
                    std::ostream& err) {
  MediaFingerprinter::Options options;
  options.dihedral = policy.WantsDihedral(matching.flags.match.dihedral);
  options.trim = policy.WantsTrim(matching.flags.match.trim);
  absl::StatusOr<std::unique_ptr<MediaFingerprinter>> fingerprinter =
      MediaFingerprinter::Create(options);
  if (!fingerprinter.ok()) {
    err << "clearmatch match: " << fingerprinter.status().message() << "\n";
    return kExitInputFailed;
  }
  int exit_code = kExitOk;
  for (const std::string& file : matching.flags.media) {
    const absl::Status status =
        MatchMedia(matching, file, **fingerprinter, options.dihedral);
    if (!status.ok()) {
      matching.printer.Error(file, status.message());
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
  absl::StatusOr<VerdictPolicy> policy = LoadPolicy(flags.config);
  if (!policy.ok()) {
    err << "clearmatch match: " << policy.status().message() << "\n";
    return kExitInputFailed;
  }
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      LoadBank(flags.bank);
  if (!snapshot.ok()) {
    err << "clearmatch match: " << snapshot.status().message() << "\n";
    return kExitInputFailed;
  }
  const Matcher matcher(*policy);
  MatchPrinter printer(flags.json, out, err);
  const Matching matching{**snapshot, matcher, flags, printer};
  return flags.hashes_file.empty() ? MatchMediaFiles(matching, *policy, err)
                                   : MatchHashesFile(matching, err);
}

}  // namespace clearmatch::cli
