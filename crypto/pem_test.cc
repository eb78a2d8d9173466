#include "crypto/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

#include "crypto/ed25519_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

// A self-signed P-256 certificate and its key (openssl req -x509 -newkey ec).
constexpr char kCertPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBgjCCASmgAwIBAgIUAc3YNeWpfMeHguOZl6/7ltmOBIgwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLY3J5cHRvLXRlc3QwIBcNMjYxMjAxMTI1MDQyWhgPMjEyNjEx
MDcxMjUwNDJaMBYxFDASBgNVBAMMC2NyeXB0by10ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEFtvYKB1anQXjyAd3lHj6Ix1aPGK4QrtKs6fUb1LCa/ql3XEq
S216j/osXX+xq9Ra8P618hLO3b8kSKLV4qjoeKNTMFEwHQYDVR0OBBYEFIdb9pjL
fCOJpe00pbCBEPGGF+L1MB8GA1UdIwQYMBaAFIdb9pjLfCOJpe00pbCBEPGGF+L1
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgY7F4MidTajqtfaZE
cGKOQcgsOjCmuorm1x4k5yHzU/ACIAZcTkeHANTcUOPGAw+bwveqSsu8XwE1NHst
YKAoo+Gt
-----END CERTIFICATE-----
)";
constexpr char kKeyPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2euqy/YztZfOuErI
t1x7pyPz/SXxsn93Hu2C6fEoq5GhRANCAAQW29goHVqdBePIB3eUePojHVo8YrhC
u0qzp9RvUsJr+qXdcSpLbXqP+ixdf7Gr1Frw/rXyEs7dvyRIotXiqOh4
-----END PRIVATE KEY-----
)";

TEST(PemTest, ParsesACertificateAndItsKey) {
  auto cert = ParsePemCertificate(kCertPem);
  ASSERT_TRUE(cert.ok()) << cert.status();
  auto key = ParsePemPrivateKey(kKeyPem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(KeyMatchesCertificate(**cert, **key));
  const Ed25519KeyPair other = *Ed25519Signer::GenerateKeyPair();
  auto other_key = ParsePemPrivateKey(other.private_pem);
  ASSERT_TRUE(other_key.ok()) << other_key.status();
  EXPECT_FALSE(KeyMatchesCertificate(**cert, **other_key));
  EXPECT_EQ(ERR_peek_error(), 0u);  // the queue is left empty
}

TEST(PemTest, RefusesTheWrongKindNamingIt) {
  auto cert = ParsePemCertificate(kKeyPem);
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(cert.status().message(), HasSubstr("not a PEM certificate ("));
  auto key = ParsePemPrivateKey(kCertPem);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr("not a PEM private key ("));
  auto public_key = ParsePemPublicKey(kKeyPem);
  EXPECT_THAT(public_key.status().message(),
              HasSubstr("not a PEM public key ("));
  EXPECT_FALSE(ParsePemCertificate("").ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(PemTest, PublicKeyOfAKeyPair) {
  const Ed25519KeyPair pair = *Ed25519Signer::GenerateKeyPair();
  auto key = ParsePemPublicKey(pair.public_pem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(EVP_PKEY_get_id(key->get()), EVP_PKEY_ED25519);
}

TEST(PemTest, EncryptedKeyIsRefusedWithoutAPrompt) {
  EvpPkeyPtr key = *ParsePemPrivateKey(kKeyPem);
  BioPtr bio(BIO_new(BIO_s_mem()));
  char passphrase[] = "secret";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_128_cbc(),
                                    passphrase, 6, nullptr, nullptr),
      1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  const std::string encrypted(data, static_cast<size_t>(length));
  ASSERT_THAT(encrypted, HasSubstr("ENCRYPTED PRIVATE KEY"));
  auto parsed = ParsePemPrivateKey(encrypted);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearmatch
