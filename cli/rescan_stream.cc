// One daemon's CheckStream of a rescan, with a bounded window.
#include "cli/rescan_stream.h"

#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "cli/matcher_client.h"

namespace clearmatch::cli {

RescanStream::RescanStream(v1::Matcher::Stub& stub, RescanWork& work,
                           int window)
    : stub_(stub), work_(work), window_(window), id_(work.AddStream()) {}

grpc::Status RescanStream::Run() {
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_.CheckStream(&context);
  std::thread sender([&] { SendItems(*stream); });
  v1::CheckResponse response;
  while (stream->Read(&response)) work_.Answer(id_, response);
  // The daemon ended the stream (all sent and answered, or it broke): what
  // it still had goes to the others, and the sender stops waiting.
  work_.CloseStream(id_);
  sender.join();
  return stream->Finish();
}

void RescanStream::SendItems(Stream& stream) {
  while (std::optional<RescanItem> item = work_.Take(id_, window_)) {
    std::optional<std::string> media = ReadMediaFile(item->path);
    if (!media.has_value()) {
      work_.FailUnreadable(id_, *item);
      continue;
    }
    v1::CheckRequest request;
    request.set_content_id(item->content_id);
    request.set_context(v1::RESCAN);
    request.set_media(*std::move(media));
    if (!stream.Write(request)) break;
  }
  stream.WritesDone();
}

}  // namespace clearmatch::cli
