// The PDQ code index behind IndexSnapshot: which faiss::IndexBinary serves a
// bank of a given size, and how it is written to and read from a snapshot.
// Only index/ includes this (and FAISS).
#ifndef CLEARMATCH_INDEX_PDQ_INDEX_FACTORY_H_
#define CLEARMATCH_INDEX_PDQ_INDEX_FACTORY_H_

#include <faiss/IndexBinary.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace clearmatch::index_internal {

// An empty exact index for 256-bit codes, of the kind that serves best for
// about `expected_size` codes (FAISS IndexBinaryFlat below the measured
// crossover, MultiHashIndex above it).
std::unique_ptr<faiss::IndexBinary> NewPdqIndex(int64_t expected_size);

// The index's content as bytes (codes and any search structure), for snapshot
// files. The snapshot file adds its own checksum around these bytes.
absl::StatusOr<std::string> SerializePdqIndex(const faiss::IndexBinary& index);

// Inverse of SerializePdqIndex. Validates every length and offset: malformed
// bytes give INVALID_ARGUMENT / DATA_LOSS, never a crash.
absl::StatusOr<std::unique_ptr<faiss::IndexBinary>> DeserializePdqIndex(
    absl::Span<const uint8_t> bytes);

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_PDQ_INDEX_FACTORY_H_
