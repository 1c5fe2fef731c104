#include "tui/line_editor.h"

#include <algorithm>

#include "tui/utf8.h"

namespace parley::tui {

LineEditor::Result LineEditor::handle(const Key& key) {
  using Code = Key::Code;
  if (key.code != Code::kTab) candidates_.clear();
  switch (key.code) {
    case Code::kChar: {
      std::string utf8;
      append_utf8(utf8, key.ch);
      insert(utf8);
      return Result::kHandled;
    }
    case Code::kEnter: return Result::kSubmit;
    case Code::kBackspace: backspace(); return Result::kHandled;
    case Code::kDelete: erase_forward(); return Result::kHandled;
    case Code::kLeft: left(); return Result::kHandled;
    case Code::kRight: right(); return Result::kHandled;
    case Code::kHome: cursor_ = 0; return Result::kHandled;
    case Code::kEnd: cursor_ = text_.size(); return Result::kHandled;
    case Code::kUp: history_move(-1); return Result::kHandled;
    case Code::kDown: history_move(+1); return Result::kHandled;
    case Code::kTab: complete(); return Result::kHandled;
    case Code::kCtrl:
      switch (key.ch) {
        case 'a': cursor_ = 0; return Result::kHandled;
        case 'e': cursor_ = text_.size(); return Result::kHandled;
        case 'b': left(); return Result::kHandled;
        case 'f': right(); return Result::kHandled;
        case 'd': erase_forward(); return Result::kHandled;
        case 'h': backspace(); return Result::kHandled;
        case 'u':
          text_.erase(0, cursor_);
          cursor_ = 0;
          return Result::kHandled;
        case 'k': text_.erase(cursor_); return Result::kHandled;
        case 'w': delete_word_back(); return Result::kHandled;
        case 'p': history_move(-1); return Result::kHandled;
        case 'n': history_move(+1); return Result::kHandled;
        default: return Result::kUnhandled;
      }
    default: return Result::kUnhandled;
  }
}

std::string LineEditor::take_line() {
  std::string line = std::move(text_);
  if (!line.empty() && (history_.empty() || history_.back() != line)) {
    history_.push_back(line);
    if (history_.size() > history_size_) history_.pop_front();
  }
  clear();
  return line;
}

void LineEditor::clear() {
  text_.clear();
  cursor_ = 0;
  history_pos_ = history_.size();
  draft_.clear();
  candidates_.clear();
}

void LineEditor::insert(std::string_view utf8) {
  std::string clean = sanitize(utf8);
  if (text_.size() + clean.size() > max_bytes_) {
    const std::size_t room = max_bytes_ - std::min(max_bytes_, text_.size());
    std::size_t cut = 0;
    while (cut < clean.size()) {
      const std::size_t next = next_boundary(clean, cut);
      if (next > room) break;
      cut = next;
    }
    clean.resize(cut);
  }
  text_.insert(cursor_, clean);
  cursor_ += clean.size();
}

void LineEditor::left() { cursor_ = prev_boundary(text_, cursor_); }
void LineEditor::right() { cursor_ = next_boundary(text_, cursor_); }

void LineEditor::backspace() {
  const std::size_t start = prev_boundary(text_, cursor_);
  text_.erase(start, cursor_ - start);
  cursor_ = start;
}

void LineEditor::erase_forward() { text_.erase(cursor_, next_boundary(text_, cursor_) - cursor_); }

void LineEditor::delete_word_back() {
  std::size_t start = cursor_;
  while (start > 0 && text_[start - 1] == ' ') --start;
  while (start > 0 && text_[start - 1] != ' ') --start;
  text_.erase(start, cursor_ - start);
  cursor_ = start;
}

void LineEditor::history_move(int direction) {
  if (history_.empty()) return;
  if (direction < 0) {
    if (history_pos_ == 0) return;
    if (history_pos_ == history_.size()) draft_ = text_;
    --history_pos_;
    text_ = history_[history_pos_];
  } else {
    if (history_pos_ >= history_.size()) return;
    ++history_pos_;
    text_ = history_pos_ == history_.size() ? draft_ : history_[history_pos_];
  }
  cursor_ = text_.size();
}

void LineEditor::complete() {
  if (!completer_) return;
  if (candidates_.empty()) {
    std::size_t start = cursor_;
    while (start > 0 && text_[start - 1] != ' ') --start;
    candidates_ = completer_(std::string_view(text_).substr(start, cursor_ - start), start == 0);
    if (candidates_.empty()) return;
    word_start_ = start;
    candidate_ = 0;
  } else {
    candidate_ = (candidate_ + 1) % candidates_.size();
  }
  const std::string& pick = candidates_[candidate_];
  text_.replace(word_start_, cursor_ - word_start_, pick);
  cursor_ = word_start_ + pick.size();
}

LineEditor::View LineEditor::view(int width) const {
  width = std::max(width, 1);
  // Scroll so that the cursor sits within the width (at the right edge once the text is longer).
  std::size_t start = 0;
  while (start < cursor_ && text_width(std::string_view(text_).substr(start, cursor_ - start)) > width - 1)
    start = next_boundary(text_, start);
  View v;
  v.cursor_column = text_width(std::string_view(text_).substr(start, cursor_ - start));
  v.text = std::string(fit(std::string_view(text_).substr(start), width));
  return v;
}

}  // namespace parley::tui
