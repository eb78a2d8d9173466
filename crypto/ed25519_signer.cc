// Ed25519 key generation and signing through OpenSSL EVP.
#include "crypto/ed25519_signer.h"

#include <openssl/pem.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "crypto/ed25519_key_id.h"
#include "crypto/pem.h"

namespace clearmatch {
namespace {

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, length > 0 ? static_cast<size_t>(length) : 0);
}

}  // namespace

absl::StatusOr<Ed25519KeyPair> Ed25519Signer::GenerateKeyPair() {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw_key) != 1) {
    return absl::InternalError(
        absl::StrCat("Ed25519 key generation failed: ", TakeOpenSslError()));
  }
  EvpPkeyPtr key(raw_key);
  BioPtr private_bio(BIO_new(BIO_s_mem()));
  BioPtr public_bio(BIO_new(BIO_s_mem()));
  if (private_bio == nullptr || public_bio == nullptr ||
      PEM_write_bio_PrivateKey(private_bio.get(), key.get(), nullptr, nullptr,
                               0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
    return absl::InternalError(
        absl::StrCat("cannot write the key pair as PEM: ", TakeOpenSslError()));
  }
  return Ed25519KeyPair{BioContents(private_bio.get()),
                        BioContents(public_bio.get())};
}

absl::StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::Create(
    absl::string_view private_pem) {
  CM_ASSIGN_OR_RETURN(EvpPkeyPtr key, ParsePemPrivateKey(private_pem));
  CM_ASSIGN_OR_RETURN(std::string key_id, Ed25519KeyId(*key, "private key"));
  return std::unique_ptr<Ed25519Signer>(
      new Ed25519Signer(std::move(key), std::move(key_id)));
}

absl::StatusOr<std::string> Ed25519Signer::Sign(
    absl::string_view message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(64, '\0');
  size_t length = signature.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) !=
          1 ||
      EVP_DigestSign(
          ctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
          &length, reinterpret_cast<const unsigned char*>(message.data()),
          message.size()) != 1) {
    return absl::InternalError(
        absl::StrCat("Ed25519 signing failed: ", TakeOpenSslError()));
  }
  signature.resize(length);
  return signature;
}

}  // namespace clearmatch
