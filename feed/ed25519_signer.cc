// Ed25519 key generation and signing through OpenSSL EVP.
#include "feed/ed25519_signer.h"

#include <openssl/pem.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
namespace {

using feed_internal::BioPtr;
using feed_internal::EvpMdCtxPtr;
using feed_internal::EvpPkeyCtxPtr;
using feed_internal::EvpPkeyPtr;
using feed_internal::TakeOpenSslError;

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
  BioPtr bio(BIO_new_mem_buf(private_pem.data(),
                             static_cast<int>(private_pem.size())));
  EvpPkeyPtr key(bio == nullptr ? nullptr
                                : PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                                          nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM private key (", TakeOpenSslError(), ")"));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(absl::StrCat(
        "private key is of type ", OBJ_nid2sn(EVP_PKEY_get_id(key.get())),
        ", expected ED25519"));
  }
  absl::StatusOr<std::string> key_id = feed_internal::Ed25519KeyId(key.get());
  if (!key_id.ok()) return key_id.status();
  return std::unique_ptr<Ed25519Signer>(
      new Ed25519Signer(std::move(key), *std::move(key_id)));
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
