// The --addr/--tls-* flags of the daemon commands and their gRPC channel.
#include "cli/daemon_channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/daemon_config.h"
#include "crypto/pem.h"

namespace clearmatch::cli {
namespace {

// The contents of the PEM file given to `flag`, bounded by kMaxPemFileBytes.
absl::StatusOr<std::string> ReadPemFile(const char* flag,
                                        const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string reason =
        error != 0 ? std::strerror(error) : "cannot open";
    const std::string message =
        absl::StrCat("cannot read ", flag, " file ", path, ": ", reason);
    return error == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::string text(kMaxPemFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", flag, " file ", path,
                     " (a directory or an unreadable file)"));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " file ", path, " is empty"));
  }
  if (text.size() > kMaxPemFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " file ", path, " is larger than ", kMaxPemFileBytes,
                     " bytes; not a PEM file"));
  }
  if (text.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " file ", path, " is not PEM (no \"-----BEGIN \" line)"));
  }
  return text;
}

// INVALID_ARGUMENT unless `pem` holds what `flag` needs: a certificate
// (--tls-ca, --tls-cert) or an unencrypted private key (--tls-key). gRPC
// itself accepts any text here and fails only at the first call, saying no
// more than "empty address list".
absl::Status CheckPemHolds(const char* flag, const std::string& path,
                           const std::string& pem, bool private_key) {
  const absl::Status parsed = private_key ? ParsePemPrivateKey(pem).status()
                                          : ParsePemCertificate(pem).status();
  if (parsed.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " file ", path, " holds no ",
                   private_key ? "unencrypted private key" : "certificate",
                   " that OpenSSL can read (", parsed.message(), ")"));
}

// ReadPemFile, then CheckPemHolds.
absl::StatusOr<std::string> ReadPemFileHolding(const char* flag,
                                               const std::string& path,
                                               bool private_key) {
  absl::StatusOr<std::string> pem = ReadPemFile(flag, path);
  if (!pem.ok()) return pem.status();
  if (absl::Status s = CheckPemHolds(flag, path, *pem, private_key); !s.ok()) {
    return s;
  }
  return pem;
}

}  // namespace

absl::StatusOr<bool> ConsumeDaemonChannelFlag(
    const std::vector<std::string>& args, size_t* index,
    DaemonChannelFlags* flags) {
  const std::string& arg = args[*index];
  std::string* value = nullptr;
  if (arg == "--addr") {
    value = &flags->addr;
  } else if (arg == "--tls-ca") {
    value = &flags->tls_ca_file;
  } else if (arg == "--tls-cert") {
    value = &flags->tls_cert_file;
  } else if (arg == "--tls-key") {
    value = &flags->tls_key_file;
  } else {
    return false;
  }
  if (*index + 1 >= args.size() || args[*index + 1].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
  }
  *value = args[++*index];
  return true;
}

DaemonChannelFlags LocalDaemonChannelFlags() {
  DaemonChannelFlags flags;
  flags.addr =
      absl::StrCat("unix:", kDefaultDataDir, "/", kDefaultUnixSocketName);
  return flags;
}

absl::Status ValidateDaemonChannelFlags(const DaemonChannelFlags& flags) {
  if (flags.tls_cert_file.empty() != flags.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        flags.tls_key_file.empty()
            ? "--tls-cert needs --tls-key (the certificate's private key)"
            : "--tls-key needs --tls-cert (the key's certificate)");
  }
  if (!flags.tls_cert_file.empty() && flags.tls_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key need --tls-ca (a client certificate is "
        "only sent over TLS)");
  }
  if (absl::StartsWith(flags.addr, "unix:") && !flags.tls_ca_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-ca: ", flags.addr,
        " is a unix socket, which clearmatchd serves in plaintext (it knows "
        "the caller by its uid); drop --tls-* or give the TLS --addr"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateDaemonChannel(
    const DaemonChannelFlags& flags) {
  if (absl::Status valid = ValidateDaemonChannelFlags(flags); !valid.ok()) {
    return valid;
  }
  if (flags.tls_ca_file.empty()) {
    return grpc::CreateChannel(flags.addr, grpc::InsecureChannelCredentials());
  }
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca =
      ReadPemFileHolding("--tls-ca", flags.tls_ca_file, false);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (!flags.tls_cert_file.empty()) {
    absl::StatusOr<std::string> cert =
        ReadPemFileHolding("--tls-cert", flags.tls_cert_file, false);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key =
        ReadPemFileHolding("--tls-key", flags.tls_key_file, true);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::SslCredentials(options);
  if (credentials == nullptr) {
    return absl::InternalError(
        absl::StrCat("gRPC could not make TLS credentials from --tls-ca ",
                     flags.tls_ca_file));
  }
  grpc::ChannelArguments arguments;
  if (!flags.tls_target_name.empty()) {
    arguments.SetSslTargetNameOverride(flags.tls_target_name);
  }
  return grpc::CreateCustomChannel(flags.addr, credentials, arguments);
}

std::string DaemonCallError(const DaemonChannelFlags& flags,
                            const grpc::Status& status) {
  std::string message = status.error_message();
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return message;
  if (absl::StartsWith(flags.addr, "unix:")) {
    return absl::StrCat(
        message, " [unix socket ", flags.addr,
        ": is the daemon up, with that socket (unix_socket, by default "
        "<data_dir>/clearmatchd.sock; give --addr unix:PATH), and may this "
        "user open it?]");
  }
  if (flags.tls_ca_file.empty()) {
    return absl::StrCat(message, " [plaintext to ", flags.addr,
                        ": is the daemon up there; does it require TLS "
                        "(--tls-ca)?]");
  }
  if (flags.tls_cert_file.empty()) {
    return absl::StrCat(
        message, " [TLS to ", flags.addr, " trusting --tls-ca ",
        flags.tls_ca_file,
        ": is the daemon up there, is its certificate signed by that CA, "
        "does it require a client certificate (--tls-cert, --tls-key)?]");
  }
  return absl::StrCat(
      message, " [TLS to ", flags.addr, " trusting --tls-ca ",
      flags.tls_ca_file, " with client certificate --tls-cert ",
      flags.tls_cert_file,
      ": is the daemon up there, is its certificate signed by that CA, does "
      "its client CA sign the client certificate?]");
}

}  // namespace clearmatch::cli
