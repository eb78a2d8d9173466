// The gRPC channel from a `clearmatch` command to a running clearmatchd:
// the --addr and --tls-ca/--tls-cert/--tls-key flags, parsed the same way by
// `check`, `rescan` and `review`, and the channel they describe (plaintext,
// TLS trusting a CA, or mTLS with a client certificate).
//
//   DaemonChannelFlags flags;
//   for (size_t i = 0; i < args.size(); ++i) {
//     absl::StatusOr<bool> consumed = ConsumeDaemonChannelFlag(args, &i,
//                                                              &flags);
//     if (!consumed.ok()) ... usage error ...
//     if (*consumed) continue;
//     ... the command's own flags ...
//   }
//   absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
//       CreateDaemonChannel(flags);
#ifndef CLEARMATCH_CLI_DAEMON_CHANNEL_H_
#define CLEARMATCH_CLI_DAEMON_CHANNEL_H_

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clearmatch::cli {

// Where the daemon is and how to reach it. A plain value.
struct DaemonChannelFlags {
  std::string addr = "127.0.0.1:50051";
  std::string tls_ca_file;    // TLS trusting this CA; empty: plaintext
  std::string tls_cert_file;  // client certificate (mTLS), with the key
  std::string tls_key_file;   // its private key
  // TLS: the name the daemon's certificate must carry, when `addr` is an
  // address resolved from it (a rescan spread over the addresses of one
  // DNS name); empty: the host of `addr`.
  std::string tls_target_name;
};

// The flags as they appear in the commands' usage lines.
inline constexpr char kDaemonChannelUsage[] =
    "[--addr HOST:PORT] [--tls-ca PEM [--tls-cert PEM --tls-key PEM]]";
// Those of the commands that need a role (review, source status), which
// default to the daemon's unix socket.
inline constexpr char kLocalDaemonChannelUsage[] =
    "[--addr unix:PATH|HOST:PORT] [--tls-ca PEM [--tls-cert PEM --tls-key "
    "PEM]]";

// The defaults of the commands that call Review or Admin: the unix socket
// of a daemon started with its defaults from this directory
// (unix:./var/clearmatch/clearmatchd.sock), where the daemon knows the
// caller by its uid (its own user has every role; docs/DAEMON.md).
DaemonChannelFlags LocalDaemonChannelFlags();

// Largest PEM file read (a CA bundle, a certificate chain or a key).
inline constexpr size_t kMaxPemFileBytes = 1 << 20;

// If args[*index] is --addr, --tls-ca, --tls-cert or --tls-key, stores the
// value that follows it in `flags`, moves *index onto that value and returns
// true; returns false (nothing changed) for any other argument.
// INVALID_ARGUMENT if the flag has no value after it.
absl::StatusOr<bool> ConsumeDaemonChannelFlag(
    const std::vector<std::string>& args, size_t* index,
    DaemonChannelFlags* flags);

// INVALID_ARGUMENT, naming the flags, unless --tls-cert and --tls-key are
// both given or both absent, and given only with --tls-ca, and --tls-ca is
// not given with a unix: address (the daemon's unix socket is plaintext).
absl::Status ValidateDaemonChannelFlags(const DaemonChannelFlags& flags);

// The channel `flags` describe: plaintext without --tls-ca, else TLS
// verifying the daemon against that CA and presenting the client
// certificate when given. Connects lazily (on the first call). Errors:
// those of ValidateDaemonChannelFlags; NOT_FOUND or PERMISSION_DENIED for a
// PEM file that cannot be opened, INVALID_ARGUMENT for one that is empty,
// over kMaxPemFileBytes, not PEM, or PEM without a certificate OpenSSL can
// parse (--tls-ca, --tls-cert) or an unencrypted private key (--tls-key),
// each naming the flag and the file.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateDaemonChannel(
    const DaemonChannelFlags& flags);

// The message to print for a failed call on that channel: gRPC's message,
// and for UNAVAILABLE (gRPC says only e.g. "Socket closed" when a TLS
// handshake fails) what to check: the address, and the CA and client
// certificate in use or their absence.
std::string DaemonCallError(const DaemonChannelFlags& flags,
                            const grpc::Status& status);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_DAEMON_CHANNEL_H_
