// Certificates for TLS tests, built with OpenSSL's X509 API.
#include "testing/test_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crypto/openssl_handles.h"

namespace clearmatch::testing {
namespace {

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", TakeOpenSslError()));
}

absl::StatusOr<EvpPkeyPtr> NewKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("EC P-256 key generation");
  return key;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid,
                          const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(
        absl::StrCat("extension ", OBJ_nid2sn(nid), " ", value));
  }
  return absl::OkStatus();
}

// A certificate for `key` and `spec`, signed by `issuer_key` with the
// subject of `issuer` (nullptr: self-signed).
absl::StatusOr<X509Ptr> MakeCertificate(const TestPki::Spec& spec,
                                        EVP_PKEY* key, bool ca, X509* issuer,
                                        EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError("X509_new");
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) !=
      1) {
    return OpenSslError("RAND_bytes");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1) !=
          1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1 ||
      X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
          -1, 0) != 1 ||
      X509_set_issuer_name(
          cert.get(), X509_get_subject_name(issuer ? issuer : cert.get())) !=
          1) {
    return OpenSslError(absl::StrCat("certificate fields of ", spec.name));
  }
  X509* signer = issuer ? issuer : cert.get();
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage, ca ? "critical,keyCertSign,cRLSign"
                         : "critical,digitalSignature,keyAgreement"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  if (!ca) {
    extensions.emplace_back(NID_ext_key_usage,
                            spec.server ? "serverAuth" : "clientAuth");
  }
  std::vector<std::string> names;
  for (const std::string& dns : spec.dns_names) names.push_back("DNS:" + dns);
  for (const std::string& ip : spec.ip_addresses) names.push_back("IP:" + ip);
  if (!names.empty()) {
    extensions.emplace_back(NID_subject_alt_name, absl::StrJoin(names, ","));
  }
  for (const auto& [nid, value] : extensions) {
    if (absl::Status s = AddExtension(cert.get(), signer, nid, value);
        !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return OpenSslError(absl::StrCat("signing ", spec.name));
  }
  return cert;
}

absl::StatusOr<std::string> BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0) return OpenSslError("PEM encoding");
  return std::string(data, static_cast<size_t>(size));
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// PEM texts and files of `cert` and `key` as <dir>/<name>.pem and .key.
absl::StatusOr<TestPki::Files> Save(const std::string& dir,
                                    const std::string& name, X509* cert,
                                    EVP_PKEY* key) {
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || key_bio == nullptr ||
      PEM_write_bio_X509(cert_bio.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslError(absl::StrCat("PEM of ", name));
  }
  TestPki::Files files;
  files.cert_file = absl::StrCat(dir, "/", name, ".pem");
  files.key_file = absl::StrCat(dir, "/", name, ".key");
  absl::StatusOr<std::string> cert_pem = BioText(cert_bio.get());
  absl::StatusOr<std::string> key_pem = BioText(key_bio.get());
  if (!cert_pem.ok()) return cert_pem.status();
  if (!key_pem.ok()) return key_pem.status();
  files.cert_pem = *std::move(cert_pem);
  files.key_pem = *std::move(key_pem);
  if (absl::Status s = WriteFile(files.cert_file, files.cert_pem); !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteFile(files.key_file, files.key_pem); !s.ok()) {
    return s;
  }
  return files;
}

}  // namespace

struct TestPki::Key {
  EvpPkeyPtr key;
  X509Ptr cert;
};

TestPki::Spec TestPki::Server(const std::string& name) {
  Spec spec;
  spec.name = name;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1"};
  spec.server = true;
  return spec;
}

TestPki::Spec TestPki::Client(const std::string& name,
                              const std::string& common_name) {
  Spec spec;
  spec.name = name;
  spec.common_name = common_name;
  return spec;
}

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir,
                                        const std::string& ca_name) {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  Spec spec;
  spec.name = ca_name;
  spec.common_name = ca_name;
  absl::StatusOr<X509Ptr> cert =
      MakeCertificate(spec, key->get(), /*ca=*/true, nullptr, key->get());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<Files> files = Save(dir, ca_name, cert->get(), key->get());
  if (!files.ok()) return files.status();
  auto ca_key = std::make_unique<Key>();
  ca_key->key = *std::move(key);
  ca_key->cert = *std::move(cert);
  return TestPki(dir, *std::move(files), std::move(ca_key));
}

absl::StatusOr<TestPki::Files> TestPki::SelfSigned(const std::string& dir,
                                                   const Spec& spec) {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert =
      MakeCertificate(spec, key->get(), /*ca=*/false, nullptr, key->get());
  if (!cert.ok()) return cert.status();
  return Save(dir, spec.name, cert->get(), key->get());
}

TestPki::TestPki(std::string dir, Files ca, std::unique_ptr<Key> key)
    : dir_(std::move(dir)), ca_(std::move(ca)), ca_key_(std::move(key)) {}
TestPki::TestPki(TestPki&&) noexcept = default;
TestPki& TestPki::operator=(TestPki&&) noexcept = default;
TestPki::~TestPki() = default;

absl::StatusOr<TestPki::Files> TestPki::Issue(const Spec& spec) const {
  absl::StatusOr<EvpPkeyPtr> key = NewKey();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert = MakeCertificate(
      spec, key->get(), /*ca=*/false, ca_key_->cert.get(), ca_key_->key.get());
  if (!cert.ok()) return cert.status();
  return Save(dir_, spec.name, cert->get(), key->get());
}

}  // namespace clearmatch::testing
