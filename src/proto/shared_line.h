// An immutable, reference-counted wire buffer. One is built per message fan-out and shared by
// every recipient's send queue, so a channel message is serialised once however many members
// receive it.
//
// The reference count is a plain integer, not an atomic: a fan-out copies and drops one
// reference per recipient, and a locked increment and decrement per delivery cost more than
// the rest of the queueing. So a SharedLine belongs to one thread (the loop that built it):
// hand bytes, never SharedLines, to another thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace parley::proto {

class SharedLine {
 public:
  SharedLine() noexcept = default;
  SharedLine(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): like a pointer
  SharedLine(const SharedLine& other) noexcept : block_(other.block_) {
    if (block_) ++block_->refs;
  }
  SharedLine(SharedLine&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedLine& operator=(const SharedLine& other) noexcept {
    SharedLine(other).swap(*this);
    return *this;
  }
  SharedLine& operator=(SharedLine&& other) noexcept {
    SharedLine(std::move(other)).swap(*this);
    return *this;
  }
  ~SharedLine() { release(); }

  void reset() noexcept { SharedLine().swap(*this); }
  void swap(SharedLine& other) noexcept { std::swap(block_, other.block_); }

  const std::string* get() const noexcept { return block_ ? &block_->bytes : nullptr; }
  const std::string& operator*() const noexcept { return block_->bytes; }
  const std::string* operator->() const noexcept { return &block_->bytes; }
  explicit operator bool() const noexcept { return block_ != nullptr; }
  // References to this buffer (0 for an empty SharedLine).
  std::uint32_t use_count() const noexcept { return block_ ? block_->refs : 0; }

  friend bool operator==(const SharedLine& a, const SharedLine& b) noexcept { return a.block_ == b.block_; }
  friend bool operator==(const SharedLine& a, std::nullptr_t) noexcept { return a.block_ == nullptr; }

  friend SharedLine make_line(std::string bytes);

 private:
  struct Block {
    explicit Block(std::string b) : bytes(std::move(b)) {}
    const std::string bytes;
    std::uint32_t refs = 1;
  };
  explicit SharedLine(Block* block) noexcept : block_(block) {}
  void release() noexcept {
    if (block_ && --block_->refs == 0) delete block_;
  }

  Block* block_ = nullptr;
};

inline SharedLine make_line(std::string bytes) { return SharedLine(new SharedLine::Block(std::move(bytes))); }

}  // namespace parley::proto
