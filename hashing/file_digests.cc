#include "hashing/file_digests.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "crypto/openssl_handles.h"
#include "crypto/sha256.h"

namespace clearmatch {

absl::StatusOr<FileDigests> ComputeFileDigests(
    absl::Span<const uint8_t> bytes) {
  struct Job {
    const EVP_MD* md;
    std::string* out;
    const char* name;
  };
  FileDigests digests;
  const Job jobs[] = {{EVP_md5(), &digests.md5, "MD5"},
                      {EVP_sha1(), &digests.sha1, "SHA-1"},
                      {EVP_sha256(), &digests.sha256, "SHA-256"}};
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return absl::InternalError("EVP_MD_CTX_new failed");
  for (const Job& job : jobs) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (job.md == nullptr ||
        EVP_DigestInit_ex(ctx.get(), job.md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
      return absl::InternalError(
          absl::StrCat("OpenSSL could not compute ", job.name));
    }
    *job.out = BytesToHex(
        std::string_view(reinterpret_cast<const char*>(digest), length));
  }
  return digests;
}

std::string Sha256Hex(absl::string_view bytes) {
  absl::StatusOr<Sha256::Digest> digest = Sha256::Of(bytes);
  if (!digest.ok()) std::abort();
  return BytesToHex(std::string_view(
      reinterpret_cast<const char*>(digest->data()), digest->size()));
}

}  // namespace clearmatch
