// `clearmatch feed ...` subcommands.

#include <filesystem>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/feed_media_entries.h"
#include "cli/feed_publish_csv.h"
#include "common/file_io.h"
#include "crypto/ed25519_signer.h"
#include "crypto/ed25519_verifier.h"
#include "feed/feed_publisher.h"
#include "feed/feed_reader.h"
#include "feed/feed_syncer.h"
#include "feed/hash_store.h"
#include "feed/open_feed_source.h"

namespace clearmatch::cli {
namespace {

constexpr char kUsage[] =
    "usage: clearmatch feed keygen --out DIR\n"
    "       clearmatch feed publish --key PRIVATE.pem --feed-dir FEED "
    "[--add FILE.csv] [--remove FILE.csv] [--add-media FILE... --bank B "
    "[--category C]] [--expires-in 7d] [--feed-id ID] [--snapshot] "
    "[--keep-deltas N]\n"
    "       clearmatch feed verify --pubkey PUBLIC.pem (FEED_DIR | URL)\n"
    "       clearmatch feed sync --url URL --pubkey PUBLIC.pem --store "
    "FILE.sqlite [--feed-id ID]\n";

// --name VALUE flags, bare --name switches, --add-media FILE... (every
// following argument up to the next flag), and positional arguments.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> media;
  std::vector<std::string> positional;
};

absl::StatusOr<Args> ParseArgs(const std::vector<std::string>& args,
                               size_t first,
                               const std::vector<std::string>& with_value,
                               const std::vector<std::string>& switches) {
  Args parsed;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      parsed.positional.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(2);
    if (name == "add-media") {
      const size_t before = parsed.media.size();
      while (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        parsed.media.push_back(args[++i]);
      }
      if (parsed.media.size() == before) {
        return absl::InvalidArgumentError("--add-media needs files");
      }
    } else if (std::find(switches.begin(), switches.end(), name) !=
               switches.end()) {
      // insert_or_assign, not operator=("1"): GCC 12 at -O3 warns falsely
      // (-Wrestrict, GCC bug 105329) on the inlined string assignment.
      parsed.flags.insert_or_assign(name, std::string("1"));
    } else if (std::find(with_value.begin(), with_value.end(), name) !=
               with_value.end()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      parsed.flags[name] = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    }
  }
  return parsed;
}

// "7d", "36h", "90m", "45s" or anything absl::ParseDuration takes.
absl::StatusOr<absl::Duration> ParseExpiry(const std::string& text) {
  int64_t days = 0;
  if (absl::EndsWith(text, "d") &&
      absl::SimpleAtoi(text.substr(0, text.size() - 1), &days) && days > 0) {
    return absl::Hours(24 * days);
  }
  absl::Duration duration;
  if (absl::ParseDuration(text, &duration) && duration > absl::ZeroDuration()) {
    return duration;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--expires-in \"", text, "\" is not a positive duration (e.g. 7d, 36h)"));
}

// The changes publish makes: --remove rows, then --add rows, then the
// --add-media entries.
absl::StatusOr<std::vector<FeedChange>> PublishChanges(const Args& args) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::vector<FeedChange> changes;
  for (const auto& [flag, op] : {std::pair{"remove", FeedChange::Op::kRemove},
                                 std::pair{"add", FeedChange::Op::kAdd}}) {
    if (!args.flags.contains(flag)) continue;
    absl::StatusOr<std::vector<FeedChange>> read =
        ReadPublishCsv(args.flags.at(flag), op, now);
    if (!read.ok()) return read.status();
    for (FeedChange& change : *read) changes.push_back(std::move(change));
  }
  if (args.media.empty()) return changes;
  MediaEntryOptions options;
  options.bank = args.flags.at("bank");
  if (args.flags.contains("category")) {
    options.category = args.flags.at("category");
  }
  options.added_at = now;
  absl::StatusOr<std::vector<FeedEntry>> media =
      MediaFeedEntries(args.media, options);
  if (!media.ok()) return media.status();
  for (FeedEntry& entry : *media) {
    changes.push_back({FeedChange::Op::kAdd, std::move(entry)});
  }
  return changes;
}

int Fail(std::ostream& err, const absl::Status& status) {
  err << "clearmatch feed: " << status << "\n";
  return kExitInputFailed;
}

int Usage(std::ostream& err, absl::string_view problem) {
  err << "clearmatch feed: " << problem << "\n" << kUsage;
  return kExitUsage;
}

int Keygen(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.flags.contains("out")) return Usage(err, "keygen needs --out DIR");
  const std::string dir = args.flags.at("out");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const std::string private_path = dir + "/private.pem";
  const std::string public_path = dir + "/public.pem";
  if (std::filesystem::exists(private_path)) {
    return Fail(err,
                absl::AlreadyExistsError(absl::StrCat(
                    private_path, " exists; refusing to overwrite a key")));
  }
  absl::StatusOr<Ed25519KeyPair> keys = Ed25519Signer::GenerateKeyPair();
  if (!keys.ok()) return Fail(err, keys.status());
  // The private key is 0600 from its first byte.
  if (absl::Status s =
          WriteFileAtomically(private_path, keys->private_pem, 0600);
      !s.ok()) {
    return Fail(err, s);
  }
  if (absl::Status s = WriteFileAtomically(public_path, keys->public_pem);
      !s.ok()) {
    return Fail(err, s);
  }
  const std::string key_id =
      (*Ed25519Signer::Create(keys->private_pem))->key_id();
  out << "wrote " << private_path << " and " << public_path << " (key id "
      << key_id << ")\n";
  return kExitOk;
}

int Publish(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.flags.contains("key") || !args.flags.contains("feed-dir")) {
    return Usage(err, "publish needs --key and --feed-dir");
  }
  if (args.media.empty() != !args.flags.contains("bank") ||
      (args.flags.contains("category") && args.media.empty())) {
    return Usage(err, "--add-media FILE... goes with --bank B [--category C]");
  }
  absl::StatusOr<std::string> key =
      ReadFileToString(args.flags.at("key"), 64 * 1024);
  if (!key.ok()) return Fail(err, key.status());
  FeedPublisher::Options options;
  options.feed_dir = args.flags.at("feed-dir");
  options.private_key_pem = *key;
  if (args.flags.contains("feed-id"))
    options.feed_id = args.flags.at("feed-id");
  if (args.flags.contains("expires-in")) {
    absl::StatusOr<absl::Duration> expiry =
        ParseExpiry(args.flags.at("expires-in"));
    if (!expiry.ok()) return Usage(err, expiry.status().message());
    options.expires_in = *expiry;
  }
  options.write_snapshot = args.flags.contains("snapshot");
  if (args.flags.contains("keep-deltas") &&
      !absl::SimpleAtoi(args.flags.at("keep-deltas"), &options.keep_deltas)) {
    return Usage(err, "--keep-deltas needs a number");
  }
  absl::StatusOr<std::vector<FeedChange>> changes = PublishChanges(args);
  if (!changes.ok()) return Fail(err, changes.status());
  absl::StatusOr<std::unique_ptr<FeedPublisher>> publisher =
      FeedPublisher::Create(options);
  if (!publisher.ok()) return Fail(err, publisher.status());
  absl::StatusOr<FeedPublisher::Published> published =
      (*publisher)->Publish(*changes);
  if (!published.ok()) return Fail(err, published.status());
  out << "published feed " << published->feed_id << " sequence "
      << published->sequence << ": " << published->delta_path << " ("
      << published->records << " records)";
  if (published->snapshot_records >= 0) {
    out << ", snapshot of " << published->snapshot_records << " entries";
  }
  out << "\n";
  return kExitOk;
}

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> LoadVerifier(
    const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFileToString(path, 64 * 1024);
  if (!pem.ok()) return pem.status();
  return Ed25519Verifier::Create(*pem);
}

int Verify(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.flags.contains("pubkey") || args.positional.size() != 1) {
    return Usage(err, "verify needs --pubkey and one FEED_DIR or URL");
  }
  absl::StatusOr<std::unique_ptr<Ed25519Verifier>> verifier =
      LoadVerifier(args.flags.at("pubkey"));
  if (!verifier.ok()) return Fail(err, verifier.status());
  absl::StatusOr<std::unique_ptr<FeedSource>> source =
      OpenFeedSource(args.positional[0], {});
  if (!source.ok()) return Fail(err, source.status());
  FeedReader reader({}, **verifier, **source);
  absl::StatusOr<v1::FeedManifest> manifest = reader.FetchManifest();
  if (!manifest.ok()) return Fail(err, manifest.status());
  int64_t records = 0;
  std::vector<const v1::FeedFile*> files;
  if (manifest->has_snapshot()) files.push_back(&manifest->snapshot());
  for (const v1::FeedFile& delta : manifest->deltas()) files.push_back(&delta);
  for (const v1::FeedFile* file : files) {
    absl::StatusOr<std::vector<FeedChange>> checked = reader.FetchFile(*file);
    if (!checked.ok()) return Fail(err, checked.status());
    records += static_cast<int64_t>(checked->size());
  }
  out << "ok: feed " << manifest->feed_id() << " sequence "
      << manifest->sequence() << ", signed by key " << (*verifier)->key_id()
      << ", expires "
      << absl::FormatTime(
             absl::RFC3339_sec,
             absl::FromUnixSeconds(manifest->expires_at_unix_seconds()),
             absl::UTCTimeZone())
      << "; " << manifest->deltas_size() << " deltas"
      << (manifest->has_snapshot()
              ? absl::StrCat(" and snapshot ", manifest->snapshot().sequence())
              : "")
      << " verified (" << records << " records)\n";
  return kExitOk;
}

int Sync(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.flags.contains("url") || !args.flags.contains("pubkey") ||
      !args.flags.contains("store")) {
    return Usage(err, "sync needs --url, --pubkey and --store");
  }
  absl::StatusOr<std::string> pem =
      ReadFileToString(args.flags.at("pubkey"), 64 * 1024);
  if (!pem.ok()) return Fail(err, pem.status());
  absl::StatusOr<std::unique_ptr<FeedSource>> source =
      OpenFeedSource(args.flags.at("url"), {});
  if (!source.ok()) return Fail(err, source.status());
  HashStore::Options store_options;
  store_options.path = args.flags.at("store");
  absl::StatusOr<std::unique_ptr<HashStore>> store =
      HashStore::Open(store_options);
  if (!store.ok()) return Fail(err, store.status());
  // A damaged store is reported, never silently served as "no matches".
  if (absl::Status s = (*store)->CheckIntegrity(); !s.ok()) return Fail(err, s);
  FeedSyncer::Options options;
  options.public_key_pem = *pem;
  if (args.flags.contains("feed-id"))
    options.feed_id = args.flags.at("feed-id");
  absl::StatusOr<std::unique_ptr<FeedSyncer>> syncer =
      FeedSyncer::Create(options, **source, **store);
  if (!syncer.ok()) return Fail(err, syncer.status());
  absl::StatusOr<FeedSyncer::Result> result = (*syncer)->Sync();
  if (!result.ok()) return Fail(err, result.status());
  if (result->to_sequence == result->from_sequence) {
    out << "feed " << result->feed_id << " is up to date at sequence "
        << result->to_sequence << "\n";
    return kExitOk;
  }
  out << "feed " << result->feed_id << ": " << result->from_sequence << " -> "
      << result->to_sequence;
  if (result->snapshot_sequence.has_value()) {
    out << ", loaded snapshot " << *result->snapshot_sequence;
  }
  if (!result->applied_deltas.empty()) {
    out << ", applied deltas " << result->applied_deltas.front() << ".."
        << result->applied_deltas.back();
  }
  out << " (" << result->records << " records";
  if (!result->changes.full_reload) {
    out << "; " << result->changes.added.size() << " entries added or changed, "
        << result->changes.removed_entry_ids.size() << " removed or replaced";
  }
  absl::StatusOr<int64_t> count = (*store)->CountEntries(result->feed_id);
  if (count.ok()) out << "; store holds " << *count << " entries";
  out << ")\n";
  return kExitOk;
}

}  // namespace

int RunFeedCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  if (args.empty()) return Usage(err, "missing subcommand");
  const std::string& command = args[0];
  absl::StatusOr<Args> parsed = ParseArgs(
      args, 1,
      {"out", "key", "feed-dir", "add", "remove", "bank", "category",
       "expires-in", "feed-id", "keep-deltas", "pubkey", "url", "store"},
      {"snapshot"});
  if (!parsed.ok()) return Usage(err, parsed.status().message());
  if (command == "keygen") return Keygen(*parsed, out, err);
  if (command == "publish") return Publish(*parsed, out, err);
  if (command == "verify") return Verify(*parsed, out, err);
  if (command == "sync") return Sync(*parsed, out, err);
  return Usage(err, absl::StrCat("unknown subcommand ", command));
}

}  // namespace clearmatch::cli
