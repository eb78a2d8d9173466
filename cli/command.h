// The `clearmatch` subcommands: their shape (CommandFn) and every one of
// them. cli/main.cc dispatches `clearmatch NAME ARGS...` to the command
// registered under NAME; hash and compare are built into the executable
// (clearmatch_cli_core), the others into the commands module
// (clearmatch_cli, cli/module_commands.h).
//
//   int RunHashCommand(const std::vector<std::string>& args,
//                      std::ostream& out, std::ostream& err);
//
// `args` excludes the program and subcommand names. The return value is the
// process exit code: 0 success, 1 some input failed, 2 usage error.
#ifndef CLEARMATCH_CLI_COMMAND_H_
#define CLEARMATCH_CLI_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInputFailed = 1;
inline constexpr int kExitUsage = 2;

using CommandFn = int (*)(const std::vector<std::string>& args,
                          std::ostream& out, std::ostream& err);

// `clearmatch hash [--dihedral] [--json] [--seconds-per-hash S] [--keyframes]
// FILE...`: prints the hashes of media files ("-" reads standard input).
//
// Images, plain output, one line per file in the reference tool's CSV shape:
//   <pdq>,<quality>,<file>        (with --dihedral: 8 hashes, then quality)
// --json: one object per line with keys file, pdq, quality, md5, sha1,
// sha256 (and pdq_dihedral with --dihedral).
// Videos, plain: one line per sampled frame, "frame,quality,hash,seconds,file"
// (the reference's vPDQ line plus the file); --json: keys file, md5, sha1,
// sha256, vpdq (array of {frame, quality, pdq, seconds}). --seconds-per-hash
// (default 1, 0 = every frame) and --keyframes choose the frames. A failing
// file prints
// {"file": ..., "error": ...} (plain: "<file>: error: ..." on stderr), the
// others still run, and the exit code is 1.
int RunHashCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

// `clearmatch compare [--json] [--no-trim] A B`: how alike two media files
// are.
//
// - two images: the PDQ distance, and the variant of A closest to B (so a
//   rotated or mirrored copy shows as e.g. "rot90, distance 4", a copy in a
//   frame as "trimmed"; B's trimmed content counts too);
// - two videos: vPDQ query_pct (A's frames found in B), target_pct (B's
//   frames found in A), whether that is a match under the default rule
//   (query_pct >= 80), and the matched time ranges on both sides;
// - an image and a video (either order): the video's frames within PDQ
//   distance 31 of the image, as frames and time ranges.
// Exit code 0 when both files were compared, 1 when one could not be read or
// hashed, 2 on usage errors.
int RunCompareCommand(const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err);

// `clearmatch match --bank FILE.csv [--config clearmatchd.textproto]
//  [--context upload|rescan] [--max-distance 0..47]
//  [--dihedral | --no-dihedral] [--json] (MEDIA... | --hashes FILE)`:
// the offline matcher, with the daemon's own matching core (matching/), so
// that it decides as clearmatchd's Check does for the same bank and input.
// Loads a bank CSV (see bank/bank_csv.h) and the policies of a daemon
// config (its default_policy and banks[]; the defaults without --config),
// then matches media files (PDQ or vPDQ frames, and the exact MD5 / SHA-1 /
// SHA-256 of the file) or a file of PDQ hashes, one "HEX[,QUALITY]" per line
// (`#` comments and blank lines skipped; no quality counts as 0, as in a
// request, so such a hash is at most REVIEW). --context picks the action
// (upload: the bank's upload_action, BLOCK by default; rescan: TAKEDOWN).
// --dihedral / --no-dihedral force rotated and mirrored variants on or off
// (by default each bank's policy decides, as for a request). --max-distance
// narrows the PDQ search below the policy's.
//
// Per query, one line per match it is not allowed by, then its verdict.
// Plain:
//   <query>: <hash_type> match <entry_id> bank <bank> distance <d>
//   (<transform>) <DECISION>[ shadow]
//   <query>: decision <DECISION> (<n> matches)
// --json: {"query", "entry_id", "bank", "category", "hash_type", "distance",
// "transform", "decision", "shadow"} per match, then {"query", "decision",
// "matches"}, where query is the media path as given or the query hash in
// lowercase hex, and transform the dihedral variant that matched
// ("original" for exact and --hashes hits). A failing query prints an error
// (JSON: {"query", "error"}), the others still run.
// Exit code: 0 ran (matches or not), 1 a query, the bank or the config
// failed, 2 usage.
int RunMatchCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);

// `clearmatch feed keygen|publish|verify|sync`: the signed hash feed from
// the command line (docs/FEED_PROTOCOL.md).
//
//   clearmatch feed keygen --out DIR
//       writes DIR/private.pem (mode 0600) and DIR/public.pem
//   clearmatch feed publish --key DIR/private.pem --feed-dir FEED
//       [--add FILE.csv] [--remove FILE.csv]
//       [--add-media FILE... --bank B [--category C]] [--expires-in DURATION]
//       [--feed-id ID] [--snapshot] [--keep-deltas N]
//       appends one delta (CSV lines hash_type,hash,entry_id,bank,category,
//       vpdq rows naming a frames file, see feed_publish_csv.h; for --remove
//       the entry ids matter; --add-media: see feed_media_entries.h) and
//       re-signs the manifest.
//       DURATION: e.g. 7d, 36h, 90m (default 7d).
//   clearmatch feed verify --pubkey public.pem (FEED_DIR | URL)
//       checks the signature, expiry and every listed file.
//   clearmatch feed sync --url URL --pubkey public.pem --store FILE.sqlite
//       [--feed-id ID]
//       checks the store's integrity, applies what is new, prints it.
// Exit codes as in cli/command.h.
int RunFeedCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

// `clearmatch check [--addr HOST:PORT] [--context upload|rescan] [--json]
// [--deadline-ms N] [--tls-ca PEM [--tls-cert PEM --tls-key PEM]] FILE...`:
// asks a running clearmatchd for the verdict on each file (Check, or
// CheckUpload for files over 8 MiB). --tls-ca: TLS trusting that CA (else
// plaintext); --tls-cert/--tls-key: the client certificate for mTLS (daemon
// flags: cli/daemon_channel.h).
//
// Plain output, one line per file: "<DECISION> <file>" followed by
// " bank/entry_id (hash_type, distance d, transform)" per match. --json: one
// object per line with file, content_id, decision, snapshot_version,
// request_id and matches. A file that fails prints an error (the others
// still run) and the exit code is 1; the daemon unreachable is also 1.
int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);

// `clearmatch rescan --listing FILE [--addr HOST:PORT] [--tls-ca PEM
// [--tls-cert PEM --tls-key PEM]] [--concurrency N] [--resume STATE]
// [--out FILE]`: checks every file of a listing in the RESCAN context
// through one CheckStream (daemon flags: cli/daemon_channel.h).
//
// The listing has one "content_id,path" line per item ('#' comments and
// blank lines skipped; content ids must be unique). Verdicts are written as
// JSON lines (see CheckResponseJson) to --out (default standard output);
// progress goes to standard error. Up to N requests (default 4) are in
// flight; an item the daemon refused as overloaded is sent again (up to 5
// times). With --resume, every finished content id is appended to STATE and
// the ids already there are skipped, so an interrupted rescan continues
// where it stopped. Exit code 1 if an item failed.
int RunRescanCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

// `clearmatch review SUBCOMMAND`: reviewers' commands against a running
// clearmatchd (Review service), and an offline audit check:
//
//   clearmatch review list [DAEMON] [--status pending|decided]
//       [--bank B] [--outcome confirmed|false-positive|escalated]
//       [--since UNIX_SECONDS] [--until UNIX_SECONDS] [--page-size N]
//       [--page-token T] [--json]
//   clearmatch review show [DAEMON] MATCH_ID
//   clearmatch review decide [DAEMON] MATCH_ID
//       confirmed|false-positive|escalated [--reviewer NAME] [--note TEXT]
//       [--override]
//   clearmatch review export [DAEMON] [--since S] [--until S]
//   clearmatch review outbox [DAEMON] [--state STATE] [--bank B]
//       [--page-size N] [--page-token T] [--json]
//   clearmatch review audit [DAEMON] [--match MATCH_ID] [--since S]
//       [--until S] [--limit N] [--json]
//   clearmatch review stats [DAEMON] [--since S] [--until S] [--json]
//   clearmatch review verify-audit --store FILE | --database-url URL
//
// DAEMON: [--addr HOST:PORT] [--tls-ca PEM [--tls-cert PEM --tls-key PEM]]
// (cli/daemon_channel.h).
//
// list prints one line per match ("<id> <time> <verdict> <status>
// <content_id> bank/entry ...") and the next page token, or JSON lines;
// show prints the record as JSON; export prints one JSON line per confirmed
// match (every page); audit and stats: cli/review_report_commands.h;
// verify-audit prints the number of verified audit rows or the first bad
// row. Exit codes: 0 ok, 1 the call or check failed,
// 2 usage.
int RunReviewCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

// `clearmatch source SUBCOMMAND`: the daemon's hash sources.
//
//   clearmatch source check --config FILE
//   clearmatch source status [DAEMON] [--json]
//
// check: for every ncmec_sources / stopncii_sources entry of a clearmatchd
// config, reads its credentials file (refused when group- or
// world-readable) and asks the service who the platform is (NCMEC
// GET /v2/status; StopNCII one FetchHashes page); one line per source,
// "ok, ..." or "FAILED: <why>". Exit 1 if any failed or the config is bad.
// status: Admin.GetStatus of a running daemon: the index, then one line per
// synced source (kind, entries by hash type, last sync result, lag,
// skipped records by reason) and per clearinghouse the feedback counts;
// --json prints the response in protobuf's JSON mapping.
int RunSourceCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

// `clearmatch health [--addr ADDR] [TLS flags] [--live] [--timeout-ms N]`:
// grpc.health.v1.Health/Check of a running daemon (the probe of containers,
// systemd and Kubernetes). Prints the status (SERVING, NOT_SERVING...).
// Exit 0 when SERVING; with --live whenever the health service answered (a
// daemon still loading its index is alive); 1 otherwise or when the call
// failed (unreachable, deadline: --timeout-ms, default 5000); 2 on usage.
int RunHealthCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_COMMAND_H_
