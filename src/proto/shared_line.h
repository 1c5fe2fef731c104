// An immutable, reference-counted wire buffer. One is built per message fan-out and shared by
// every recipient's send queue, so a channel message is serialised once however many members
// receive it.
#pragma once

#include <memory>
#include <string>

namespace parley::proto {

using SharedLine = std::shared_ptr<const std::string>;

inline SharedLine make_line(std::string bytes) { return std::make_shared<const std::string>(std::move(bytes)); }

}  // namespace parley::proto
