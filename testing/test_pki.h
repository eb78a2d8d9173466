// TestPki: a throwaway certificate authority for TLS tests, made in memory
// with OpenSSL (P-256 keys, SHA-256 signatures, valid for one day) and
// written as PEM files into a directory the test owns.
//
//   TestPki pki = *TestPki::Create(dir, "test-ca");
//   TestPki::Files server = *pki.Issue(TestPki::Server("server"));
//   TestPki::Files client = *pki.Issue(TestPki::Client("ops", "ops"));
//   ... tls { cert_file: server.cert_file key_file: server.key_file
//             client_ca_file: pki.ca_file() } ...
//
// Thread-compatible.
#ifndef CLEARMATCH_TESTING_TEST_PKI_H_
#define CLEARMATCH_TESTING_TEST_PKI_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace clearmatch::testing {

class TestPki {
 public:
  // What to put in a certificate.
  struct Spec {
    std::string name;         // file stem: <dir>/<name>.pem, <name>.key
    std::string common_name;  // subject CN
    std::vector<std::string> dns_names;     // subjectAltName DNS:...
    std::vector<std::string> ip_addresses;  // subjectAltName IP:...
    bool server = false;  // extendedKeyUsage serverAuth, else clientAuth
  };
  // PEM files of one certificate and its private key, and their contents.
  struct Files {
    std::string cert_file;
    std::string key_file;
    std::string cert_pem;
    std::string key_pem;
  };

  // A server certificate for 127.0.0.1 and localhost.
  static Spec Server(const std::string& name);
  // A client certificate with subject CN `common_name`.
  static Spec Client(const std::string& name, const std::string& common_name);

  // A new CA "CN=<ca_name>" whose certificate is written to
  // <dir>/<ca_name>.pem. INTERNAL if OpenSSL fails or a file cannot be
  // written.
  static absl::StatusOr<TestPki> Create(const std::string& dir,
                                        const std::string& ca_name);
  // Also: a certificate signed by its own key (no CA at all).
  static absl::StatusOr<Files> SelfSigned(const std::string& dir,
                                          const Spec& spec);

  TestPki(TestPki&&) noexcept;
  TestPki& operator=(TestPki&&) noexcept;
  ~TestPki();

  // The CA certificate (PEM) and its file: the trust anchor for clients.
  const std::string& ca_file() const { return ca_.cert_file; }
  const std::string& ca_pem() const { return ca_.cert_pem; }

  // A certificate for `spec` signed by this CA, written to the directory.
  absl::StatusOr<Files> Issue(const Spec& spec) const;

 private:
  struct Key;
  TestPki(std::string dir, Files ca, std::unique_ptr<Key> key);

  std::string dir_;
  Files ca_;
  std::unique_ptr<Key> ca_key_;  // the CA's private key and certificate
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_TEST_PKI_H_
