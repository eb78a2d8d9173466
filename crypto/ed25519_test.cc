// Ed25519 key generation, signing and verification.
#include "crypto/ed25519_signer.h"
#include "crypto/ed25519_verifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(Ed25519Test, SignsAndVerifies) {
  const Ed25519KeyPair keys = *Ed25519Signer::GenerateKeyPair();
  EXPECT_THAT(keys.private_pem, HasSubstr("BEGIN PRIVATE KEY"));
  EXPECT_THAT(keys.public_pem, HasSubstr("BEGIN PUBLIC KEY"));
  auto signer = *Ed25519Signer::Create(keys.private_pem);
  auto verifier = *Ed25519Verifier::Create(keys.public_pem);
  EXPECT_EQ(signer->key_id(), verifier->key_id());
  const std::string signature = *signer->Sign("manifest bytes");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(verifier->Verify("manifest bytes", signature).ok());
  EXPECT_EQ(verifier->Verify("manifest bytez", signature).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(verifier->Verify("manifest bytes", signature.substr(1)).code(),
            absl::StatusCode::kUnauthenticated);
  const Ed25519KeyPair other = *Ed25519Signer::GenerateKeyPair();
  auto other_verifier = *Ed25519Verifier::Create(other.public_pem);
  EXPECT_NE(other_verifier->key_id(), verifier->key_id());
  EXPECT_EQ(other_verifier->Verify("manifest bytes", signature).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(Ed25519Test, RefusesWhatIsNotAnEd25519Key) {
  EXPECT_EQ(Ed25519Signer::Create("garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519Verifier::Create("").status().code(),
            absl::StatusCode::kInvalidArgument);
  const Ed25519KeyPair keys = *Ed25519Signer::GenerateKeyPair();
  // A private key where a public one is expected, and vice versa.
  EXPECT_FALSE(Ed25519Verifier::Create(keys.private_pem).ok());
  EXPECT_FALSE(Ed25519Signer::Create(keys.public_pem).ok());
}

TEST(Ed25519Test, KeyIdIsSixteenHexDigitsOfThePublicKey) {
  const Ed25519KeyPair keys = *Ed25519Signer::GenerateKeyPair();
  const std::string id = (*Ed25519Signer::Create(keys.private_pem))->key_id();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ((*Ed25519Verifier::Create(keys.public_pem))->key_id(), id);
}

TEST(Ed25519Test, RefusesAKeyOfAnotherType) {
  // A P-256 key (openssl genpkey -algorithm EC).
  constexpr char kEcKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2euqy/YztZfOuErI
t1x7pyPz/SXxsn93Hu2C6fEoq5GhRANCAAQW29goHVqdBePIB3eUePojHVo8YrhC
u0qzp9RvUsJr+qXdcSpLbXqP+ixdf7Gr1Frw/rXyEs7dvyRIotXiqOh4
-----END PRIVATE KEY-----
)";
  auto signer = Ed25519Signer::Create(kEcKey);
  EXPECT_EQ(signer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(signer.status().message(), HasSubstr("expected ED25519"));
}

}  // namespace
}  // namespace clearmatch
